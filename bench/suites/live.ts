// Live plans per worker (issue 18 item 1). N work items open at once, each waiting at its plan gate, on one
// worker built by the product's worker factory (src/temporal/worker.ts) against a real Temporal dev server and
// a real store. At each size (default 10, 100, 1,000 open) it measures:
//   - the worker process's memory after a forced GC (RSS: workflow code runs in the worker's threads, whose
//     heaps show only there; the in-memory PGlite store lives in the same process, so its rows count too);
//   - a decision round trip (pause / resume through the orchestrator port, as the Slack app calls it after the
//     ack) on items picked across all the open ones, against the same decision with the fewest open;
//   - the sticky cache hit rate over those decisions, from the worker's own metrics (sticky_cache_hit / _miss).
// At the largest size the worker is restarted (its cache is gone: every item's next task replays its whole
// history) and every open item gets one decision: the time until all are applied, against the same N
// decisions with the cache warm. Then the same restart with two workers on the task queue: the throughput of
// the recovery, and the side effects counted in the store (one audit row per decision key, no second one).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { count, inArray, like } from 'drizzle-orm';
import type { Worker } from '@temporalio/worker';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
import { createActivities, type Activities, type ActivityDeps } from '../../src/activities/index.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { decisions, notificationOutbox } from '../../src/db/schema/core.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Plan } from '../../src/plan/schema.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { createTemporalOrchestrator } from '../../src/orchestrator/temporal.js';
import { createWorker } from '../../src/temporal/worker.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import type { workItemWorkflow } from '../../workflows/work-item.js';
import {
  benchWorkflowBundle,
  gcFunction,
  memoryAfterGc,
  quietTemporalLogs,
  startBenchTemporal,
  workerMetrics,
  type BenchTemporal,
} from '../support/temporal.js';

/** Decisions timed at each size, one after another on items spread over all the open ones. */
const roundTripsPerSize = 60;
/** How many starts or decisions are in flight at once when opening items or recovering them. */
const parallel = 10;
const visibleWithinMs = 300_000;

