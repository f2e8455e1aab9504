// Workers scale out: two `sitroom worker` processes (the composition root a replica runs, on real PostgreSQL
// and one shared target checkout, as replicas on one volume would) poll one task queue while several work
// items go through their plan and phase decisions, each decision sent twice. Every side effect happens once:
// one PR per phase branch, one "PR ready" notification per work item, one audit row per decision. The items
// run one after another: the local git mode's state file (.git/sitroom/state.json) is rewritten without a
// lock, so items in flight at once on two processes could lose each other's writes; a deployment uses GitHub.
// Needs real PostgreSQL (DATABASE_URL, or a server the file starts itself): PGlite cannot be opened by more than one process.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { phaseBranch } from '../../src/activities/agent-port.js';
import { approvePhaseUpdate, approvePlanUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { phaseWorkflowId, workItemWorkflowId } from '../../workflows/ids.js';
import { eventually } from '../support/runtime.js';
import { uniqueSuffix } from '../support/temporal.js';
import { conditionPhase, dropDatabase, faultKey, freshDatabase, onePhasePlan, spawnWorker, type ProductProcess } from '../faults/support.js';
import { needsPostgres } from '../support/postgres.js';

// First, so that its afterAll (stopping a server it started) runs after the one below has dropped the database.
const postgres = needsPostgres();
const replicas: ProductProcess[] = [];
let store: OpenStore | undefined;
let databaseUrl: string | undefined;
let connection: Connection | undefined;
afterAll(async () => {
  for (const w of replicas) await w.kill('SIGTERM');
  await store?.close();
  await connection?.close();
  if (databaseUrl) await dropDatabase(postgres.adminUrl(), databaseUrl);
});

describe('two worker replicas on one task queue (on real PostgreSQL, which the replicas share)', () => {
  it('three work items through both gates: both replicas poll the queue and each side effect happens exactly once', async () => {
    databaseUrl = await freshDatabase(postgres.adminUrl(), 'replicas');
    store = await openStore({ url: databaseUrl });
    const dataDir = mkdtempSync(join(tmpdir(), 'sitroom-replicas-'));
    const taskQueue = `replicas-${uniqueSuffix()}`;
    const workerEnv = { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, FAULT_DATA_DIR: dataDir };
    // The first replica copies the target repository into the shared folder; the second finds it there.
    replicas.push(spawnWorker(workerEnv));
    await replicas[0]!.ready;
    replicas.push(spawnWorker(workerEnv));
    await replicas[1]!.ready;
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });

    // Each work item adds its own condition: they merge one after another into the same main branch.
    const conditions = [
      ['CapacityError', 'InsufficientCapacity'],
      ['QuotaExceeded', 'InstanceQuotaReached'],
      ['ZoneUnavailable', 'NoCapacityInZone'],
    ] as const;
    const keys = conditions.map(() => faultKey('SCALE'));
    for (const [i, key] of keys.entries()) {
      const [type, reason] = conditions[i]!;
      const handle = await client.workflow.start('workItemWorkflow', {
        taskQueue,
        workflowId: workItemWorkflowId(key),
        args: [
          { key, ownerId: 'maria', title: `${type} per platform`, intention: `report ${type}`, plan: onePhasePlan(key, conditionPhase('api', type, reason)) },
        ],
      });
      const state = () => handle.query(workItemStateQuery);
      await eventually(state, (s) => s.status === 'awaiting-plan-approval', `${key} plan gate`, 120_000);
      // Each decision arrives twice, as a double tap or a retried request would: the update id keeps it one.
      for (let i = 0; i < 2; i++)
        await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `${key}:approve-plan` });
      await eventually(state, (s) => s.phases[0]?.status === 'awaiting-approval', `${key} phase gate`, 180_000);
      for (let i = 0; i < 2; i++)
        await handle.executeUpdate(approvePhaseUpdate, {
          args: [{ actor: 'maria', surface: 'slack-button', phaseId: 'api' }],
          updateId: `${key}:approve-phase:api`,
        });
      const final = await eventually(state, (s) => s.status === 'resolved' || s.phases.some((p) => p.status === 'failed'), `${key} resolution`, 300_000);
      expect(final.phases.map((p) => [p.id, p.status])).toEqual([['api', 'merged']]);
    }

    // Both replicas poll the queue for workflow and activity tasks (Temporal lists each poller by its identity,
    // pid@host), and every task that ran was started by one of them.
    const pids = replicas.map((r) => String(r.child.pid)).sort();
    for (const taskQueueType of [1, 2] as const) {
      const described = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType });
      const pollers = new Set((described.pollers ?? []).map((p) => String(p.identity).split('@')[0]));
      expect([...pollers].sort(), `pollers of task type ${taskQueueType}`).toEqual(pids);
    }
    const identities = new Set<string>();
    for (const key of keys) {
      for (const id of [workItemWorkflowId(key), phaseWorkflowId(key, 'api', 1)]) {
        const history = await client.workflow.getHandle(id).fetchHistory();
        for (const e of history.events ?? []) {
          const identity = e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskStartedEventAttributes?.identity;
          if (identity) identities.add(identity.split('@')[0]!);
        }
      }
    }
    expect(identities.size).toBeGreaterThan(0);
    for (const pid of identities) expect(pids).toContain(pid);

    const localState = JSON.parse(readFileSync(join(dataDir, 'target-repo', '.git', 'sitroom', 'state.json'), 'utf8')) as { pulls: Array<{ branch: string }> };
    const prReady = await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'pr-ready'));
    for (const key of keys) {
      expect(
        localState.pulls.filter((p) => p.branch === phaseBranch(key, 'api', 1)),
        `${key}: one PR`,
      ).toHaveLength(1);
      expect(
        prReady.filter((n) => (n.payload as { workItemKey?: string }).workItemKey === key),
        `${key}: one PR-ready message`,
      ).toHaveLength(1);
      const audit = (await decisionsFor(store.db, key)).map((d) => `${d.kind}:${d.phaseId ?? ''}`);
      expect(
        audit.filter((a) => a === 'approve-plan:'),
        `${key}: one plan approval`,
      ).toHaveLength(1);
      expect(
        audit.filter((a) => a === 'approve-phase:api'),
        `${key}: one phase approval`,
      ).toHaveLength(1);
    }
  }, 600_000);
});
