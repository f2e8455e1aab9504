// The work item workflow's gates on the real Temporal dev server: who may decide, in what order, and
// that a decision applies once however often it is sent.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsFor } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import {
  approvePhaseUpdate,
  approvePlanUpdate,
  editPlanUpdate,
  pauseUpdate,
  rejectPhaseUpdate,
  resumeUpdate,
  workItemStateQuery,
} from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';
import { recordHistory } from '../support/histories.js';
import { waitUntil } from '../support/wait.js';
import { startWorkItem } from '../support/work-item.js';

let orchestra: Orchestra;
beforeAll(async () => {
  orchestra = await startOrchestra();
});
afterAll(async () => orchestra?.stop());

function threePhasePlan(key: string): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: '',
    phases: [
      {
        id: 'api',
        title: 'API surface: condition type and reasons',
        activity: 'api_changes',
        files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
        constraints: [],
        validation: [{ command: 'make api', why: 'regenerate' }],
        dependsOn: [],
        mergeOrder: 1,
      },
      {
        id: 'bridge',
        title: 'Platform bridge: map provider failures',
        activity: 'core_logic',
        files: ['hypershift-operator/controllers/nodepool/aws.go'],
        constraints: [],
        validation: [],
        dependsOn: ['api'],
        mergeOrder: 2,
      },
      {
        id: 'docs',
        title: 'Docs and observability',
        activity: 'tests',
        files: ['docs/content/how-to/nodepool-conditions.md'],
        constraints: [],
        validation: [],
        dependsOn: ['api'],
        mergeOrder: 3,
      },
    ],
  };
}

const startItem = (key: string) =>
  startWorkItem(orchestra, {
    key,
    ownerId: 'maria',
    title: 'Capacity errors per platform',
    intention: 'NodePool should report capacity errors per platform',
    plan: threePhasePlan(key),
  });

async function updateNamesInHistory(workflowId: string): Promise<string[]> {
  const history = await orchestra.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name!);
}

