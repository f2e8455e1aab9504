// Acknowledged means durable, on the embedded PGlite store: there the Slack part and the worker part run
// in one process (`sitroom dev`; PGlite admits one process, so `sitroom slack` and `sitroom worker` require
// PostgreSQL), and a SIGKILL takes both down at once. A person taps Approve on many plan gates through the
// local Slack workspace; the process is killed as soon as the taps are acknowledged, and again a moment
// after the next batch is acknowledged (some approvals applied, some in flight, some still queued). After
// each restart on the same data folder every acknowledged approval is applied exactly once, and the inbox
// rows in the PGlite store say so. The same holds for the other requests that act after the ack: a pair
// thread asked for with `/sitroom pair`, a briefing asked for with `/sitroom briefing`, and the orientation's
// "Done" button, each acknowledged and then killed before it could be applied.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { openStore } from '../../src/db/client.js';
import { slackIntents } from '../../src/db/schema/core.js';
import { ActionIds } from '../../src/slack/ids.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { eventually } from '../support/runtime.js';
import { uniqueSuffix } from '../support/temporal.js';
import { startProduct, type ProductProcess } from './support.js';
import { approveAll, openPlanGates, printFigures, settleAndCount, startFaultWorkspace, type FaultWorkspace } from './taps.js';

const processes: ProductProcess[] = [];
const faults: FaultWorkspace[] = [];
let connection: Connection | undefined;
afterAll(async () => {
  for (const p of processes) if (process.env.FAULT_DEBUG) process.stderr.write(`--- ${p.name} ${p.child.pid} output:\n${p.output()}\n`);
  for (const p of processes) await p.kill('SIGTERM');
  for (const f of faults) await f.workspace.stop();
  await connection?.close();
});

/** A data folder, a local workspace pointed at the app's port, and `sitroom dev` on both, restartable. */
async function devUnderTest(label: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `sitroom-fault-${label}-`));
  const fault = await startFaultWorkspace();
  faults.push(fault);
  const slackPort = await freePort();
  const env = {
    ...fault.env,
    FAULT_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `fault-${label}-${uniqueSuffix()}`,
    PORT: String(await freePort()),
    SLACK_PORT: String(slackPort),
  };
  fault.workspace.setAppUrl(`http://127.0.0.1:${slackPort}/slack/events`);
  connection ??= await Connection.connect({ address: inject('temporalAddress') });
  return {
    dataDir,
    env,
    workspace: fault.workspace,
    client: new Client({ connection }),
    start() {
      const p = startProduct('sitroom dev', 'test/faults/dev-process.ts', [], env, 'Situation Room is ready');
      processes.push(p);
      return p;
    },
  };
}

