// A work item that lives for weeks, driven day by day on Temporal's time-skipping test server, and the
// history it leaves: every run of the chain (one per continue-as-new) with its events and encoded size, and
// the events bucketed by the simulated day they were written. Shared by the history bound test
// (test/workflows/history-growth.test.ts) and the history bench (bench/suites/history.ts).
//
// A day on the plan gate: plan edits from the owner's modal and a pause / resume; the day's hours pass
// between them (decision confirmation timers fire on workflow time). The last two days the plan is approved
// and the first phase waits at its gate: its reminder (4 h) and escalation (24 h) are written by the work item
// itself. CI runs and pair sessions have workflows of their own (ci-watch continues as new at 5,000 events);
// the work item hears of them only through the phase, which is not started here.
import type { Client } from '@temporalio/client';
// The proto package is CommonJS: its namespace comes through the default export under plain Node ESM (tsx).
import proto, { type temporal as protos } from '@temporalio/proto';
import { editedPlan } from './edited-plan.js';
import { approvePlanUpdate, editPlanUpdate, pauseUpdate, resumeUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import type { workItemWorkflow } from '../../workflows/work-item.js';

/** The edited plan with a review's summary, as a long-lived work item's edits carry. */
const reviewedPlan = (key: string, edit: number) => editedPlan(key, edit, `edit ${edit}: narrowed the bridge to AWS and Azure after review`);

const { temporal } = proto;

export const dayMs = 24 * 3_600_000;

export interface LifeOptions {
  client: Client;
  taskQueue: string;
  key: string;
  days: number;
  editsPerDay: number;
  /** Pause / resume pairs per day. */
  togglesPerDay: number;
  /** Lowered in the test so the chain has many runs; the product's default (10,000) when absent. */
  historyEventBudget?: number;
  /** Lets simulated time pass (TestWorkflowEnvironment.sleep). */
  sleep(ms: number): Promise<void>;
}

export interface RunRecord {
  runId: string;
  events: number;
  bytes: number;
  /** The run's first event: its input, which carries the state of the run before it. */
  firstEventBytes: number;
  /** The continue-as-new event: it carries the state into the next run, like the next run's first event. */
  lastEventBytes: number;
  /** The largest event between the first and the continue-as-new. */
  largestEventBytes: number;
  continuedAsNew: boolean;
  /** This run's events written on each simulated day. */
  eventsPerDay: number[];
}

export interface LifeReport {
  runs: RunRecord[];
  /** Events written on each simulated day, over all runs. */
  eventsPerDay: number[];
  decisions: number;
  finalStatus: string;
  seenUpdateIdsCarried: number;
  planEditsCarried: number;
}

export async function liveWorkItem(o: LifeOptions): Promise<LifeReport> {
  const workflowId = workItemWorkflowId(o.key);
  const started = await o.client.workflow.start('workItemWorkflow', {
    taskQueue: o.taskQueue,
    workflowId,
    args: [
      {
        key: o.key,
        ownerId: 'maria',
        title: 'Capacity errors per platform',
        intention: 'NodePool should report capacity errors per platform',
        plan: reviewedPlan(o.key, 0),
        ...(o.historyEventBudget ? { historyEventBudget: o.historyEventBudget } : {}),
      },
    ],
  });
  // Without a run id the handle follows the work item across continue-as-new, as Slack and the CLI do.
  const handle = o.client.workflow.getHandle<typeof workItemWorkflow>(workflowId);
  while ((await handle.query(workItemStateQuery)).status !== 'awaiting-plan-approval') await o.sleep(1_000);
  let decisions = 0;
  const actor = { actor: 'maria', surface: 'slack-modal' as const };
  const steps = o.editsPerDay + 2 * o.togglesPerDay;
  const gap = Math.floor(dayMs / (steps + 1));
  const onPlanGate = Math.max(o.days - 2, 1);
  for (let day = 0; day < o.days; day++) {
    if (day === onPlanGate) {
      await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `${o.key}-approve` });
      decisions += 1;
    }
    for (let s = 0; s < steps; s++) {
      const n = ++decisions;
      const updateId = `${o.key}-d${day}-s${s}`;
      if (day < onPlanGate && s < o.editsPerDay) {
        await handle.executeUpdate(editPlanUpdate, { args: [{ ...actor, plan: reviewedPlan(o.key, n), note: `day ${day + 1}: review comments` }], updateId });
      } else {
        const pausing = (s - (day < onPlanGate ? o.editsPerDay : 0)) % 2 === 0;
        await handle.executeUpdate(pausing ? pauseUpdate : resumeUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId });
      }
      await o.sleep(gap);
    }
    await o.sleep(dayMs - gap * steps);
  }
  const state = await handle.query(workItemStateQuery);
  const described = await handle.describe();
  const firstRunId = described.raw.workflowExecutionInfo?.firstRunId ?? started.firstExecutionRunId;
  const runs: RunRecord[] = [];
  const eventsPerDay = Array.from({ length: o.days + 1 }, () => 0);
  let startMs: number | undefined;
  for (let runId: string | undefined = firstRunId; runId;) {
    const history: protos.api.history.v1.IHistory = await o.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: protos.api.history.v1.IHistoryEvent[] = history.events ?? [];
    const sizes = events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length);
    const next: string | undefined = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    const runPerDay = Array.from({ length: o.days }, () => 0);
    for (const e of events) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      startMs ??= at;
      const day = Math.floor((at - startMs) / dayMs);
      eventsPerDay[Math.min(o.days, day)]! += 1;
      runPerDay[Math.min(o.days - 1, day)]! += 1; // the final query's tail counts on the last day
    }
    runs.push({
      runId,
      events: events.length,
      bytes: temporal.api.history.v1.History.encode(history).finish().length,
      firstEventBytes: sizes[0] ?? 0,
      lastEventBytes: next ? sizes.at(-1)! : 0,
      largestEventBytes: Math.max(0, ...sizes.slice(1, next ? -1 : undefined)),
      continuedAsNew: Boolean(next),
      eventsPerDay: runPerDay,
    });
    runId = next || undefined;
  }
  // The day after the last is only the final query's tail; fold it into the last day.
  eventsPerDay[o.days - 1]! += eventsPerDay.pop()!;
  const snapshot = state as unknown as { seenUpdateCount?: number; planEdits: unknown[] };
  return {
    runs,
    eventsPerDay,
    decisions,
    finalStatus: state.status,
    seenUpdateIdsCarried: snapshot.seenUpdateCount ?? 0,
    planEditsCarried: snapshot.planEdits.length,
  };
}

