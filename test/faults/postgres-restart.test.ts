// PostgreSQL goes away and comes back while a plan is waiting on a person: a decision made during the
// outage is committed once the server is back (the local activity retries), and the outbox delivers each
// message once. Runs against a private PostgreSQL server started for this file (test/support/postgres.ts),
// never DATABASE_URL's: restarting that one would cut the connections of every other test file running in
// parallel. Skipped with a note where there are no PostgreSQL server binaries.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Worker } from '@temporalio/worker';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { createLogger } from '../../src/observability/logger.js';
import { createCore, createOrchestrator, type Core } from '../../src/main/compose.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { approvePlanUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { skipNote } from '../support/requirement-table.js';
import { privatePostgresMissing, startPrivatePostgres, type PrivatePostgres } from '../support/postgres.js';
import { skipOrFail } from '../support/requirements.js';
import { eventually, type TestRuntime } from '../support/runtime.js';
import { connectTestEnvironment, uniqueSuffix, workflowBundle } from '../support/temporal.js';
import { conditionPhase, faultKey, onePhasePlan, startSurfaces, type Surfaces } from './support.js';
import { environmentFrom } from '../../src/config/environment.js';

// This file restarts the server, so it always runs one of its own (even when DATABASE_URL names another).
const missing = privatePostgresMissing();

let pgServer: PrivatePostgres | undefined;
let store: OpenStore | undefined;
let core: Core | undefined;
let surfaces: Surfaces | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
afterAll(async () => {
  await surfaces?.stop();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await core?.close();
  await store?.close();
  pgServer?.remove();
});

describe('PostgreSQL restarts mid-run', () => {
  it('a decision taken while the database is down is recorded once it is back; every message is delivered once', async (ctx) => {
    if (missing) skipOrFail(ctx, skipNote('postgres', missing));
    pgServer = await startPrivatePostgres();
    store = await openStore({ url: pgServer.url });
    const env = await connectTestEnvironment();
    const { ANTHROPIC_API_KEY: _k, GITHUB_TOKEN: _g, TARGET_REPO: _t, DATABASE_URL: _d, ...rest } = process.env;
    core = await createCore({
      environment: environmentFrom(rest),
      dataDir: mkdtempSync(join(tmpdir(), 'sitroom-fault-pgdata-')),
      store,
      logger: createLogger('fault-pg', 'silent'),
    });
    const taskQueue = `fault-pg-${uniqueSuffix()}`;
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: core.activities,
      sinks: createDecisionSinks(core.activities, core.logger),
      shutdownGraceTime: '2 seconds',
    });
    running = worker.run();
    const rt = { core, env, taskQueue, orchestrator: createOrchestrator(core, env.client, taskQueue) } as TestRuntime;
    surfaces = await startSurfaces(rt);
    const { workspace } = surfaces;
    const dm = workspace.dmChannel('U0MARIA01');
    const messages = (needle: string) => workspace.messagesIn(dm).filter((m) => m.text.includes(needle));

    const key = faultKey('PG');
    const handle = await env.client.workflow.start('workItemWorkflow', {
      taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Capacity errors per platform',
          intention: 'report capacity errors',
          plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        },
      ],
    });
    await eventually(
      async () => messages(`Plan for ${key}`),
      (m) => m.length === 1,
      'plan gate delivered',
    );

    // The database goes down; maria approves the plan during the outage.
    pgServer.stop();
    const approval = handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `${key}:approve-plan` });
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await handle.query(workItemStateQuery)).status).toBe('executing');
    pgServer.start();
    expect(await approval).toMatchObject({ outcome: 'applied' });

    await eventually(
      async () => messages(`${key} · phase api`),
      (m) => m.length >= 1,
      'phase gate delivered after the restart',
      150_000,
    ); // the store's retry waits up to 30 s between attempts, and CI runs this beside 100 other files
    await new Promise((r) => setTimeout(r, 1_500));
    expect(messages(`Plan for ${key}`)).toHaveLength(1);
    expect(messages(`${key} · phase api`)).toHaveLength(1);

    // The worker could not store the decision while the database was down; the workflow's confirmation did once it was back.
    const audit = await eventually(
      async () => (await decisionsFor(store!.db, key)).map((d) => d.kind),
      (kinds) => kinds.length > 0,
      'the audit row after the restart',
      60_000,
    );
    expect(audit).toEqual(['approve-plan']);
    const gateRows = (await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'gate'))).filter((r) =>
      r.dedupeKey.startsWith(`gate:${key}`),
    );
    expect(gateRows.map((r) => r.status).sort()).toEqual(['delivered', 'delivered']);
    const recorded = (await store.db.select().from(notificationOutbox)).filter((r) => r.dedupeKey === `decided:${key}:approve-plan`);
    expect(recorded).toHaveLength(1);
  }, 360_000);
});
