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
import { sizesFor, type BenchSuite } from '../lib.js';
import { figuresOf, type Recovery, type SameThreadHeap, type SizePoint } from '../support/live-figures.js';
import { countersBetween, taskCounters } from '../support/task-counters.js';
import { createActivities, type Activities, type ActivityDeps, type DecisionCommit } from '../../src/activities/index.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { inBatches, openBenchStore, unreachedBeforeApproval, waitUntil as waitFor } from '../support/harness.js';
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
import { benchWorkflowBundle, gcFunction, memoryAfterGc, quietTemporalLogs, startBenchTemporal, type BenchTemporal } from '../support/temporal.js';

/** Decisions timed at each size, one after another on items spread over all the open ones. */
const roundTripsPerSize = 60;
/** How many starts or decisions are in flight at once when opening items or recovering them. */
const parallel = 10;
const visibleWithinMs = 300_000;
/** Same-thread workflows opened to weigh one workflow's heap exactly (see heapPerWorkflow). */
const sameThreadSample = 40;

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

/** Polls until `check` holds; a loaded machine may take minutes to open a thousand items. */
const waitUntil = (what: string, check: () => Promise<boolean>) => waitFor(what, check, { withinMs: visibleWithinMs, everyMs: 20, suite: 'live' });

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
    store = await openBenchStore();
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
      agent: unreachedBeforeApproval<ActivityDeps['agent']>('agent'),
      ci: unreachedBeforeApproval<ActivityDeps['ci']>('ci'),
      ciKnowledge: unreachedBeforeApproval<ActivityDeps['ciKnowledge']>('ciKnowledge'),
      memory: unreachedBeforeApproval<ActivityDeps['memory']>('memory'),
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

export default suite;
