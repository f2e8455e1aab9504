// Mode switches hand over an account of the work; overlapping work items are pointed out to both owners.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => rt?.stop());

const conditionFiles = (snake: string) => ['api/hypershift/v1beta1/nodepool_conditions.go', `api/hypershift/v1beta1/nodepool_condition_${snake}_test.go`];

async function start(key: string, ownerId: string, plan: Plan) {
  const handle = await rt.env.client.workflow.start('workItemWorkflow', {
    taskQueue: rt.taskQueue,
    workflowId: workItemWorkflowId(key),
    args: [{ key, ownerId, title: plan.intention, intention: plan.intention, plan }],
  });
  await eventually(
    () => handle.query(workItemStateQuery),
    (s) => s.status === 'awaiting-plan-approval',
    `${key} plan gate`,
  );
  return handle;
}

describe('a mode switch', () => {
  it('from pairing to full auto hands over what was done and why, then the agent finishes the phase', async () => {
    const key = `${rt.keyPrefix}-1`;
    const handle = await start(key, 'maria', {
      workItemKey: key,
      intention: 'surface machine capacity problems',
      summary: '',
      phases: [
        {
          id: 'core',
          title: 'Add NodePool condition type MachineCapacity and reason CapacityExhausted',
          activity: 'core_logic',
          files: conditionFiles('machine_capacity'),
          constraints: [],
          validation: [],
          dependsOn: [],
          mergeOrder: 1,
        },
      ],
    });
    const decide = (kind: 'approve-plan' | 'approve-phase' | 'set-mode', extra: Record<string, string> = {}) =>
      rt.orchestrator.decide({ workItemKey: key, kind, actor: 'maria', surface: 'slack-button', idempotencyKey: `${key}:${kind}`, ...extra });
    await decide('approve-plan');
    await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.phases[0]!.status === 'awaiting-approval',
      'core gate',
    );
    expect((await handle.query(workItemStateQuery)).phases[0]!.mode).toBe('collaborative');
    await decide('approve-phase', { phaseId: 'core' });
    await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.phases[0]!.status === 'pairing',
      'pairing',
    );

    expect(await decide('set-mode', { phaseId: 'core', mode: 'autonomous' })).toMatchObject({
      outcome: 'applied',
      summary: 'switched phase core from collaborative to autonomous',
    });
    const final = await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.status === 'resolved' || s.phases[0]!.status === 'failed',
      'resolution',
      120_000,
    );
    expect(final.phases[0]).toMatchObject({ status: 'merged', mode: 'autonomous' });
    expect(final.phases[0]!.handoffs).toEqual([
      expect.objectContaining({ from: 'collaborative', to: 'autonomous', why: 'the developer handed the phase back to the agent' }),
    ]);

    const handoffs = await rt.core.store.db
      .select()
      .from(notificationOutbox)
      .where(and(eq(notificationOutbox.developerId, 'maria'), eq(notificationOutbox.kind, 'handoff')));
    expect(handoffs.map((h) => h.payload)).toEqual([
      expect.objectContaining({
        workItemKey: key,
        phaseId: 'core',
        from: 'collaborative',
        to: 'autonomous',
        next: ['the agent does the phase from its plan and opens the PR'],
      }),
    ]);
    expect((await decisionsFor(rt.core.store.db, key)).map((d) => d.kind)).toEqual(expect.arrayContaining(['set-mode', 'mode-handoff']));
  }, 180_000);
});

