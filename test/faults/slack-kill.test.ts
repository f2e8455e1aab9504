// Acknowledged means durable, on PostgreSQL with the product's two processes apart (`sitroom slack` and
// `sitroom worker`, as a deployment runs them): a person taps Approve on many plan gates at once through
// the local Slack workspace, and the Slack process is killed (SIGKILL, no shutdown) as soon as the taps are
// acknowledged; then the worker is killed, more taps are acknowledged while no worker runs, and the Slack
// process is killed again. After each restart every acknowledged approval is applied exactly once (one
// accepted update in the work item's history), and the inbox row of each says so; an approval whose work
// item was withdrawn meanwhile is refused, and the person is told why.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { slackIntents } from '../../src/db/schema/core.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { needsPostgres } from '../support/postgres.js';
import { eventually } from '../support/runtime.js';
import { uniqueSuffix } from '../support/temporal.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { dropDatabase, freshDatabase, startProduct, type ProductProcess } from './support.js';
import { approveAll, openPlanGates, printFigures, settleAndCount, startFaultWorkspace, type FaultWorkspace } from './taps.js';

// First, so that its afterAll (stopping a server it started) runs after the one below has dropped the database.
const postgres = needsPostgres();
const processes: ProductProcess[] = [];
let fault: FaultWorkspace | undefined;
let store: OpenStore | undefined;
let databaseUrl: string | undefined;
let connection: Connection | undefined;
afterAll(async () => {
  for (const p of processes) if (process.env.FAULT_DEBUG) process.stderr.write(`--- ${p.name} ${p.child.pid} output:\n${p.output()}\n`);
  for (const p of processes) await p.kill('SIGTERM');
  await fault?.workspace.stop();
  await store?.close();
  await connection?.close();
  if (databaseUrl) await dropDatabase(postgres.adminUrl(), databaseUrl);
});

describe('the Slack and worker processes are killed with taps in flight (on real PostgreSQL, which the processes share: DATABASE_URL or a server of its own)', () => {
  it('every acknowledged approval is applied exactly once after the restart', async () => {
    databaseUrl = await freshDatabase(postgres.adminUrl(), 'acks');
    store = await openStore({ url: databaseUrl });
    const dataDir = mkdtempSync(join(tmpdir(), 'sitroom-fault-acks-'));
    const targetRepo = join(dataDir, 'target-repo');
    await createExampleRepo(targetRepo);
    fault = await startFaultWorkspace();
    const { workspace } = fault;
    const slackPort = await freePort();
    const env = {
      ...fault.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `fault-acks-${uniqueSuffix()}`,
      TARGET_REPO: targetRepo,
      SITROOM_DASHBOARD_SECRET: 'fault-test-dashboard-secret-0123456789',
      PORT: String(await freePort()),
      SLACK_PORT: String(slackPort),
    };
    workspace.setAppUrl(`http://127.0.0.1:${slackPort}/slack/events`);
    const startSlack = () => {
      const p = startProduct('sitroom slack', 'src/cli.ts', ['slack'], env, 'slack app running');
      processes.push(p);
      return p;
    };
    const startWorker = () => {
      const p = startProduct('sitroom worker', 'src/cli.ts', ['worker'], env, 'worker running');
      processes.push(p);
      return p;
    };
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });

    let worker = startWorker();
    let slack = startSlack();
    await Promise.all([worker.ready, slack.ready]);

    // 1. The Slack process dies the moment the taps are acknowledged, with their follow-up work in memory.
    const first = await openPlanGates(client, workspace, env.TEMPORAL_TASK_QUEUE, 'ACKS', 8);
    const firstTaps = await approveAll(workspace, first);
    await slack.kill('SIGKILL');
    slack = startSlack();
    await slack.ready;
    const one = await settleAndCount(client, firstTaps, 90_000);
    printFigures('PostgreSQL, sitroom slack killed after the acks', one.figures);

    // 2. The worker dies; taps are acknowledged while nothing can apply them; then the Slack process dies too.
    // One of the work items is withdrawn while both are down: that approval cannot be applied any more.
    const second = await openPlanGates(client, workspace, env.TEMPORAL_TASK_QUEUE, 'ACKW', 6);
    const [withdrawn] = await openPlanGates(client, workspace, env.TEMPORAL_TASK_QUEUE, 'ACKX', 1);
    await worker.kill('SIGKILL');
    const [secondTaps, withdrawnTaps] = await Promise.all([approveAll(workspace, second), approveAll(workspace, [withdrawn!])]);
    await new Promise((r) => setTimeout(r, 1_500));
    await slack.kill('SIGKILL');
    await client.workflow.getHandle(workItemWorkflowId(withdrawn!.key)).terminate('withdrawn while the Slack app was down');
    worker = startWorker();
    slack = startSlack();
    await Promise.all([worker.ready, slack.ready]);
    const two = await settleAndCount(client, secondTaps, 120_000);
    printFigures('PostgreSQL, sitroom worker then sitroom slack killed', two.figures);

    // The withdrawn item's approval was acknowledged too: the person is told it was not applied, and why.
    expect(withdrawnTaps[0]!.answer.status).toBe(200);
    const told = await eventually(
      async () => workspace.ephemeralsFor('priya').find((e) => e.text.startsWith('Not applied') && e.text.includes(withdrawn!.key)),
      Boolean,
      'the refusal told to priya',
      90_000,
    );
    expect(told!.text).toBe(`Not applied: no active work item ${withdrawn!.key}`);
    const [refusedRow] = await store.db
      .select()
      .from(slackIntents)
      .where(sql`${slackIntents.payload}->'decision'->>'workItemKey' = ${withdrawn!.key}`);
    expect(refusedRow).toMatchObject({ status: 'refused', outcome: `no active work item ${withdrawn!.key}` });
    process.stdout.write(`fault figures — PostgreSQL, withdrawn while down: acknowledged 1, refused and told 1\n`);

    for (const { figures } of [one, two]) {
      expect(figures.acknowledged).toBe(figures.taps);
      expect({ lost: figures.lost, doubled: figures.doubled, applied: figures.applied }).toEqual({ lost: 0, doubled: 0, applied: figures.acknowledged });
    }
    // Each approval was the tap's own update (its idempotency key), and the inbox row records it as applied.
    for (const ids of [...one.approvals.values(), ...two.approvals.values()]) expect(ids[0]).toMatch(/^slack:block_action:/);
    // A row the killed process held mid-application settles once its lease runs out and the new process takes it.
    const keys = [...one.approvals.values(), ...two.approvals.values()].map((ids) => ids[0]!);
    const rows = await eventually(
      () => store!.db.select().from(slackIntents).where(inArray(slackIntents.idempotencyKey, keys)),
      (r) => r.every((row) => row.status !== 'pending'),
      'every inbox row settled',
      60_000,
    );
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'applied'));
    expect(rows).toHaveLength(first.length + second.length);
  }, 600_000);
});