/** What a run may carry in its first event beyond what this life carried: the capped lists at their caps. */
const carriedCaps = { seenUpdateIds: 5_000, idBytes: 128, planEdits: 50, planEditBytes: 512 } as const;

/**
 * The bound on any run of the chain, from what the chain showed: a run continues as new once its history
 * passes the budget, plus at most the events of the activation that crossed it (the largest overshoot seen,
 * given headroom); its size is at most its first and its continue-as-new event (each the carried state: the
 * largest seen, plus its capped lists filled to their caps — 5,000 update ids, 50 plan edits) and every event
 * between them at the largest size seen there.
 */
export function historyBound(
  runs: readonly RunRecord[],
  budget: number,
  overshootAllowance: number,
): { events: number; bytes: number; firstEventBytes: number; largestEventBytes: number } {
  const carried = Math.max(...runs.map((r) => Math.max(r.firstEventBytes, r.lastEventBytes)));
  const firstEventBytes = carried + carriedCaps.seenUpdateIds * carriedCaps.idBytes + carriedCaps.planEdits * carriedCaps.planEditBytes;
  const largest = Math.max(...runs.map((r) => r.largestEventBytes));
  const events = budget + overshootAllowance;
  return { events, bytes: 2 * firstEventBytes + (events - 2) * largest, firstEventBytes, largestEventBytes: largest };
}

/** The longest run's history by the end of a given day (1-based): what a replay of the work item reads at most. */
export function longestRunBy(runs: readonly RunRecord[], day: number): number {
  return Math.max(0, ...runs.map((r) => r.eventsPerDay.slice(0, day).reduce((a, b) => a + b, 0)));
}

export const temporalLimits = { events: 51_200, bytes: 50 * 1024 * 1024 } as const;
