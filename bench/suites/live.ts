// Live plans per worker (issue 18 item 1). N work items open at once, each waiting at its plan gate, on one
// worker built by the product's worker factory (src/temporal/worker.ts) against a real Temporal dev server and
// a real store. At each size (default 10, 100, 1,000 open) it measures:
//   - the worker process's memory after a forced GC (RSS: workflow code runs in the worker's thread, whose
//     heap shows only there; the in-memory PGlite store lives in the same process, so its rows count too), and
//     as evidence the heap one workflow keeps, weighed exactly on a worker that runs workflows on this thread;
//   - a decision round trip (pause / resume through the orchestrator port, as the Slack app calls it after the
//     ack) on items picked across all the open ones, against the same decision with the fewest open;
//   - the sticky cache hit rate over those decisions, from the worker's own metrics (sticky_cache_hit / _miss),
//     with where each workflow task's time went (queue wait, execution, replays) from the same metrics.
// Then, for the first n items at each size: every one decided once with the cache warm, again after the worker
// is restarted (its cache is gone: each item's next task replays its history), and again after a restart onto
// two workers on the task queue: the recovery time and throughput, and what was done twice, counted where it
// would show: audit rows per decision key and calls of the decision sink (the fast-path write) per key.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { count, like } from 'drizzle-orm';
import { Worker } from '@temporalio/worker';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
import { createActivities, type Activities, type ActivityDeps, type DecisionCommit } from '../../src/activities/index.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { decisions } from '../../src/db/schema/core.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Plan } from '../../src/plan/schema.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { createTemporalOrchestrator } from '../../src/orchestrator/temporal.js';
import { createWorker, workflowTaskSlots } from '../../src/temporal/worker.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { bareHandledQuery } from '../support/bare-workflow.js';
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
/** Same-thread workflows opened to weigh one workflow's heap exactly (see heapPerWorkflow). */
const sameThreadSample = 40;

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

/** The worker's own counters (Temporal's Prometheus names), summed over every worker in this process. */
interface TaskCounters {
  hits: number;
  misses: number;
  tasks: number;
  scheduleToStartMs: number;
  executionMs: number;
  replays: number;
  replayMs: number;
  failed: number;
}

async function taskCounters(): Promise<TaskCounters | undefined> {
  const m = await workerMetrics();
  if (!m) return undefined;
  // A counter is exported once it first moves: absent means zero.
  const get = (name: string) => m.get(`temporal_${name}`) ?? m.get(name) ?? 0;
  return {
    hits: get('sticky_cache_hit'),
    misses: get('sticky_cache_miss'),
    tasks: get('workflow_task_execution_latency_count'),
    scheduleToStartMs: get('workflow_task_schedule_to_start_latency_sum'),
    executionMs: get('workflow_task_execution_latency_sum'),
    replays: get('workflow_task_replay_latency_count'),
    replayMs: get('workflow_task_replay_latency_sum'),
    failed: get('workflow_task_execution_failed'),
  };
}

function countersBetween(a: TaskCounters | undefined, b: TaskCounters | undefined): TaskCounters | undefined {
  if (!a || !b) return undefined;
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k as keyof TaskCounters] - a[k as keyof TaskCounters]])) as unknown as TaskCounters;
}

const hitRate = (c: TaskCounters | undefined) => (c && c.hits + c.misses > 0 ? c.hits / (c.hits + c.misses) : NaN);

/** Where a workflow task's time went, from the worker's histograms (means over the tasks between two readings). */
function taskProfile(c: TaskCounters | undefined): string {
  if (!c || c.tasks === 0) return 'n/a (no worker metrics)';
  const mean = (sum: number, n: number) => (n > 0 ? (sum / n).toFixed(1) : '0');
  return (
    `${c.tasks} workflow tasks: waited ${mean(c.scheduleToStartMs, c.tasks)} ms on the queue, ran ${mean(c.executionMs, c.tasks)} ms on the worker; ` +
    `${c.replays} replays of ${mean(c.replayMs, c.replays)} ms; ${c.failed} failed; sticky ${c.hits}/${c.misses} hit/miss`
  );
}

