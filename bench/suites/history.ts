// History growth of a long-lived work item (issue 18 item 2). One work item lives `days` simulated days on
// Temporal's time-skipping test server with the product's continue-as-new budget (bench/support/work-item-life.ts
// says what a day holds), run by the real workflows and activities on a fresh store. Printed: events per day,
// every run of the chain with its events and encoded size at its continue-as-new, and the bound on any run
// against Temporal's limits (51,200 events, 50 MB); the same bound is asserted by
// test/workflows/history-growth.test.ts. Growth: the longest run by day 3, 10 and 30 (sizes count days).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { environmentFrom } from '../../src/config/environment.js';
import { openStore } from '../../src/db/client.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createLogger } from '../../src/observability/logger.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { findTemporalBinaries } from '../../src/temporal/binaries.js';
import { defaultHistoryEventBudget } from '../../workflows/work-item/run.js';
import { benchWorkflowBundle, quietTemporalLogs } from '../support/temporal.js';
import { historyBound, liveWorkItem, longestRunBy, temporalLimits } from '../support/work-item-life.js';

/** A busy day: a plan reworked through review (edits) and paused over a meeting. */
const editsPerDay = 30;
const togglesPerDay = 3;
/** As in the bound test: the events one activation may add after the one that crossed the budget. */
const overshootAllowance = 60;

const unexpected = (port: string) =>
  new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)} is not reached on the plan and phase gates`)) });

const suite: BenchSuite = async (opts) => {
  const sizes = sizesFor(opts, [3, 10, 30]);
  const days = sizes.at(-1)!;
  await quietTemporalLogs();
  const testServer = findTemporalBinaries(environmentFrom(process.env).temporal).testServer;
  if (!testServer) throw new Error('history bench: the time-skipping test server is missing; run npm run temporal:setup');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
  const store = await openStore({ dataDir: 'memory://' });
  const config = loadConfig(exampleTargetRepo);
  await upsertDevelopers(store.db, config.roles.values());
  const logger = createLogger('bench-history', 'silent');
  const insight = createDomainInsight();
  const activities = createActivities({
    db: store.db,
    config: () => config,
    logger,
    insight: { impact: insight.impact, prReady: () => Promise.reject(new Error('prReady is not reached on the gates')) },
    agent: unexpected('agent') as ActivityDeps['agent'],
    ci: unexpected('ci') as ActivityDeps['ci'],
    ciKnowledge: unexpected('ciKnowledge') as ActivityDeps['ciKnowledge'],
    memory: unexpected('memory') as ActivityDeps['memory'],
  });
  const taskQueue = `bench-history-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await benchWorkflowBundle(),
    activities,
    sinks: createDecisionSinks(activities, logger),
    shutdownGraceTime: '2 seconds',
  });
  const running = worker.run();
  try {
    const t0 = performance.now();
    const life = await liveWorkItem({
      client: env.client,
      taskQueue,
      key: `HIST${Math.floor(Math.random() * 1e6)}-1`,
      days,
      editsPerDay,
      togglesPerDay,
      sleep: (ms) => env.sleep(ms),
    });
    const wallMs = performance.now() - t0;
    const bound = historyBound(life.runs, defaultHistoryEventBudget, overshootAllowance);
    const total = life.runs.reduce((a, r) => a + r.events, 0);
    const perDay = summarise(life.eventsPerDay);
    const longest = Math.max(...life.runs.map((r) => r.events));
    const met = bound.events < temporalLimits.events && bound.bytes < temporalLimits.bytes && life.runs.every((r) => r.events <= bound.events);
    console.log(`history: ${days} simulated days in ${(wallMs / 1000).toFixed(1)} s, ${life.decisions} decisions, ${total} events in ${life.runs.length} runs`);
    console.log(`history: events per day ${life.eventsPerDay.join(' ')}`);
    life.runs.forEach((r, i) =>
      console.log(
        `history: run ${i + 1}: ${r.events} events, ${(r.bytes / 1024).toFixed(0)} KiB (first event ${(r.firstEventBytes / 1024).toFixed(1)} KiB, largest other ${r.largestEventBytes} B)${r.continuedAsNew ? ' → continued as new' : ' (open)'}`,
      ),
    );
    const figures: BenchFigure[] = [
      figure({
        suite: 'history',
        name: `work item history over ${days} days (longest run)`,
        baseline: `the continue-as-new budget (${defaultHistoryEventBudget} events)`,
        // Counts, not times: the "ms" columns of the table carry events here.
        subject: summarise([longest]),
        base: summarise([defaultHistoryEventBudget]),
        target: `bound < ${temporalLimits.events} events and < 50 MB per run`,
        met,
        extra: {
          unit: 'events',
          decisionsPerDay: editsPerDay + 2 * togglesPerDay,
          eventsPerDayMedian: perDay.medianMs,
          eventsPerDecision: Number((total / life.decisions).toFixed(1)),
          runs: life.runs.length,
          eventsAtEachContinueAsNew:
            life.runs
              .filter((r) => r.continuedAsNew)
              .map((r) => r.events)
              .join(' ') || 'none',
          kibAtEachContinueAsNew:
            life.runs
              .filter((r) => r.continuedAsNew)
              .map((r) => Math.round(r.bytes / 1024))
              .join(' ') || 'none',
          boundEvents: bound.events,
          boundMiB: Number((bound.bytes / 2 ** 20).toFixed(2)),
          boundFirstEventKiB: Math.round(bound.firstEventBytes / 1024),
          seenUpdateIdsCarried: life.seenUpdateIdsCarried,
          wallSeconds: Number((wallMs / 1000).toFixed(1)),
        },
        growth: growthOf(
          'days lived',
          sizes,
          sizes.map((d) => longestRunBy(life.runs, d)),
          'events, longest run',
        ),
      }),
      figure({
        suite: 'history',
        name: 'history events written per simulated day',
        baseline: 'the first day',
        subject: perDay,
        base: summarise([life.eventsPerDay[0]!]),
        target: 'flat (a day costs the same on day 30 as on day 1)',
        met: growthOf('days', [1, days], [Math.max(life.eventsPerDay[0]!, 1), Math.max(life.eventsPerDay[days - 2]!, 1)]).class === 'flat',
        extra: { unit: 'events' },
        growth: growthOf(
          'days lived',
          sizes,
          sizes.map((d) => life.eventsPerDay.slice(0, d).reduce((a, b) => a + b, 0) / d),
          'events per day (mean so far)',
        ),
      }),
    ];
    return figures;
  } finally {
    worker.shutdown();
    await running;
    await store.close();
    await env.teardown();
  }
};

export default suite;