describe('sitroom dev on PGlite is killed with taps in flight', () => {
  it('every acknowledged approval is applied exactly once after the restart', async () => {
    const { dataDir, env, workspace, client, start: startDevProcess } = await devUnderTest('dev');

    let dev = startDevProcess();
    await dev.ready;

    // 1. Killed the moment the taps are acknowledged.
    const first = await openPlanGates(client, workspace, env.TEMPORAL_TASK_QUEUE, 'DEVA', 8);
    const firstTaps = await approveAll(workspace, first);
    await dev.kill('SIGKILL');
    dev = startDevProcess();
    await dev.ready;
    const one = await settleAndCount(client, firstTaps, 120_000);
    printFigures('PGlite, sitroom dev killed after the acks', one.figures);

    // 2. Killed a moment later, with approvals applied, in flight and queued.
    const second = await openPlanGates(client, workspace, env.TEMPORAL_TASK_QUEUE, 'DEVB', 8);
    const secondTaps = await approveAll(workspace, second);
    await new Promise((r) => setTimeout(r, 400));
    await dev.kill('SIGKILL');
    const killedAt = Date.now();
    dev = startDevProcess();
    await dev.ready;
    const two = await settleAndCount(client, secondTaps, 120_000);
    printFigures('PGlite, sitroom dev killed 0.4 s after the acks', two.figures);

    for (const { figures } of [one, two]) {
      expect(figures.acknowledged).toBe(figures.taps);
      expect({ lost: figures.lost, doubled: figures.doubled, applied: figures.applied }).toEqual({ lost: 0, doubled: 0, applied: figures.acknowledged });
    }
    const keys = [...one.approvals.values(), ...two.approvals.values()].map((ids) => ids[0]!);
    for (const key of keys) expect(key).toMatch(/^slack:block_action:/);

    // The inbox rows, read from the PGlite store once the process has let go of it. A row the killed process
    // held mid-application settles once its 30 s lease has run out and the drain (every 5 s) takes it.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 40_000 - Date.now())));
    await dev.kill('SIGTERM');
    const store = await openStore({ dataDir: join(dataDir, 'pglite') });
    try {
      const rows = (await store.db.select().from(slackIntents)).filter((r) => keys.includes(r.idempotencyKey));
      expect(rows).toHaveLength(keys.length);
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'applied'));
    } finally {
      await store.close();
    }
  }, 600_000);

  it('an acknowledged /sitroom pair, /sitroom briefing and orientation "Done" are each applied exactly once after the restart', async () => {
    const { dataDir, env, workspace, client, start } = await devUnderTest('devc');
    let dev = start();
    await dev.ready;
    // A work item of priya's with a phase to pair on (its plan waits for approval; pairing does not need more).
    const { key } = (await openPlanGates(client, workspace, env.TEMPORAL_TASK_QUEUE, 'DEVC', 1))[0]!;
    const general = workspace.channelId('general');
    const priyaDm = workspace.dmChannel('priya');
    const samDm = workspace.dmChannel('sam');
    const pairRoots = () => workspace.messagesIn(general).filter((m) => !m.thread_ts && m.text.includes('is pairing with the agent') && m.text.includes(key));
    const openings = (root: { ts: string }) => workspace.threadReplies(general, root.ts).filter((m) => m.text.startsWith('Pairing on *api*'));
    // A briefing may open with a mention of its reader (their notification settings say so).
    const briefingsIn = (dm: string) => workspace.messagesIn(dm).filter((m) => /^(<@\w+> )?Briefing for /.test(m.text));
    const offers = () => workspace.messagesIn(samDm).filter((m) => /^(Starter task:|No starter task)/.test(m.text));

    // sam, new on the team, asks for his briefing: it opens with the orientation and its "Done" button.
    expect((await workspace.slashCommand('sam', samDm, '/sitroom', 'briefing')).status).toBe(200);
    const [orientation] = await eventually(
      async () => briefingsIn(samDm),
      (b) => b.length > 0,
      'sam’s briefing with the orientation',
      120_000,
    );
    expect(JSON.stringify(orientation!.blocks)).toContain(ActionIds.orientationDone);

    // Three requests acknowledged ("Opening a pair thread…", "Sending your briefing…", the tap's 200), then the process dies.
    const answers = await Promise.all([
      workspace.slashCommand('priya', 'general', '/sitroom', `pair api ${key}`),
      workspace.slashCommand('priya', priyaDm, '/sitroom', 'briefing'),
      workspace.tap('sam', orientation!, ActionIds.orientationDone),
    ]);
    await dev.kill('SIGKILL');
    const acknowledged = answers.filter((a) => a.status === 200).length;
    dev = start();
    await dev.ready;
    // The restarted process takes up at once the rows the killed one held (PGlite admits one process, so their holder is gone).
    const count = () => {
      const roots = pairRoots();
      return { pair: roots.length === 1 ? openings(roots[0]!).length : roots.length, briefing: briefingsIn(priyaDm).length, orientation: offers().length };
    };
    await eventually(
      async () => count(),
      (c) => c.pair >= 1 && c.briefing >= 1 && c.orientation >= 1,
      'the pair thread, priya’s briefing and sam’s starter task after the restart',
      120_000,
    ).catch(() => undefined);
    // A moment for a late second application to show, if there were one (the inbox drains every 5 s).
    await new Promise((r) => setTimeout(r, 6_000));

    const counts = count();
    const figures = {
      acknowledged,
      applied: Object.values(counts).filter((n) => n === 1).length,
      lost: Object.values(counts).filter((n) => n === 0).length,
      doubled: Object.values(counts).filter((n) => n > 1).length,
    };
    process.stdout.write(
      `fault figures — PGlite, sitroom dev killed after /sitroom pair, /sitroom briefing and orientation Done: acknowledged ${figures.acknowledged}, applied once ${figures.applied}, lost ${figures.lost}, doubled ${figures.doubled}\n`,
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(counts).toEqual({ pair: 1, briefing: 1, orientation: 1 });
    // The pair session is bound to that one thread, and sam's briefing lost its button in place.
    const session = await client.workflow.getHandle(`pair:${general}:${pairRoots()[0]!.ts}`).describe();
    expect(session.status.name).toBe('RUNNING');
    const updated = workspace.messagesIn(samDm).find((m) => m.ts === orientation!.ts)!;
    expect(JSON.stringify(updated.blocks)).not.toContain(ActionIds.orientationDone);
    expect(JSON.stringify(updated.blocks)).toContain('Orientation finished at');

    // The inbox rows say each was applied (none left to apply again), read from the PGlite store once the process has let go of it.
    await dev.kill('SIGTERM');
    const store = await openStore({ dataDir: join(dataDir, 'pglite') });
    try {
      const rows = (await store.db.select().from(slackIntents)).filter((r) => r.kind !== 'decision');
      expect(rows.map((r) => [r.kind, (r.payload as { command?: string }).command ?? '', r.slackUserId, r.status]).sort()).toEqual([
        ['command', 'briefing', workspace.user('priya').id, 'applied'],
        ['command', 'briefing', workspace.user('sam').id, 'applied'],
        ['command', 'pair', workspace.user('priya').id, 'applied'],
        ['orientation-done', '', workspace.user('sam').id, 'applied'],
      ]);
    } finally {
      await store.close();
    }
  }, 300_000);
});