describe('overlapping work', () => {
  it('tells both owners once when two active work items touch the same files', async () => {
    const a = `${rt.keyPrefix}-2`;
    const b = `${rt.keyPrefix}-3`;
    const c = `${rt.keyPrefix}-4`;
    const phase = (id: string, files: string[]) => ({
      id,
      title: 'Condition work',
      activity: 'api_changes' as const,
      files,
      constraints: [],
      validation: [],
      dependsOn: [],
      mergeOrder: 1,
    });
    await start(a, 'maria', { workItemKey: a, intention: 'capacity condition', summary: '', phases: [phase('api', conditionFiles('capacity_error'))] });
    await start(b, 'sam', { workItemKey: b, intention: 'quota condition', summary: '', phases: [phase('api', conditionFiles('quota_exceeded'))] });
    await start(c, 'priya', { workItemKey: c, intention: 'docs only', summary: '', phases: [phase('docs', ['docs/content/reference/nodepool.md'])] });

    const overlaps = async () =>
      (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'overlap'))).filter((n) =>
        JSON.stringify(n.payload).includes(rt.keyPrefix),
      );
    const notes = await eventually(overlaps, (rows) => rows.length >= 2, 'overlap notes');
    expect(
      notes
        .map((n) => [n.developerId, (n.payload as { workItemKey: string }).workItemKey, (n.payload as { otherWorkItemKey: string }).otherWorkItemKey])
        .sort(),
    ).toEqual([
      ['maria', a, b],
      ['sam', b, a],
    ]);
    expect((notes[0]!.payload as { shared: string[] }).shared).toEqual(expect.arrayContaining(['api/hypershift/v1beta1/nodepool_conditions.go']));
    expect(notes.some((n) => n.developerId === 'priya')).toBe(false);
  });
});

describe('an edited plan', () => {
  it('is checked for overlap once its edits are confirmed: three quick edits onto another item’s files tell both owners once', async () => {
    const mine = `${rt.keyPrefix}-5`;
    const theirs = `${rt.keyPrefix}-6`;
    const plan = (key: string, files: string[]): Plan => ({
      workItemKey: key,
      intention: 'capacity work',
      summary: '',
      phases: [{ id: 'api', title: 'Condition work', activity: 'api_changes', files, constraints: [], validation: [], dependsOn: [], mergeOrder: 1 }],
    });
    const docsOnly = ['docs/content/reference/nodepool-rollouts.md'];
    // Files no other work item in this file touches, so the only overlap is the one the edit makes.
    const shared = ['hypershift-operator/controllers/nodepool/aws.go', 'hypershift-operator/controllers/nodepool/aws_test.go'];
    await start(theirs, 'sam', plan(theirs, shared));
    await start(mine, 'maria', plan(mine, docsOnly));
    const overlapsOf = async (key: string) =>
      (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'overlap'))).filter(
        (n) => (n.payload as { workItemKey?: string }).workItemKey === key || (n.payload as { otherWorkItemKey?: string }).otherWorkItemKey === key,
      );
    expect(await overlapsOf(mine)).toEqual([]);

    // Three edits in a row, as a person saving the modal again: the last one takes sam's files.
    const edits = [docsOnly, [...docsOnly, 'api/hypershift/v1beta1/nodepool_types.go'], [...docsOnly, ...shared]];
    for (const [i, files] of edits.entries()) {
      const result = await rt.orchestrator.decide({
        workItemKey: mine,
        kind: 'edit-plan',
        plan: plan(mine, files),
        reason: `edit ${i + 1}`,
        actor: 'maria',
        surface: 'slack-modal',
        idempotencyKey: `${mine}:edit:${i + 1}`,
      });
      expect(result.outcome).toBe('applied');
    }
    const notes = await eventually(
      () => overlapsOf(mine),
      (rows) => rows.length >= 2,
      'overlap notes after the edits',
      30_000,
    );
    expect(notes.map((n) => n.developerId).sort()).toEqual(['maria', 'sam']);
    expect((notes.find((n) => n.developerId === 'maria')!.payload as { shared: string[] }).shared).toEqual(expect.arrayContaining(shared));

    // One confirmation and one check for the three edits: the history ran each activity once after them.
    const history = await rt.env.client.workflow.getHandle(workItemWorkflowId(mine)).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name): name is string => name === 'detectOverlaps' || name === 'confirmDecisions');
    expect(scheduled).toEqual(['detectOverlaps', 'confirmDecisions', 'detectOverlaps']);
  }, 120_000);
});