describe('workItemWorkflow gates', () => {
  it('records the work item, waits for plan approval and writes the decision to the audit log', async () => {
    const key = `${orchestra.keyPrefix}-1`;
    const handle = await startItem(key);
    const outcome = await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `tap-${key}-plan` });
    expect(outcome).toMatchObject({ outcome: 'applied', decidedBy: 'maria', summary: 'approved plan v1' });
    // The update returns once the decision is committed; the workflow then opens the first gate.
    await waitUntil(async () => (await handle.query(workItemStateQuery)).phases[0]?.status === 'awaiting-approval');
    const state = await handle.query(workItemStateQuery);
    expect(state.status).toBe('executing');
    // api is approval-required for maria (team default for api_changes); bridge and docs wait for it to merge.
    expect(state.phases.map((p) => [p.id, p.mode, p.status])).toEqual([
      ['api', 'approval-required', 'awaiting-approval'],
      ['bridge', 'collaborative', 'blocked'],
      ['docs', 'autonomous', 'blocked'],
    ]);
    const audit = await decisionsFor(orchestra.store.db, key);
    expect(audit.map((d) => [d.kind, d.actor, d.surface, d.idempotencyKey])).toEqual([['approve-plan', 'maria', 'slack-button', `tap-${key}-plan`]]);
  });

  it('rejects a decision by someone who may not decide, and the rejection never enters history', async () => {
    const key = `${orchestra.keyPrefix}-2`;
    const handle = await startItem(key);
    const refused = handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'sam', surface: 'slack-button' }], updateId: `tap-${key}-sam` });
    await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringMatching(/sam may not decide/) } });
    expect(await updateNamesInHistory(workItemWorkflowId(key))).toEqual([]);
    expect((await handle.query(workItemStateQuery)).status).toBe('awaiting-plan-approval');
    // The team approver may decide for the owner.
    await expect(handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'priya', surface: 'slack-button' }] })).resolves.toMatchObject({
      outcome: 'applied',
    });
    expect(await updateNamesInHistory(workItemWorkflowId(key))).toEqual(['approvePlan']);
  });

  it('applies the same update id once, even when it is sent again', async () => {
    const key = `${orchestra.keyPrefix}-3`;
    const handle = await startItem(key);
    const tap = { args: [{ actor: 'maria', surface: 'slack-button' }] as [{ actor: string; surface: 'slack-button' }], updateId: `tap-${key}-double` };
    const [first, second] = await Promise.all([handle.executeUpdate(approvePlanUpdate, tap), handle.executeUpdate(approvePlanUpdate, tap)]);
    expect(first).toEqual(second);
    const third = await handle.executeUpdate(approvePlanUpdate, tap);
    expect(third.outcome).toBe('applied');
    expect(await decisionsFor(orchestra.store.db, key)).toHaveLength(1);
  });

  it('refuses unknown phases, out-of-order approvals and rejections without a reason', async () => {
    const key = `${orchestra.keyPrefix}-4`;
    const handle = await startItem(key);
    const approvePhase = (phaseId: string) => handle.executeUpdate(approvePhaseUpdate, { args: [{ actor: 'maria', surface: 'slack-button', phaseId }] });
    await expect(approvePhase('api')).rejects.toMatchObject({ cause: { message: 'the plan has not been approved yet' } });
    await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }] });
    await expect(approvePhase('deploy')).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/unknown phase "deploy"; phases are api, bridge, docs/) },
    });
    await expect(approvePhase('bridge')).rejects.toMatchObject({ cause: { message: 'phase "bridge" is not open yet: it waits for api to merge' } });
    await expect(
      handle.executeUpdate(rejectPhaseUpdate, { args: [{ actor: 'maria', surface: 'slack-button', phaseId: 'api', reason: '' }] }),
    ).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/needs a reason/) },
    });
    expect(await updateNamesInHistory(workItemWorkflowId(key))).toEqual(['approvePlan']);
  });

  it('versions plan edits before approval and refuses approving an outdated version', async () => {
    const key = `${orchestra.keyPrefix}-5`;
    const handle = await startItem(key);
    const plan = threePhasePlan(key);
    plan.phases = plan.phases.filter((p) => p.id !== 'docs');
    await handle.executeUpdate(editPlanUpdate, { args: [{ actor: 'maria', surface: 'slack-modal', plan, note: 'docs go with the bridge' }] });
    const state = await handle.query(workItemStateQuery);
    expect(state.planVersion).toBe(2);
    expect(state.planEdits).toEqual([expect.objectContaining({ version: 2, by: 'maria', note: 'docs go with the bridge' })]);
    expect(state.phases.map((p) => p.id)).toEqual(['api', 'bridge']);
    await expect(handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button', planVersion: 1 }] })).rejects.toMatchObject({
      cause: { message: 'plan v1 is outdated; the current plan is v2' },
    });
    await expect(handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button', planVersion: 2 }] })).resolves.toMatchObject({
      outcome: 'applied',
    });
    await recordHistory(orchestra.env.client, workItemWorkflowId(key), 'work-item-gates');
  });
});

describe('workItemWorkflow pause before plan approval', () => {
  it('keeps the plan gate: a resume opens no phase, and the plan still needs its approval', async () => {
    const key = `${orchestra.keyPrefix}-7`;
    const handle = await startItem(key);
    const decide = (update: typeof pauseUpdate, n: number) =>
      handle.executeUpdate(update, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `${key}-toggle-${n}` });
    await decide(pauseUpdate, 1);
    await expect(handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/not awaiting approval \(status: paused\)/) },
    });
    await decide(resumeUpdate, 2);
    // Give a wrongly released main line time to open phases before looking.
    await new Promise((r) => setTimeout(r, 1_000));
    const resumed = await handle.query(workItemStateQuery);
    expect(resumed.status).toBe('awaiting-plan-approval');
    expect(resumed.phases.map((p) => p.status)).toEqual(['blocked', 'blocked', 'blocked']);
    await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }] });
    await waitUntil(async () => (await handle.query(workItemStateQuery)).phases[0]!.status === 'awaiting-approval');
    expect((await decisionsFor(orchestra.store.db, key)).map((d) => d.kind)).toEqual(['pause', 'resume', 'approve-plan']);
  });
});

