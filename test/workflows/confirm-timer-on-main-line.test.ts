// The decision confirmation timer is a main-line command (patch confirm-timer-on-main-line). An update handler
// that started it put a TimerStarted between its update's acceptance and completion, and whether it started
// one depended on whether the previous timer had fired in an earlier activation: at 1,000 open work items,
// after timed-out workflow tasks, a replay saw that differently from the live run (TMPRL1100, "Timer machine
// does not handle this event: WorkflowExecutionUpdateCompleted") and the item refused every tap after.
//
// The worker's decision sink fails here (the database down at that instant), so a decision reaches the audit
// log only through the durable confirmation: a row appearing shows that the main line started the timer and
// confirmed on its firing, or confirmed at once when it woke for another reason.
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsFor } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { cancelUpdate, editPlanUpdate, pauseUpdate, resumeUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { PATCH } from '../../workflows/patches.js';
import { loadHistory, recordHistory } from '../support/histories.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';
import { workflowBundle } from '../support/temporal.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

let orchestra: Orchestra;
beforeAll(async () => {
  orchestra = await startOrchestra({}, { decisionSink: 'failing' });
});
afterAll(async () => orchestra?.stop());

function plan(key: string, files: string[]): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: '',
    phases: [{ id: 'api', title: 'API surface', activity: 'api_changes', files, constraints: [], validation: [], dependsOn: [], mergeOrder: 1 }],
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}

/** Event ids are int64 (a Long in a decoded history): read through their decimal text. */
const num = (value: unknown) => Number(String(value));
const kind = (e: HistoryEvent) => temporal.api.enums.v1.EventType[e.eventType ?? 0];
const id = (e: HistoryEvent) => num(e.eventId);

/** The patch ids a history's markers record. */
function markers(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

/** Each update's acceptance with the events its workflow task sent between the acceptance and the completion. */
function updateSpans(events: HistoryEvent[]): { accepted: HistoryEvent; completed: HistoryEvent; between: HistoryEvent[] }[] {
  return events
    .filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .map((accepted) => {
      const updateId = accepted.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId;
      const completed = events.find((e) => e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId === updateId);
      if (!completed) throw new Error(`update ${updateId ?? ''} accepted at event ${id(accepted)} never completed`);
      return { accepted, completed, between: events.filter((e) => id(e) > id(accepted) && id(e) < id(completed)) };
    });
}

const isTimerStarted = (e: HistoryEvent) => Boolean(e.timerStartedEventAttributes);

describe('the decision confirmation timer', () => {
  it('is started by the main line after the update completes, and every decision is still confirmed', async () => {
    const key = `${orchestra.keyPrefix}-1`;
    const handle = await orchestra.env.client.workflow.start('workItemWorkflow', {
      taskQueue: orchestra.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Capacity errors',
          intention: 'x',
          plan: plan(key, ['api/hypershift/v1beta1/nodepool_conditions.go']),
          decisionConfirmMs: 800,
        },
      ],
    });
    await waitFor('plan gate', async () => (await handle.query(workItemStateQuery)).status === 'awaiting-plan-approval');
    const tap = { actor: 'maria', surface: 'slack-button' as const };
    const stored = async () => (await decisionsFor(orchestra.store.db, key)).map((d) => d.idempotencyKey).sort();

    // A pause changes nothing the plan gate waits on: only the confirmation timer wakes the main line to store it.
    expect((await handle.executeUpdate(pauseUpdate, { args: [tap], updateId: `${key}-1` })).outcome).toBe('applied');
    await waitFor('the pause confirmed by the timer', async () => (await stored()).includes(`${key}-1`));

    // An edit's overlap check waits for its confirmation (overlap-after-confirmation): the timer wakes the main
    // line, which confirms the resume and the edit, then checks the new plan version.
    expect((await handle.executeUpdate(resumeUpdate, { args: [tap], updateId: `${key}-2` })).outcome).toBe('applied');
    const edited = plan(key, ['api/hypershift/v1beta1/nodepool_conditions.go', 'api/hypershift/v1beta1/nodepool_types.go']);
    expect((await handle.executeUpdate(editPlanUpdate, { args: [{ ...tap, plan: edited, note: 'types too' }], updateId: `${key}-3` })).outcome).toBe('applied');
    await waitFor('the resume and the edit confirmed', async () => (await stored()).includes(`${key}-3`));

    // A cancel closes the work item: whatever is still waiting is confirmed before the run ends.
    expect((await handle.executeUpdate(cancelUpdate, { args: [{ ...tap, reason: 'superseded' }], updateId: `${key}-4` })).outcome).toBe('applied');
    expect((await handle.result()).status).toBe('cancelled');
    expect(await stored()).toEqual([1, 2, 3, 4].map((n) => `${key}-${n}`));

    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const spans = updateSpans(events);
    expect(spans).toHaveLength(4);
    // No update handler starts the timer: none stands between an update's acceptance and its completion. (The main
    // line may still send other commands there, when another job of the same activation resumes it: seen with a
    // confirmation activity scheduled as the previous timer fired.)
    for (const span of spans) expect(span.between.filter(isTimerStarted).map(kind), `update accepted at event ${id(span.accepted)}`).toEqual([]);
    // The timers are the main line's: a tap at the waiting plan gate has its timer started by the same workflow
    // task, once the update has completed.
    const timers = events.filter(isTimerStarted);
    const taskOf = (timer: HistoryEvent) => num(timer.timerStartedEventAttributes?.workflowTaskCompletedEventId);
    expect(timers.length).toBeGreaterThanOrEqual(2);
    expect(timers.some((timer) => spans.some((s) => id(s.accepted) > taskOf(timer) && id(s.completed) < id(timer)))).toBe(true);
    expect(markers(events)).toContain(PATCH.confirmTimerOnMainLine);
    expect(events.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
    await recordHistory(orchestra.env.client, handle.workflowId, 'work-item-overlap-after-confirmation');
  }, 60_000);

  // Work items started before the patch keep the handler's timer when their histories replay.
  const beforePatch = [
    'work-item-continued.json',
    'work-item-gate-reminder.json',
    'work-item-gates-before-gate-deadlines.json',
    'work-item-gates.json',
    'work-item-three-phases-before-gate-deadlines.json',
    'work-item-three-phases.json',
  ];
  for (const file of beforePatch) {
    it(`still replays ${file}, whose update handler started the timer`, async () => {
      const { history, workflowId } = loadHistory(file);
      const events = history.events as HistoryEvent[];
      expect(markers(events)).not.toContain(PATCH.confirmTimerOnMainLine);
      expect(updateSpans(events).some((s) => s.between.some(isTimerStarted))).toBe(true);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
    });
  }
});
