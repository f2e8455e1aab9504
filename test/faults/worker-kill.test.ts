// A worker killed (SIGKILL, no shutdown) while phase 1's agent step runs: after the heartbeat timeout
// Temporal retries the step on a new worker process, which reuses the worktree and branch. The phase
// finishes once — one PR for the branch, one "PR ready" notification, one audit row per decision.
// Needs real PostgreSQL (DATABASE_URL, or a server the file starts itself): the two worker processes and the
// test share the store, and PGlite cannot be opened by more than one process.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Connection, Client } from '@temporalio/client';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { phaseBranch } from '../../src/activities/agent-port.js';
import { phaseWorkflowId } from '../../workflows/ids.js';
import { needsPostgres } from '../support/postgres.js';
import { eventually } from '../support/runtime.js';
import { uniqueSuffix } from '../support/temporal.js';
import { dropDatabase, faultKey, freshDatabase, spawnWorker, startApprovedPhase, type ProductProcess } from './support.js';

// First, so that its afterAll (stopping a server it started) runs after the one below has dropped the database.
const postgres = needsPostgres();
const workers: ProductProcess[] = [];
let store: OpenStore | undefined;
let databaseUrl: string | undefined;
let connection: Connection | undefined;
afterAll(async () => {
  for (const w of workers) if (process.env.FAULT_DEBUG) process.stderr.write(`--- worker ${w.child.pid} output:\n${w.output()}\n`);
  for (const w of workers) await w.kill('SIGTERM');
  await store?.close();
  await connection?.close();
  if (databaseUrl) await dropDatabase(postgres.adminUrl(), databaseUrl);
});

describe('the worker dies during phase 1 (on real PostgreSQL, which the worker processes share: DATABASE_URL or a server of its own)', () => {
  it('the step is retried on a new worker process and the phase finishes once: one PR, one PR-ready message, one audit row per decision', async () => {
    databaseUrl = await freshDatabase(postgres.adminUrl(), 'kill');
    store = await openStore({ url: databaseUrl });
    const dataDir = mkdtempSync(join(tmpdir(), 'sitroom-fault-kill-'));
    const taskQueue = `fault-kill-${uniqueSuffix()}`;
    const workerEnv = { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue, FAULT_DATA_DIR: dataDir };
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });

    const first = spawnWorker(workerEnv);
    workers.push(first);
    await first.ready;

    const key = faultKey('KILL');
    const { state } = await startApprovedPhase(client, taskQueue, key);

    // Kill as soon as the agent step has heartbeated from inside its worktree.
    const phase = client.workflow.getHandle(phaseWorkflowId(key, 'api', 1));
    const pendingStep = async () =>
      (await phase.describe().catch(() => undefined))?.raw.pendingActivities?.find((a) => a.activityType?.name === 'executePhase');
    await eventually(pendingStep, (a) => Boolean(a?.lastHeartbeatTime), 'executePhase heartbeating', 90_000);
    await first.kill('SIGKILL');
    const worktree = join(dataDir, 'worktrees', `${key}-api-1`);
    expect(existsSync(worktree)).toBe(true);
    // The step did not finish on the dead worker: it is still pending, on its first attempt.
    expect(await pendingStep()).toMatchObject({ attempt: 1 });

    const second = spawnWorker(workerEnv);
    workers.push(second);
    await second.ready;
    const final = await eventually(
      state,
      (s) => s.status === 'resolved' || s.phases.some((p) => p.status === 'failed'),
      'resolution after the restart',
      240_000,
    );
    expect(final.phases.map((p) => [p.id, p.status])).toEqual([['api', 'merged']]);

    // Temporal retried the same step (attempt 2+) rather than the workflow starting a second phase attempt.
    const history = await phase.fetchHistory();
    const stepAttempts = history.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
    expect(Math.max(...stepAttempts)).toBeGreaterThanOrEqual(2);
    expect(final.phases[0]!.attempts).toBe(1);

    const branch = phaseBranch(key, 'api', 1);
    const localState = JSON.parse(readFileSync(join(dataDir, 'target-repo', '.git', 'sitroom', 'state.json'), 'utf8')) as { pulls: Array<{ branch: string }> };
    expect(localState.pulls.filter((p) => p.branch === branch)).toHaveLength(1);

    const prReady = await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'pr-ready'));
    expect(prReady.filter((n) => (n.payload as { workItemKey?: string }).workItemKey === key)).toHaveLength(1);

    const audit = (await decisionsFor(store.db, key)).map((d) => `${d.kind}:${d.phaseId ?? ''}`);
    expect(audit.filter((a) => a === 'approve-plan:')).toHaveLength(1);
    expect(audit.filter((a) => a === 'approve-phase:api')).toHaveLength(1);
  }, 400_000);
});