describe('workItemWorkflow when the fast path cannot store a decision', () => {
  let failing: Orchestra;
  beforeAll(async () => {
    failing = await startOrchestra({}, { env: orchestra.env, decisionSink: 'failing' });
  });
  afterAll(async () => failing?.stop());

  it('stores it through its durable confirmation: one audit row, one notification', async () => {
    const key = `${failing.keyPrefix}-8`;
    const handle = await startWorkItem(failing, { key, ownerId: 'maria', title: 'Capacity errors', intention: 'capacity errors', plan: threePhasePlan(key) });
    const outcome = await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `tap-${key}-plan` });
    expect(outcome.outcome).toBe('applied');
    // This worker's sink never stores anything: the row below can only come from the workflow's confirmation.
    await waitUntil(async () => (await decisionsFor(failing.store.db, key)).length > 0, 15_000);
    const audit = await decisionsFor(failing.store.db, key);
    expect(audit.map((d) => [d.idempotencyKey, d.kind, d.actor, d.surface, d.decidedAt.toISOString()])).toEqual([
      [`tap-${key}-plan`, 'approve-plan', 'maria', 'slack-button', outcome.decidedAt],
    ]);
    const told = await failing.store.db
      .select()
      .from(notificationOutbox)
      .where(eq(notificationOutbox.dedupeKey, `decided:tap-${key}-plan`));
    expect(told).toHaveLength(1);
  });
});

describe('workItemWorkflow across continue-as-new', () => {
  it('keeps the seen update ids, so a replayed tap does not apply twice in the new run', async () => {
    const key = `${orchestra.keyPrefix}-6`;
    const workflowId = workItemWorkflowId(key);
    const handle = await startWorkItem(orchestra, {
      key,
      ownerId: 'maria',
      title: 'Capacity errors',
      intention: 'capacity errors',
      plan: threePhasePlan(key),
      historyEventBudget: 60,
    });
    const plan = threePhasePlan(key);
    const edit = (note: string, updateId: string) =>
      handle.executeUpdate(editPlanUpdate, { args: [{ actor: 'maria', surface: 'slack-modal', plan, note }], updateId });
    await edit('first edit', `edit-${key}-1`);
    const firstRun = (await handle.describe()).runId;
    // Each edit adds history; the workflow continues as new once it passes the budget.
    for (let i = 2; i <= 6 && (await orchestra.env.client.workflow.getHandle(workflowId).describe()).runId === firstRun; i++) {
      await edit(`edit ${i}`, `edit-${key}-${i}`);
    }
    await waitUntil(async () => (await orchestra.env.client.workflow.getHandle(workflowId).describe()).runId !== firstRun);
    const latest = orchestra.env.client.workflow.getHandle(workflowId);
    const before = await latest.query(workItemStateQuery);
    const replayed = await latest.executeUpdate(editPlanUpdate, {
      args: [{ actor: 'maria', surface: 'slack-modal', plan, note: 'first edit' }],
      updateId: `edit-${key}-1`,
    });
    expect(replayed.outcome).toBe('duplicate');
    const after = await latest.query(workItemStateQuery);
    expect(after.planVersion).toBe(before.planVersion);
    expect(after.seenUpdateCount).toBe(before.seenUpdateCount);
    expect((await decisionsFor(orchestra.store.db, key)).filter((d) => d.kind === 'edit-plan')).toHaveLength(before.planVersion - 1);
    await recordHistory(orchestra.env.client, workflowId, 'work-item-continued');
  });
});