interface SizePoint {
  open: number;
  rss: number;
  heapUsed: number;
  decisionMs: number[];
  tasks: TaskCounters | undefined;
  cached: number;
}

interface Recovery {
  items: number;
  ms: number;
  missing: number;
  /** Decisions the server refused because the workflow task that carried them had failed or timed out. */
  refused: number;
  /** The most audit rows and the most fast-path writes (decision sink calls) seen for one decision key. */
  maxRowsPerKey: number;
  maxWritesPerKey: number;
  executionsPerWorker: number[];
  tasks: TaskCounters | undefined;
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
  const sameThreadKeys: string[] = [];
  const bareIds: string[] = [];
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
    /** Activity and sink calls per worker: which worker did the work of a recovery. */
    const executions: number[] = [];
    /** Fast-path writes (the decision sink) per decision key: a decision applied twice would write twice. */
    const sinkWrites = new Map<string, number>();
    const startWorker = async () => {
      const index = executions.length;
      executions.push(0);
      const counted = Object.fromEntries(
        Object.entries(activities).map(([name, fn]) => [
          name,
          (...args: unknown[]) => {
            executions[index]! += 1;
            if (name === 'commitDecision') {
              const key = (args[0] as DecisionCommit).decision.idempotencyKey;
              sinkWrites.set(key, (sinkWrites.get(key) ?? 0) + 1);
            }
            return (fn as (...a: unknown[]) => unknown)(...args);
          },
        ]),
      ) as unknown as Activities;
      const { worker, connection } = await createWorker({ address: temporal.address, taskQueue, activities: counted, logger, workflowBundle: bundle });
      const entry = { worker, running: worker.run(), close: () => connection.close() };
      workers.push(entry);
      return entry;
    };
    const stopAll = async () => {
      for (const entry of workers.splice(0)) {
        entry.worker.shutdown();
        await entry.running;
        await entry.close();
      }
    };
    const client = temporal.client;
    const port = createTemporalOrchestrator({ client, taskQueue, workItemKeysFor: async () => [], recentCi: async () => [], recentKnowledge: async () => [] });
    const handle = (key: string) => client.workflow.getHandle<typeof workItemWorkflow>(workItemWorkflowId(key));
    const open = async (key: string, queue = taskQueue) => {
      await client.workflow.start('workItemWorkflow', {
        taskQueue: queue,
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
    /** A bare workflow (bench/support/bare-workflow.ts), started and waited on until its first task ran. */
    const openBare = async (workflowId: string, queue: string) => {
      const started = await client.workflow.start('bareWorkflow', { taskQueue: queue, workflowId, args: [] });
      await waitUntil(`${workflowId} running`, async () => (await started.query(bareHandledQuery).catch(() => undefined)) === 0);
    };
    // Each item alternates pause and resume, so any decision on any item is always a legal one.
    const paused = new Map<string, boolean>();
    let decided = 0;
    let refused = 0;
    /** Items whose workflow task keeps failing (no decision reaches them): the failure, from their history. */
    const stuck = new Map<string, string>();
    const lastTaskFailure = async (key: string) => {
      const history = await handle(key).fetchHistory();
      const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).at(-1);
      return failed?.workflowTaskFailedEventAttributes?.failure?.message ?? 'no workflow task failure in its history';
    };
    const decide = async (key: string, idempotencyKey = `bench-live-${runTag}-${++decided}`) => {
      if (stuck.has(key)) return;
      const pausing = !paused.get(key);
      const request = {
        workItemKey: key,
        kind: pausing ? ('pause' as const) : ('resume' as const),
        actor: 'maria',
        surface: 'slack-button' as const,
        idempotencyKey,
      };
      // If the workflow task carrying the update fails or times out, the server aborts the update
      // (FAILED_PRECONDITION). It is counted (a person's tap would have been refused) and sent again with
      // the same key, as a retried tap is, so the run still completes and the count tells what happened.
      let result: Awaited<ReturnType<typeof port.decide>> | undefined;
      for (let attempt = 1; !result; attempt++) {
        try {
          result = await port.decide(request);
        } catch (err) {
          const why = String((err as { cause?: unknown }).cause ?? err);
          if (!why.includes('FAILED_PRECONDITION')) throw err;
          if (attempt >= 30) {
            // Still refused after 30 s: the item's workflow task fails every time. Recorded, not waited on forever.
            stuck.set(key, await lastTaskFailure(key).catch((e: Error) => e.message));
            process.stderr.write(`bench live: ${key} stuck: ${stuck.get(key)}\n`);
            return;
          }
          refused += 1;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
      if (result.outcome !== 'applied') throw new Error(`live bench: ${pausing ? 'pause' : 'resume'} on ${key} was ${result.outcome}`);
      paused.set(key, pausing);
    };
    // Waits out the decisions' confirmation timers (10 s) and the activities they start, so the next
    // measurement starts on an idle worker and a restart leaves nothing pending.
    const drain = async () => {
      await new Promise((r) => setTimeout(r, 10_500));
      let last = -1;
      for (let i = 0; i < 60; i++) {
        const now = executions.reduce((a, b) => a + b, 0);
        if (now === last) return;
        last = now;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    };

    // --- open items, size by size: memory, round trips, cache hits -------------------------------------
    const first = await startWorker();
    const points: SizePoint[] = [];
    const before = await memoryAfterGc(gc);
    for (const n of sizes) {
      const fresh = Array.from({ length: n - keys.length }, (_, i) => `${keyPrefix}-${keys.length + i + 1}`);
      const t0 = performance.now();
      await inBatches(fresh, parallel, (k) => open(k));
      keys.push(...fresh);
      process.stderr.write(`bench live: ${keys.length} open (${fresh.length} opened in ${Math.round(performance.now() - t0)} ms)\n`);
      await drain();
      const mem = await memoryAfterGc(gc);
      for (let i = 0; i < 5; i++) await decide(keys[(i * 7919) % keys.length]!);
      const c0 = await taskCounters();
      const times: number[] = [];
      for (let i = 0; i < roundTripsPerSize; i++) {
        const key = keys[(i * 7919 + n) % keys.length]!; // spread over all open items, not one hot item
        if (stuck.has(key)) continue;
        const t = performance.now();
        await decide(key);
        times.push(performance.now() - t);
      }
      points.push({
        open: keys.length,
        rss: mem.rss - before.rss,
        heapUsed: mem.heapUsed - before.heapUsed,
        decisionMs: times,
        tasks: countersBetween(c0, await taskCounters()),
        cached: first.worker.getStatus().numCachedWorkflows,
      });
    }
    await drain();

    // --- recovery: every item decided once, warm, after a restart, and after a restart onto two workers --
    const round = async (label: string, items: readonly string[]): Promise<Recovery> => {
      const prefix = `bench-live-${runTag}-${label}-`;
      const refusedBefore = refused;
      const firstWorker = executions.length - workers.length;
      const executionsBefore = executions.slice(firstWorker);
      const c0 = await taskCounters();
      const t0 = performance.now();
      await inBatches(items, parallel, (k) => decide(k, `${prefix}${k}`));
      const ms = performance.now() - t0;
      const tasks = countersBetween(c0, await taskCounters());
      const rows = await db
        .select({ key: decisions.idempotencyKey, n: count() })
        .from(decisions)
        .where(like(decisions.idempotencyKey, `${prefix}%`))
        .groupBy(decisions.idempotencyKey);
      const writes = [...sinkWrites].filter(([k]) => k.startsWith(prefix)).map(([, n]) => n);
      return {
        items: items.length,
        ms,
        missing: items.length - rows.length,
        refused: refused - refusedBefore,
        maxRowsPerKey: Math.max(0, ...rows.map((r) => r.n)),
        maxWritesPerKey: Math.max(0, ...writes),
        executionsPerWorker: executions.slice(firstWorker).map((n, i) => n - executionsBefore[i]!),
        tasks,
      };
    };
    const warm: Recovery[] = [];
    for (const n of sizes) warm.push(await round(`warm${n}`, keys.slice(0, n)));
    await drain();
    const restartOnto = async (count: number) => {
      await stopAll();
      for (let i = 0; i < count; i++) await startWorker();
    };
    const one: Recovery[] = [];
    for (const n of sizes) {
      await restartOnto(1);
      one.push(await round(`one${n}`, keys.slice(0, n)));
      process.stderr.write(`bench live: ${n} recovered by one restarted worker in ${Math.round(one.at(-1)!.ms)} ms\n`);
      await drain();
    }
    const two: Recovery[] = [];
    for (const n of sizes) {
      await restartOnto(2);
      two.push(await round(`two${n}`, keys.slice(0, n)));
      process.stderr.write(`bench live: ${n} recovered by two restarted workers in ${Math.round(two.at(-1)!.ms)} ms\n`);
      await drain();
    }
    await stopAll();

    // --- where the memory goes: one workflow's heap, weighed on this thread --------------------------------
    const sameThread = await heapPerWorkflow();

    return figuresOf({ points, warm, one, two, sameThread, stuck, gcMode, storeKind: store.kind, bundleCode: bundle.code });

    /**
     * The real worker runs workflows on its own thread, whose heap shows only in RSS (with whatever garbage that
     * thread has not collected yet). The same bundle on a worker in the SDK's debug mode runs them on this
     * thread, where a forced GC makes heapUsed exact: the heap one open work item keeps.
     */
    async function heapPerWorkflow(): Promise<SameThreadHeap> {
      const queue = `${taskQueue}-same-thread`;
      const worker = await Worker.create({
        connection: temporal.nativeConnection,
        taskQueue: queue,
        workflowBundle: bundle,
        activities,
        sinks: createDecisionSinks(activities, logger),
        debugMode: true,
        maxConcurrentWorkflowTaskExecutions: workflowTaskSlots,
      });
      const running = worker.run();
      try {
        const items = Math.min(sameThreadSample, sizes.at(-1)!);
        /** KiB of heap per workflow: one opened to warm up, then `items` more, each side of a forced GC. */
        const weigh = async (ids: string[], openOne: (id: string) => Promise<void>) => {
          await openOne(ids[0]!);
          await new Promise((r) => setTimeout(r, 1_000));
          const before = await memoryAfterGc(gc);
          await inBatches(ids.slice(1), parallel, openOne);
          await new Promise((r) => setTimeout(r, 1_000));
          return ((await memoryAfterGc(gc)).heapUsed - before.heapUsed) / items / 1024;
        };
        // The baseline first: what the SDK keeps for any open workflow (its context, its activation state),
        // weighed the same way on bare workflows that wait on one condition and hold nothing.
        const bare = Array.from({ length: items + 1 }, (_, i) => `bench-live-${runTag}-bare-${i}`);
        bareIds.push(...bare);
        const bareKib = await weigh(bare, (id) => openBare(id, queue));
        const workItems = Array.from({ length: items + 1 }, (_, i) => `${keyPrefix}-${100_000 + i}`);
        sameThreadKeys.push(...workItems);
        const kib = await weigh(workItems, (k) => open(k, queue));
        return { kib, bareKib, items };
      } finally {
        worker.shutdown();
        await running;
      }
    }
  } finally {
    await Promise.allSettled(
      [...[...keys, ...sameThreadKeys].map(workItemWorkflowId), ...bareIds].map((id) =>
        temporal.client.workflow.getHandle(id).terminate('live bench finished'),
      ),
    );
    for (const w of workers.splice(0)) {
      w.worker.shutdown();
      await w.running.catch(() => undefined);
      await w.close().catch(() => undefined);
    }
    await store?.close();
    await temporal.stop();
  }
};

/** The heap one open workflow keeps, weighed on a debug-mode worker: a work item at its plan gate, and a bare one. */
interface SameThreadHeap {
  kib: number;
  bareKib: number;
  items: number;
}

interface Measured {
  points: SizePoint[];
  warm: Recovery[];
  one: Recovery[];
  two: Recovery[];
  sameThread: SameThreadHeap;
  stuck: Map<string, string>;
  gcMode: string;
  storeKind: string;
  bundleCode: string;
}

function figuresOf(m: Measured): BenchFigure[] {
  const { points, warm, one, two } = m;
  const opened = points.map((p) => p.open);
  // Memory per open item: least-squares slope of RSS against the number open.
  const slope = (ys: number[]) => {
    const mx = opened.reduce((a, b) => a + b, 0) / opened.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    return opened.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / opened.reduce((a, x) => a + (x - mx) ** 2, 0);
  };
  const rssPerItem = slope(points.map((p) => p.rss));
  // Per-item cost between consecutive sizes: flat when the slope does not rise with the number open.
  const perItemAt = points.map((p, i) => (i === 0 ? p.rss / p.open : (p.rss - points[i - 1]!.rss) / (p.open - points[i - 1]!.open)));
  // What every open workflow evaluates for itself: the bundle's modules loaded after the worker started (the
  // reused V8 context shares only the SDK's entry modules; each workflow runs the rest again).
  const modules = m.bundleCode.split('/***/ "').slice(1);
  const zodModules = modules.filter((id) => id.startsWith('./node_modules/zod/')).length;
  const low = points[0]!;
  const top = points.at(-1)!;
  const figures: BenchFigure[] = [];
  const kib = 50;
  figures.push(
    figure({
      suite: 'live',
      name: `worker memory per open work item (${top.open} open)`,
      // Measured in the same run: the heap a bare workflow keeps, so the ratio reads as "bare workflows' worth".
      baseline: `a bare open workflow's heap (${m.sameThread.items} weighed on this thread)`,
      unit: 'KiB',
      subject: summarise([rssPerItem / 1024]),
      base: summarise([Math.max(m.sameThread.bareKib, 0.001)]),
      target: `RSS slope < ${kib} KiB per open item, not rising with the number open`,
      met: rssPerItem < kib * 1024 && perItemAt.at(-1)! < kib * 1024,
      extra: {
        rssKiBPerItemBetweenSizes: perItemAt.map((x) => Math.round(x / 1024)).join(' '),
        heapKiBPerWorkflowWeighedOnThisThread: `${Math.round(m.sameThread.kib)} (${m.sameThread.items} items on a debug-mode worker)`,
        heapKiBPerBareWorkflowWeighedOnThisThread: Math.round(m.sameThread.bareKib),
        bundleModulesInstantiatedPerWorkflow: `${modules.length} (${zodModules} of them zod)`,
        rssMiBGrowthAtEachSize: points.map((p) => (p.rss / 2 ** 20).toFixed(1)).join(' '),
        cachedWorkflowsAtEachSize: points.map((p) => p.cached).join(' '),
        gc: m.gcMode,
        store: m.storeKind,
      },
      // Flat when each further item costs what the ones before did: RSS per item added between consecutive
      // sizes. The first step (0 to the smallest size) is left out when there are three sizes: a few items move
      // RSS by less than the allocator's own swings (tens of MiB either way), so it measures noise.
      growth: growthOf(
        'open work items',
        opened.slice(opened.length > 2 ? 1 : 0),
        perItemAt.slice(opened.length > 2 ? 1 : 0).map((x) => Math.max(x, 1) / 1024),
        'KiB RSS per item added',
      ),
    }),
  );
  // Where that memory goes, weighed exactly: the heap of one open work item against one bare workflow.
  figures.push(
    figure({
      suite: 'live',
      name: 'heap per open work item, weighed on one thread',
      baseline: "a bare open workflow's heap, weighed the same way",
      unit: 'KiB',
      subject: summarise([m.sameThread.kib]),
      base: summarise([Math.max(m.sameThread.bareKib, 0.001)]),
      target: `the work item's own share (above a bare workflow) < ${kib} KiB`,
      met: m.sameThread.kib - m.sameThread.bareKib < kib,
      growthNotApplicable: `weighed once, on ${m.sameThread.items} items at a debug-mode worker; the RSS figure above carries the growth`,
      extra: {
        workItemOwnShareKiB: Math.round(m.sameThread.kib - m.sameThread.bareKib),
        note: 'the SDK keeps the bare share for any open workflow on a worker that reuses one V8 context',
      },
    }),
  );
  const lowRt = summarise(low.decisionMs);
  const topRt = summarise(top.decisionMs);
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
        workerAtTop: taskProfile(top.tasks),
      },
      growth: growthOf(
        'open work items',
        opened,
        points.map((p) => summarise(p.decisionMs).medianMs),
      ),
    }),
  );
  const rates = points.map((p) => hitRate(p.tasks));
  const rateOk = rates.every((r) => !Number.isNaN(r));
  figures.push(
    figure({
      suite: 'live',
      name: `sticky cache hit rate with ${top.open} open`,
      baseline: `${low.open} open`,
      subject: summarise([rateOk ? rates.at(-1)! : 0]),
      base: summarise([rateOk ? rates[0]! : 0]),
      target: 'hit rate >= 0.95 at every size (every open item stays cached)',
      met: rateOk && rates.every((r) => r >= 0.95),
      extra: {
        unit: 'hits / (hits + misses) over the timed decisions (median column)',
        hitRateAtEachSize: rates.map((r) => (Number.isNaN(r) ? 'n/a' : r.toFixed(3))).join(' '),
        hitsMissesAtEachSize: points.map((p) => (p.tasks ? `${p.tasks.hits}/${p.tasks.misses}` : 'n/a')).join(' '),
      },
      growth: growthOf(
        'open work items',
        opened,
        rates.map((r) => (Number.isNaN(r) ? 1e-9 : r)),
        'hit rate',
      ),
    }),
  );
  const last = <T>(xs: T[]) => xs.at(-1)!;
  const recoveryGrowth = growthOf(
    'open work items',
    one.map((r) => r.items),
    one.map((r) => r.ms),
  );
  const clean = (rs: Recovery[]) =>
    m.stuck.size === 0 && rs.every((r) => r.missing === 0 && r.refused === 0 && r.maxRowsPerKey === 1 && r.maxWritesPerKey === 1);
  const stuckNote = m.stuck.size === 0 ? 'none' : `${m.stuck.size}, e.g. ${[...m.stuck][0]!.join(': ')}`;
  figures.push(
    figure({
      suite: 'live',
      name: `recover ${last(one).items} open items after a worker restart`,
      baseline: `the same ${last(one).items} decisions, cache warm`,
      subject: summarise([last(one).ms]),
      base: summarise([last(warm).ms]),
      target: 'every item decided once after the restart, none refused, cost per item not rising (growth <= linear)',
      met: clean(one) && recoveryGrowth.class !== 'worse',
      extra: {
        msPerItemAfterRestartAtEachSize: one.map((r) => (r.ms / r.items).toFixed(1)).join(' '),
        msPerItemWarmAtEachSize: warm.map((r) => (r.ms / r.items).toFixed(1)).join(' '),
        decisionsPerSecondAfterRestart: Math.round((last(one).items / last(one).ms) * 1000),
        refusedDecisions: one.map((r) => r.refused).join(' '),
        auditRowsMissing: one.map((r) => r.missing).join(' '),
        itemsStuckOnAFailingWorkflowTask: stuckNote,
        workerAfterRestartAtTop: taskProfile(last(one).tasks),
      },
      growth: recoveryGrowth,
    }),
  );
  const throughput = two.map((r, i) => one[i]!.ms / r.ms);
  figures.push(
    figure({
      suite: 'live',
      name: `recover ${last(two).items} open items, two workers on one queue`,
      baseline: 'the same recovery on one worker',
      subject: summarise([last(two).ms]),
      base: summarise([last(one).ms]),
      target: 'throughput not lower than one worker (ratio <= 1.05), each decision applied and stored once',
      met: last(two).ms <= last(one).ms * 1.05 && clean(two),
      extra: {
        throughputTwoOverOneAtEachSize: throughput.map((t) => t.toFixed(2)).join(' '),
        callsPerWorkerAtTop: last(two).executionsPerWorker.join(' / '),
        auditRowsPerDecisionKeyMax: two.map((r) => r.maxRowsPerKey).join(' '),
        decisionSinkWritesPerKeyMax: two.map((r) => r.maxWritesPerKey).join(' '),
        auditRowsMissing: two.map((r) => r.missing).join(' '),
        refusedDecisions: two.map((r) => r.refused).join(' '),
        workerAfterRestartAtTop: taskProfile(last(two).tasks),
        note: 'both workers share this process and the 2 cores; each has its own workflow thread',
      },
      growth: growthOf(
        'open work items',
        two.map((r) => r.items),
        two.map((r) => r.ms),
      ),
    }),
  );
  return figures;
}

export default suite;