const unexpected = (port: string) =>
  new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)} is not reached before plan approval`)) });

/** One phase on a file of its own, so no two open items overlap (an overlap would notify every owner). */
function plan(key: string): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: 'bench plan',
    phases: [
      {
        id: 'api',
        title: 'Condition type and reasons',
        activity: 'api_changes',
        files: [`api/hypershift/v1beta1/bench/${key.toLowerCase()}.go`],
        constraints: [],
        validation: [],
        dependsOn: [],
        mergeOrder: 1,
      },
    ],
  };
}

async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + visibleWithinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`live bench: ${what} not reached within ${visibleWithinMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface SizePoint {
  open: number;
  rss: number;
  heapUsed: number;
  decisionMs: number[];
  stickyHits: number;
  stickyMisses: number;
  cached: number;
}

const suite: BenchSuite = async (opts) => {
  const sizes = sizesFor(opts, [10, 100, 1_000]);
  await quietTemporalLogs();
  const { gc, mode: gcMode } = gcFunction();
  const runTag = randomUUID().slice(0, 8);
  const keyPrefix = `LIVE${Math.floor(Math.random() * 1e6)}`;
  const temporal: BenchTemporal = await startBenchTemporal();
  let store: OpenStore | undefined;
  const workers: Array<{ worker: Worker; running: Promise<void>; close: () => Promise<void> }> = [];
  const keys: string[] = [];
  try {
    store = await openStore(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: 'memory://' });
    const db = store.db;
    const config = loadConfig(exampleTargetRepo);
    await upsertDevelopers(db, config.roles.values());
    const insight = createDomainInsight();
    const logger = createLogger('bench-live', 'silent');
    const activities = createActivities({
      db,
      config: () => config,
      logger,
      insight: { impact: insight.impact, prReady: () => Promise.reject(new Error('prReady is not reached before plan approval')) },
      agent: unexpected('agent') as ActivityDeps['agent'],
      ci: unexpected('ci') as ActivityDeps['ci'],
      ciKnowledge: unexpected('ciKnowledge') as ActivityDeps['ciKnowledge'],
      memory: unexpected('memory') as ActivityDeps['memory'],
    });
    const taskQueue = `bench-live-${runTag}`;
    const bundle = await benchWorkflowBundle();
    /** Activity executions per worker: which worker did the work of a recovery. */
    const executions: number[] = [];
    const startWorker = async () => {
      const index = executions.length;
      executions.push(0);
      const counted = Object.fromEntries(
        Object.entries(activities).map(([name, fn]) => [
          name,
          (...args: unknown[]) => ((executions[index]! += 1), (fn as (...a: unknown[]) => unknown)(...args)),
        ]),
      ) as unknown as Activities;
      const { worker, connection } = await createWorker({ address: temporal.address, taskQueue, activities: counted, logger, workflowBundle: bundle });
      const entry = { worker, running: worker.run(), close: () => connection.close() };
      workers.push(entry);
      return entry;
    };
    const stopWorker = async (entry: (typeof workers)[number]) => {
      entry.worker.shutdown();
      await entry.running;
      await entry.close();
      workers.splice(workers.indexOf(entry), 1);
    };
    const client = temporal.client;
    const port = createTemporalOrchestrator({ client, taskQueue, workItemKeysFor: async () => [], recentCi: async () => [], recentKnowledge: async () => [] });
    const handle = (key: string) => client.workflow.getHandle<typeof workItemWorkflow>(workItemWorkflowId(key));
    const open = async (key: string) => {
      await client.workflow.start('workItemWorkflow', {
        taskQueue,
        workflowId: workItemWorkflowId(key),
        args: [
          { key, ownerId: 'maria', title: 'Capacity errors per platform', intention: 'NodePool should report capacity errors per platform', plan: plan(key) },
        ],
      });
      // A query times out while the worker is busy (a loaded machine): asked again, not a failure.
      await waitUntil(
        `${key} awaiting plan approval`,
        async () =>
          (
            await handle(key)
              .query(workItemStateQuery)
              .catch(() => undefined)
          )?.status === 'awaiting-plan-approval',
      );
    };
    // Each item alternates pause and resume, so any decision on any item is always a legal one.
    const paused = new Map<string, boolean>();
    let decided = 0;
    let refusedWhileTaskFailed = 0;
    const decide = async (key: string, idempotencyKey = `bench-live-${runTag}-${++decided}`) => {
      const pausing = !paused.get(key);
      const request = {
        workItemKey: key,
        kind: pausing ? ('pause' as const) : ('resume' as const),
        actor: 'maria',
        surface: 'slack-button' as const,
        idempotencyKey,
      };
      // On a starved machine a workflow task can time out (10 s); until its retry completes the server refuses
      // updates (FAILED_PRECONDITION). The same decision with the same key is sent again, as a retried tap is.
      let result: Awaited<ReturnType<typeof port.decide>> | undefined;
      for (let attempt = 1; !result; attempt++) {
        try {
          result = await port.decide(request);
        } catch (err) {
          if (attempt >= 60 || !String((err as { cause?: unknown }).cause ?? err).includes('FAILED_PRECONDITION')) throw err;
          refusedWhileTaskFailed += 1;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
      if (result.outcome !== 'applied') throw new Error(`live bench: ${pausing ? 'pause' : 'resume'} on ${key} was ${result.outcome}`);
      paused.set(key, pausing);
    };
    const sticky = async () => {
      const m = await workerMetrics();
      return {
        hits: m?.get('temporal_sticky_cache_hit') ?? m?.get('sticky_cache_hit') ?? NaN,
        misses: m?.get('temporal_sticky_cache_miss') ?? m?.get('sticky_cache_miss') ?? NaN,
      };
    };

    const first = await startWorker();
    const points: SizePoint[] = [];
    const before = await memoryAfterGc(gc);
    for (const n of sizes) {
      const fresh = Array.from({ length: n - keys.length }, (_, i) => `${keyPrefix}-${keys.length + i + 1}`);
      const t0 = performance.now();
      await inBatches(fresh, parallel, open);
      keys.push(...fresh);
      process.stderr.write(`bench live: ${keys.length} open (${fresh.length} opened in ${Math.round(performance.now() - t0)} ms)\n`);
      const mem = await memoryAfterGc(gc);
      for (let i = 0; i < 5; i++) await decide(keys[(i * 7919) % keys.length]!);
      const s0 = await sticky();
      const times: number[] = [];
      for (let i = 0; i < roundTripsPerSize; i++) {
        const key = keys[(i * 7919 + n) % keys.length]!; // spread over all open items, not one hot item
        const t = performance.now();
        await decide(key);
        times.push(performance.now() - t);
      }
      const s1 = await sticky();
      points.push({
        open: keys.length,
        rss: mem.rss - before.rss,
        heapUsed: mem.heapUsed - before.heapUsed,
        decisionMs: times,
        stickyHits: s1.hits - s0.hits,
        stickyMisses: s1.misses - s0.misses,
        cached: first.worker.getStatus().numCachedWorkflows,
      });
    }

    // Memory per open item: least-squares slope of RSS against the number open.
    const slope = (ys: number[]) => {
      const xs = points.map((p) => p.open);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      return xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    };
    const rssPerItem = slope(points.map((p) => p.rss));
    const heapPerItem = slope(points.map((p) => p.heapUsed));
    // Per-item cost between consecutive sizes: flat when the slope does not rise with the number open.
    const perItemAt = points.map((p, i) => (i === 0 ? p.rss / p.open : (p.rss - points[i - 1]!.rss) / (p.open - points[i - 1]!.open)));
    const low = points[0]!;
    const top = points.at(-1)!;
    const figures: BenchFigure[] = [];
    figures.push(
      figure({
        suite: 'live',
        name: `worker memory per open work item (${top.open} open)`,
        baseline: `${low.open} open`,
        subject: summarise([top.rss / 1024]),
        base: summarise([Math.max(low.rss, 1) / 1024]),
        target: 'RSS slope < 50 KB per open item, not rising with the number open',
        met: rssPerItem < 50 * 1024 && perItemAt.at(-1)! < 50 * 1024,
        extra: {
          rssKiBPerOpenItem: Math.round(rssPerItem / 1024),
          heapKiBPerOpenItem: Math.round(heapPerItem / 1024),
          rssKiBPerItemBetweenSizes: perItemAt.map((x) => Math.round(x / 1024)).join(' '),
          rssMiBGrowthAtEachSize: points.map((p) => (p.rss / 2 ** 20).toFixed(1)).join(' '),
          cachedWorkflowsAtEachSize: points.map((p) => p.cached).join(' '),
          gc: gcMode,
          store: store.kind,
        },
        growth: growthOf(
          'open work items',
          points.map((p) => p.open),
          points.map((p) => Math.max(p.rss, 1) / 1024),
          'KiB RSS growth',
        ),
      }),
    );
    const lowRt = summarise(low.decisionMs);
    const topRt = summarise(top.decisionMs);
    const hitRate = (p: SizePoint) => (p.stickyHits + p.stickyMisses > 0 ? p.stickyHits / (p.stickyHits + p.stickyMisses) : NaN);
    figures.push(
      figure({
        suite: 'live',
        name: `decision round trip with ${top.open} open`,
        baseline: `the same decision with ${low.open} open`,
        subject: topRt,
        base: lowRt,
        target: 'median ratio <= 1.5',
        met: topRt.medianMs / Math.max(lowRt.medianMs, 1e-6) <= 1.5,
        extra: {
          decision: 'pause / resume through the orchestrator port, on items spread over all open ones',
          p99Ratio: Number((topRt.p99Ms / Math.max(lowRt.p99Ms, 1e-6)).toFixed(2)),
          stickyCacheHitRateAtEachSize: points.map((p) => (Number.isNaN(hitRate(p)) ? 'n/a' : hitRate(p).toFixed(3))).join(' '),
          stickyHitsMissesAtTop: `${top.stickyHits}/${top.stickyMisses}`,
          decisionsRefusedWhileAWorkflowTaskHadFailed: refusedWhileTaskFailed,
        },
        growth: growthOf(
          'open work items',
          points.map((p) => p.open),
          points.map((p) => summarise(p.decisionMs).medianMs),
        ),
      }),
    );

    // --- recovery after a restart ---------------------------------------------------------------------
    const round = async (label: string) => {
      const roundKeys = keys.map((k) => `bench-live-${runTag}-${label}-${k}`);
      const t0 = performance.now();
      await inBatches(
        keys.map((k, i) => [k, roundKeys[i]!] as const),
        parallel,
        ([k, id]) => decide(k, id),
      );
      const ms = performance.now() - t0;
      const rows = await db
        .select({ key: decisions.idempotencyKey, n: count() })
        .from(decisions)
        .where(like(decisions.idempotencyKey, `bench-live-${runTag}-${label}-%`))
        .groupBy(decisions.idempotencyKey);
      const twice = rows.filter((r) => r.n > 1).length;
      const stored = rows.length;
      return { ms, twice, stored, missing: keys.length - stored };
    };
    const warm = await round('warm');
    const s0 = await sticky();
    await stopWorker(first);
    const restarted = await startWorker();
    const afterOne = executions.length - 1;
    const recoverOne = await round('restart1');
    const s1 = await sticky();
    const cachedAfter = restarted.worker.getStatus().numCachedWorkflows;
    figures.push(
      figure({
        suite: 'live',
        name: `recover ${keys.length} open items after a worker restart`,
        baseline: `the same ${keys.length} decisions, cache warm`,
        subject: summarise([recoverOne.ms]),
        base: summarise([warm.ms]),
        target: 'every item decided once after the restart (time reported)',
        met: recoverOne.missing === 0 && recoverOne.twice === 0,
        extra: {
          decisionsPerSecondWarm: Math.round((keys.length / warm.ms) * 1000),
          decisionsPerSecondAfterRestart: Math.round((keys.length / recoverOne.ms) * 1000),
          stickyMissesDuringRecovery: s1.misses - s0.misses,
          cachedAfterRecovery: cachedAfter,
          activityExecutionsOnRestartedWorker: executions[afterOne]!,
          auditRowsMissing: recoverOne.missing,
          keysStoredTwice: recoverOne.twice,
        },
      }),
    );

    // --- two workers on one task queue ----------------------------------------------------------------
    await stopWorker(restarted);
    const a = executions.length;
    await startWorker();
    await startWorker();
    const recoverTwo = await round('restart2');
    const perWorker = executions.slice(a);
    const outboxRows = await db
      .select({ n: count() })
      .from(notificationOutbox)
      .where(inArray(notificationOutbox.developerId, ['maria']));
    figures.push(
      figure({
        suite: 'live',
        name: `recover ${keys.length} open items, two workers on one queue`,
        baseline: 'the same recovery on one worker',
        subject: summarise([recoverTwo.ms]),
        base: summarise([recoverOne.ms]),
        target: 'throughput not lower than one worker (ratio <= 1), nothing done twice',
        met: recoverTwo.ms <= recoverOne.ms * 1.05 && recoverTwo.twice === 0 && recoverTwo.missing === 0,
        extra: {
          throughputRatioTwoOverOne: Number((recoverOne.ms / recoverTwo.ms).toFixed(2)),
          activityExecutionsPerWorker: perWorker.join(' / '),
          auditRowsMissing: recoverTwo.missing,
          keysStoredTwice: recoverTwo.twice,
          outboxRowsForOwner: outboxRows[0]?.n ?? 0,
          note: 'both workers share this process and the 2 cores, so the server and the store are the same for both',
        },
      }),
    );
    process.stderr.write(
      `bench live: warm ${Math.round(warm.ms)} ms, restart (1 worker) ${Math.round(recoverOne.ms)} ms, restart (2 workers) ${Math.round(recoverTwo.ms)} ms\n`,
    );
    return figures;
  } finally {
    await Promise.allSettled(keys.map((k) => temporal.client.workflow.getHandle(workItemWorkflowId(k)).terminate('live bench finished')));
    for (const w of [...workers]) {
      w.worker.shutdown();
      await w.running.catch(() => undefined);
      await w.close().catch(() => undefined);
    }
    await store?.close();
    await temporal.stop();
  }
};

export default suite;
