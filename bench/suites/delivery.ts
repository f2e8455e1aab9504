// Morning briefings for a whole roster delivered inside Slack's limits (issue 18 item 3). N developers each
// have one briefing in the outbox; the real dispatcher delivers them to the loopback workspace with Slack's
// documented limits enforced (429 + Retry-After; conversations.open is Tier 3, 50 per minute, and each
// first DM needs one). Both sides run on the same time scale (default 0.05: a minute lasts 3 s), so the
// figure is the ratio of the delivery time to the lower bound the limits allow:
//   floor((N - 1) / 50) windows of conversations.open (the first 50 go at once, then 50 per window).
// Also printed: the 429s Slack sent and database queries per briefing (constant, or the dispatcher has an N+1).
// Sizes count developers (default 500, 1,000, 5,000: about six minutes, nearly all of it waiting out the
// limits): `npm run bench -- --suite delivery --sizes 60,150,300` for a quick run.
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { RoleFile, TeamConfig } from '../../src/config/schema.js';
import { migrationsFolder, type Database } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import { enqueueNotification } from '../../src/db/outbox.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createDispatcher, createDispatcherClient } from '../../src/slack/delivery/dispatcher.js';
import { createSlackPacer } from '../../src/slack/delivery/pacer.js';
import { createLogger } from '../../src/observability/logger.js';
import { startLocalWorkspace } from '../../src/local-slack/server.js';
import { figure, growthOf, sizesFor, summarise, type BenchSuite } from '../lib.js';

const timeScale = 0.05;
const openPerWindow = 50; // conversations.open, Tier 3 (https://docs.slack.dev/reference/methods/conversations.open)
const windowMs = 60_000 * timeScale;
const botToken = 'xoxb-bench-delivery';

interface Run {
  developers: number;
  totalMs: number;
  boundMs: number;
  rejected: number;
  queriesPerBriefing: number;
  delivered: number;
}

async function deliverAll(count: number): Promise<Run> {
  let queries = 0;
  const client = new PGlite('memory://');
  const db = drizzle(client, { schema, logger: { logQuery: () => void queries++ } }) as unknown as Database;
  await migrate(drizzle(client, { schema }), { migrationsFolder });
  const roles = new Map<string, RoleFile>();
  for (let i = 0; i < count; i++) {
    const id = `dev${String(i).padStart(5, '0')}`;
    roles.set(id, {
      developer: id,
      display_name: `Developer ${i}`,
      slack_user_id: `U0BD${String(i).padStart(6, '0')}`,
      time_zone: 'UTC',
      notifications: { blocking: 'immediate', decision: 'notification', info: 'silent', briefing_time: '08:30' },
    } as unknown as RoleFile);
  }
  await upsertDevelopers(db, roles.values());
  const date = new Date().toISOString().slice(0, 10);
  for (const id of roles.keys()) {
    await enqueueNotification(db, {
      dedupeKey: `briefing:${id}:${date}`,
      developerId: id,
      urgency: 'decision',
      payload: {
        kind: 'briefing',
        developerId: id,
        date,
        activeWorkItem: { key: 'BENCH-1', title: 'Capacity errors', status: 'executing', phase: 'bridge' },
        lastContext: 'Walked through the MachineSet hop.',
        relatedPrs: [],
        pendingDecisions: [],
        overnightCi: [],
        knowledge: [],
      },
    });
  }
  const ws = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret: 'bench',
    botToken,
    users: [...roles.values()].map((r) => ({ id: r.slack_user_id!, name: r.developer })),
    rateLimits: { timeScale },
  });
  const team = { notifications: { digest_time: '23:59', alerts_channel: '#sitroom-alerts' } } as unknown as TeamConfig;
  const dispatcher = createDispatcher({
    db,
    client: createDispatcherClient(botToken, ws.apiUrl),
    render: { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
    config: { team, roles },
    logger: createLogger('bench-delivery', 'silent'),
    pacer: createSlackPacer({ windowScale: timeScale }),
    batchSize: 100,
  });
  try {
    queries = 0;
    let delivered = 0;
    const start = performance.now();
    // as the running process does: passes until the outbox is empty, rows deferred by Retry-After waited for
    while (delivered < count) {
      const r = await dispatcher.runOnce();
      delivered += r.delivered;
      if (r.failed > 0) throw new Error(`bench delivery: ${r.failed} briefings failed`);
      if (delivered < count && r.delivered === 0) await new Promise((res) => setTimeout(res, 50));
    }
    const totalMs = performance.now() - start;
    return {
      developers: count,
      totalMs,
      boundMs: Math.floor((count - 1) / openPerWindow) * windowMs,
      rejected: ws.rateLimited(),
      queriesPerBriefing: queries / count,
      delivered,
    };
  } finally {
    await ws.stop();
    await client.close();
  }
}

const suite: BenchSuite = async (opts) => {
  const sizes = sizesFor(opts, [500, 1_000, 5_000]);
  const runs: Run[] = [];
  for (const n of sizes) {
    process.stderr.write(`bench delivery: ${n} briefings\n`);
    runs.push(await deliverAll(n));
  }
  const top = runs[runs.length - 1]!;
  const ratio = top.totalMs / Math.max(top.boundMs, 1e-6);
  const queriesFlat = runs.every((r) => Math.abs(r.queriesPerBriefing - runs[0]!.queriesPerBriefing) < 0.5);
  const f = figure({
    suite: 'delivery',
    name: `${top.developers} briefings delivered within Slack limits`,
    baseline: 'the lower bound the limits allow',
    subject: summarise([top.totalMs]),
    base: summarise([top.boundMs]),
    target: '≤ 1.2× the bound, queries/briefing constant',
    met: ratio <= 1.2 && queriesFlat,
    extra: {
      timeScale,
      ...Object.fromEntries(
        runs.flatMap((r) => [
          [`ratioAt${r.developers}`, Number((r.totalMs / Math.max(r.boundMs, 1e-6)).toFixed(2))],
          [`429sAt${r.developers}`, r.rejected],
          [`queriesPerBriefingAt${r.developers}`, Number(r.queriesPerBriefing.toFixed(2))],
        ]),
      ),
      realTimeAt5000Minutes: Math.round((Math.floor(4_999 / openPerWindow) * 60_000) / 60_000),
    },
    growth: growthOf(
      'developers',
      runs.map((r) => r.developers),
      runs.map((r) => r.totalMs),
    ),
  });
  const q = figure({
    suite: 'delivery',
    name: 'database queries per briefing delivered',
    baseline: `the same at ${runs[0]!.developers} developers`,
    subject: summarise([top.queriesPerBriefing]),
    base: summarise([runs[0]!.queriesPerBriefing]),
    target: 'constant',
    met: queriesFlat,
    growth: growthOf(
      'developers',
      runs.map((r) => r.developers),
      runs.map((r) => r.queriesPerBriefing),
      'queries',
    ),
  });
  return [f, q];
};

export default suite;
