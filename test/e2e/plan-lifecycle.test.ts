// The full life of a three-phase plan on the real stack: Temporal dev server, the store, the offline
// agent changing a real Go repository in worktrees, local CI running `go test`, ordered merges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { git } from '../../src/integrations/git.js';
import { createLocalCodeHost } from '../../src/integrations/local.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { mergedChanges } from '../../src/db/schema/knowledge.js';
import { decisionsFor } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { conditionPhase } from '../support/plans.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { recordHistory } from '../support/histories.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => rt?.stop());

describe('a three-phase plan', () => {
  it('runs from approval to resolution: a rejected then re-approved gate, parallel phases, merges in the declared order', async () => {
    const key = `${rt.keyPrefix}-1`;
    const plan: Plan = {
      workItemKey: key,
      intention: 'NodePool should report capacity errors per platform',
      summary: '',
      phases: [
        conditionPhase('api', 'CapacityError', 'InsufficientCapacity', 'api_changes', [], 1),
        conditionPhase('bridge', 'QuotaExceeded', 'QuotaLimitReached', 'implementation', ['api'], 2),
        conditionPhase('signals', 'ImageUnavailable', 'ImageNotFound', 'tests', ['api'], 3),
      ],
    };
    const handle = await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [{ key, ownerId: 'maria', title: 'Capacity errors per platform', intention: plan.intention, plan }],
    });
    const state = () => handle.query(workItemStateQuery);
    const decide = (kind: 'approve-plan' | 'approve-phase' | 'reject-phase', extra: { phaseId?: string; reason?: string } = {}) =>
      rt.orchestrator.decide({
        workItemKey: key,
        kind,
        actor: 'maria',
        surface: 'slack-button',
        idempotencyKey: `${key}:${kind}:${extra.phaseId ?? 'plan'}:${extra.reason ? 'r' : 'a'}`,
        ...extra,
      });

    await eventually(state, (s) => s.status === 'awaiting-plan-approval', 'plan gate');
    expect(await decide('approve-plan')).toMatchObject({ outcome: 'applied' });
    await eventually(state, (s) => s.phases[0]!.status === 'awaiting-approval', 'api gate');
    expect(await decide('reject-phase', { phaseId: 'api', reason: 'keep the reason CamelCase and add the test' })).toMatchObject({ outcome: 'applied' });
    expect((await state()).phases[0]!.status).toBe('rejected');
    expect(await decide('approve-phase', { phaseId: 'api' })).toMatchObject({ outcome: 'applied' });

    // bridge and signals wait for api to merge, then run side by side; both touch the same file, so the
    // second to merge conflicts and is re-applied on the new main before it lands.
    const final = await eventually(state, (s) => s.status === 'resolved' || s.phases.some((p) => p.status === 'failed'), 'resolution', 400_000);
    expect(final.phases.map((p) => [p.id, p.status])).toEqual([
      ['api', 'merged'],
      ['bridge', 'merged'],
      ['signals', 'merged'],
    ]);
    expect(final.status).toBe('resolved');

    const repo = rt.core.targetRepo;
    const merges = (await git(repo, ['log', '--merges', '--format=%s', 'main'])).trim().split('\n').reverse();
    expect(merges.map((m) => /phase (\w+)/.exec(m)?.[1])).toEqual(['api', 'bridge', 'signals']);
    const conditions = await git(repo, ['show', 'main:api/hypershift/v1beta1/nodepool_conditions.go']);
    for (const type of ['CapacityError', 'QuotaExceeded', 'ImageUnavailable']) expect(conditions).toContain(type);

    // The PR carries its evidence, the domain model's view of the change and the confidence levels.
    const host = createLocalCodeHost(repo);
    const apiPr = await host.findPullRequest(final.phases[0]!.branch!);
    const body = host.pull(apiPr!.number)!.body;
    expect(body).toContain('make verify');
    expect(body).toMatch(/L1 structural/i);
    expect(body).toContain('api/hypershift/v1beta1/nodepool_conditions.go');

    const audit = (await decisionsFor(rt.core.store.db, key)).map((d) => `${d.kind}:${d.phaseId ?? ''}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        'approve-plan:',
        'reject-phase:api',
        'approve-phase:api',
        'merge-conflict:signals',
        'merge:api',
        'merge:bridge',
        'merge:signals',
      ]),
    );
    const readyNotes = (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'pr-ready'))).map(
      (n) => (n.payload as { phaseId: string }).phaseId,
    );
    expect(readyNotes.sort()).toEqual(['api', 'bridge', 'signals', 'signals']);
    // Each merge is recorded with its confidence grades, ready for calibration against later outcomes.
    const merged = await rt.core.store.db.select().from(mergedChanges).where(eq(mergedChanges.workItemKey, key));
    expect(merged.map((m) => m.phaseId).sort()).toEqual(['api', 'bridge', 'signals']);
    expect(merged[0]!.grades).toMatchObject({ L1: expect.any(String), L2: expect.any(String) });
    await recordHistory(rt.env.client, workItemWorkflowId(key), 'work-item-three-phases');
    await recordHistory(rt.env.client, `${workItemWorkflowId(key)}:phase:api:1`, 'phase-autonomous');
  }, 600_000);
});
