// Orchestrator figures on a real Temporal dev server, the real workItemWorkflow and the real activities on a
// fresh store. Every figure is a ratio against a bare update (bench/support/bare-workflow.ts: one handler
// that returns at once, no activity) on the same server and the same worker, measured in the same run.
//
// The decision measured is a plan edit before approval (editPlanUpdate): it is a real gate decision that can
// be repeated on one work item — validated, versioned, audited through the recordDecision activity and
// announced through notify — and it keeps the work item in one long-lived workflow, which is what a plan
// that lives for days looks like (including its continue-as-new once the history grows).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { count, eq, inArray } from 'drizzle-orm';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { figure, growthOf, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { openBenchStore, unreachedBeforeApproval, waitUntil as waitFor } from '../support/harness.js';
import { decisions } from '../../src/db/schema/core.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createLogger } from '../../src/observability/logger.js';
import { editedPlan } from '../support/edited-plan.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { createTemporalOrchestrator } from '../../src/orchestrator/temporal.js';
import { editPlanUpdate, pauseUpdate, resumeUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { defaultDecisionConfirmMs } from '../../workflows/work-item/decisions.js';
import type { workItemWorkflow } from '../../workflows/work-item.js';
import { bareHandledQuery, bareStopSignal, bareUpdate, type bareWorkflow } from '../support/bare-workflow.js';
import { benchWorkflowBundle, gcFunction, quietTemporalLogs, retainedDataBytes, startBenchTemporal, type BenchTemporal } from '../support/temporal.js';
import { decisionsWithSnapshots, growthPerDecision, idleJitter } from '../support/memory-growth.js';

const roundTrips = 200;
const concurrentTaps = 50;
const concurrentRounds = 6;
const memoryDecisions = 1_000;
const warmup = 10;
const snapshotEvery = 100;
/** Where the worker memory run's decision times are read for its growth: the hundred ending at each. */
const decisionsTakenSizes = [100, 500, 1_000];
/** Waiting longer than this for the state or the audit row to show means the round trip is broken, not slow. */
const visibleWithinMs = 10_000;

type WorkItemHandle = WorkflowHandle<typeof workItemWorkflow>;
type BareHandle = WorkflowHandle<typeof bareWorkflow>;

const waitUntil = (what: string, check: () => Promise<boolean>) => waitFor(what, check, { withinMs: visibleWithinMs, everyMs: 5, suite: 'orchestrator' });

const run: BenchSuite = async () => {
  await quietTemporalLogs();
  const { gc, mode: gcMode } = gcFunction();
  const runTag = randomUUID().slice(0, 8);
  const keyPrefix = `BENCH${Math.floor(Math.random() * 1e6)}`;
  const temporal: BenchTemporal = await startBenchTemporal();
  let store: OpenStore | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const started: WorkflowHandle[] = [];
  try {
    store = await openBenchStore();
    const db = store.db;
    const config = loadConfig(exampleTargetRepo);
    await upsertDevelopers(db, config.roles.values());
    const insight = createDomainInsight();
    const activities = createActivities({
      db,
      config: () => config,
      logger: createLogger('bench', 'silent'),
      insight: { impact: insight.impact, prReady: () => Promise.reject(new Error('prReady is not reached before plan approval')) },
      agent: unreachedBeforeApproval<ActivityDeps['agent']>('agent'),
      ci: unreachedBeforeApproval<ActivityDeps['ci']>('ci'),
      ciKnowledge: unreachedBeforeApproval<ActivityDeps['ciKnowledge']>('ciKnowledge'),
      memory: unreachedBeforeApproval<ActivityDeps['memory']>('memory'),
    });
    const taskQueue = `bench-orchestrator-${runTag}`;
    worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowBundle: await benchWorkflowBundle(),
      activities,
      sinks: createDecisionSinks(activities, createLogger('bench', 'silent')),
      shutdownGraceTime: '2 seconds',
    });
    running = worker.run();
    const client = temporal.client;

    let items = 0;
    const startWorkItem = async (): Promise<{ key: string; handle: WorkItemHandle }> => {
      const key = `${keyPrefix}-${++items}`;
      await client.workflow.start('workItemWorkflow', {
        taskQueue,
        workflowId: workItemWorkflowId(key),
        args: [
          {
            key,
            ownerId: 'maria',
            title: 'Capacity errors per platform',
            intention: 'NodePool should report capacity errors per platform',
            plan: editedPlan(key, 0),
          },
        ],
      });
      // A handle without a run id follows the work item across continue-as-new, as Slack and the CLI do.
      const handle = client.workflow.getHandle<typeof workItemWorkflow>(workItemWorkflowId(key));
      started.push(handle);
      await waitUntil(`${key} awaiting plan approval`, async () => (await handle.query(workItemStateQuery)).status === 'awaiting-plan-approval');
      return { key, handle };
    };
    let bares = 0;
    const startBare = async (): Promise<BareHandle> => {
      const workflowId = `bench-bare-${runTag}-${++bares}`;
      await client.workflow.start('bareWorkflow', { taskQueue, workflowId });
      const handle = client.workflow.getHandle<typeof bareWorkflow>(workflowId);
      started.push(handle);
      return handle;
    };

    let edits = 0;
    const edit = (key: string, handle: WorkItemHandle) => {
      const n = ++edits;
      const updateId = `bench-edit-${runTag}-${n}`;
      const sent = handle.executeUpdate(editPlanUpdate, {
        args: [{ actor: 'maria', surface: 'slack-modal', plan: editedPlan(key, n), note: `bench edit ${n}` }],
        updateId,
      });
      return { updateId, sent };
    };
    let bareSent = 0;
    const bare = (handle: BareHandle) => {
      const n = ++bareSent;
      return handle.executeUpdate(bareUpdate, { args: [n], updateId: `bench-bare-${runTag}-${n}` });
    };

    // --- 1. decision round trip ------------------------------------------------------------------------
    // The round trip ends when the decision is visible in the state query and its audit row is committed. The
    // update resolves only after both hold (the state changes in the workflow task that completes it, and the
    // worker's decision sink commits the audit row before that task completes), so the timer stops when the
    // update resolves. Every sample is then checked, untimed: one query and one read must already show it (a
    // miss fails the figure). The same round trip including that read-back is reported beside it, against a
    // bare update plus the same read-back on the empty workflow.
    const figures: BenchFigure[] = [];
    const item = await startWorkItem();
    const bareHandle = await startBare();
    let version = (await item.handle.query(workItemStateQuery)).planVersion;
    let notVisible = 0;
    const auditRow = async (updateId: string) =>
      (await db.select({ kind: decisions.kind }).from(decisions).where(eq(decisions.idempotencyKey, updateId)))[0]?.kind;

    /** Times one decision to its resolution, then reads it back (timed separately) and counts what was not there yet. */
    const decideAndCheck = async (send: () => Promise<{ updateId: string; outcome: string }>, visible: () => Promise<boolean>, kind: string) => {
      const t0 = performance.now();
      const { updateId, outcome } = await send();
      const resolved = performance.now();
      if (outcome !== 'applied') throw new Error(`orchestrator bench: ${updateId} was ${outcome}`);
      const stateShown = await visible();
      const auditShown = (await auditRow(updateId)) === kind;
      const readBack = performance.now() - resolved;
      if (!stateShown || !auditShown) {
        notVisible += 1;
        await waitUntil(`${updateId} in the state query`, visible);
        await waitUntil(`audit row ${updateId}`, async () => (await auditRow(updateId)) === kind);
      }
      return { decision: resolved - t0, readBack };
    };
    const bareRoundTrip = async () => {
      const t0 = performance.now();
      const n = await bare(bareHandle);
      const resolved = performance.now();
      // The same read-back against the empty workflow: one query, one indexed read of the audit table.
      await bareHandle.query(bareHandledQuery);
      await auditRow(`bench-bare-${runTag}-${n}`);
      return { decision: resolved - t0, readBack: performance.now() - resolved };
    };
    const editRoundTrip = () =>
      decideAndCheck(
        async () => {
          const { updateId, sent } = edit(item.key, item.handle);
          return { updateId, outcome: (await sent).outcome };
        },
        async () => {
          const expected = version + 1;
          const state = await item.handle.query(workItemStateQuery);
          const shown = state.planVersion === expected && state.planEdits.at(-1)?.version === expected;
          if (shown) version = expected;
          return shown;
        },
        'edit-plan',
      );

    /** Interleaved with the baseline, so load from other processes on this shared machine falls on both sides alike. */
    const interleaved = async (subjectRun: () => Promise<{ decision: number; readBack: number }>) => {
      for (let i = 0; i < warmup; i++) {
        await bareRoundTrip();
        await subjectRun();
      }
      const subject = { decision: [] as number[], withReadBack: [] as number[] };
      const base = { decision: [] as number[], withReadBack: [] as number[] };
      for (let i = 0; i < roundTrips; i++) {
        const b = await bareRoundTrip();
        base.decision.push(b.decision);
        base.withReadBack.push(b.decision + b.readBack);
        const s = await subjectRun();
        subject.decision.push(s.decision);
        subject.withReadBack.push(s.decision + s.readBack);
      }
      return { subject, base };
    };
    const roundTripFigure = (
      name: string,
      decision: string,
      run: Awaited<ReturnType<typeof interleaved>>,
      misses: number,
      extra: Record<string, string | number>,
    ) => {
      const rt = summarise(run.subject.decision);
      const bt = summarise(run.base.decision);
      const withReadBack = summarise(run.subject.withReadBack);
      const baseWithReadBack = summarise(run.base.withReadBack);
      return figure({
        suite: 'orchestrator',
        name,
        baseline: 'bare update, empty workflow',
        subject: rt,
        base: bt,
        target: 'median ratio <= 1.5, state and audit row visible on the first read-back',
        met: rt.medianMs / Math.max(bt.medianMs, 1e-6) <= 1.5 && misses === 0,
        growthNotApplicable:
          'one work item, one decision at a time; the cost against decisions already taken is the worker memory figure, against open work items the live suite',
        extra: {
          decision,
          p99Ratio: round(rt.p99Ms / Math.max(bt.p99Ms, 1e-6)),
          notVisibleOnFirstReadBack: misses,
          withReadBackMedianMs: round(withReadBack.medianMs),
          baselineWithReadBackMedianMs: round(baseWithReadBack.medianMs),
          withReadBackRatio: round(withReadBack.medianMs / Math.max(baseWithReadBack.medianMs, 1e-6)),
          withReadBackP99Ratio: round(withReadBack.p99Ms / Math.max(baseWithReadBack.p99Ms, 1e-6)),
          store: store!.kind,
          temporal: temporal.source,
          ...extra,
        },
      });
    };

    const editRun = await interleaved(editRoundTrip);
    const editMisses = notVisible;
    const itemDescription = await item.handle.describe();
    figures.push(
      roundTripFigure(
        `decision round trip (plan edit) x${roundTrips}`,
        'editPlanUpdate before approval on one work item: validated, versioned, audited with its notification and plan version',
        editRun,
        editMisses,
        {
          workItemContinuedAsNew: itemDescription.runId === itemDescription.raw.workflowExecutionInfo?.firstRunId ? 'no' : 'yes',
        },
      ),
    );

    // 1b. A light decision (pause / resume alternately), the shape of a gate approval: no plan to write.
    const light = await startWorkItem();
    let toggles = 0;
    notVisible = 0;
    const toggle = () => {
      const n = ++toggles;
      const pausing = n % 2 === 1;
      const updateId = `bench-toggle-${runTag}-${n}`;
      return decideAndCheck(
        async () => ({
          updateId,
          outcome: (await light.handle.executeUpdate(pausing ? pauseUpdate : resumeUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId }))
            .outcome,
        }),
        async () => ((await light.handle.query(workItemStateQuery)).status === 'paused') === pausing,
        pausing ? 'pause' : 'resume',
      );
    };
    const toggled = await interleaved(toggle);
    const lightState = await light.handle.query(workItemStateQuery);
    if (lightState.phases.some((p) => p.status !== 'blocked')) {
      throw new Error(`orchestrator bench: pausing an unapproved plan started phases: ${lightState.phases.map((p) => `${p.id}=${p.status}`).join(', ')}`);
    }
    figures.push(
      roundTripFigure(
        `decision round trip (pause/resume) x${roundTrips}`,
        'pause and resume alternately on one work item awaiting plan approval',
        toggled,
        notVisible,
        { statusAfter: lightState.status },
      ),
    );
    await light.handle.terminate('orchestrator bench: round trips done');

    // 1c. 50 people tap at once: 50 concurrent decisions on 50 work items through the orchestrator port (what the
    // Slack app calls after acknowledging a tap), against 50 concurrent bare updates on 50 empty workflows.
    const port = createTemporalOrchestrator({
      client,
      taskQueue,
      workItemKeysFor: async () => [],
      recentCi: async () => [],
      recentKnowledge: async () => [],
    });
    const crowd = [];
    for (let i = 0; i < concurrentTaps; i++) crowd.push(await startWorkItem());
    const bareCrowd = [];
    for (let i = 0; i < concurrentTaps; i++) bareCrowd.push(await startBare());
    const crowdTimes: number[] = [];
    const bareCrowdTimes: number[] = [];
    let crowdMisses = 0;
    for (let round = 0; round <= concurrentRounds; round++) {
      const pausing = round % 2 === 0;
      const bareRound = await Promise.all(
        bareCrowd.map(async (h) => {
          const t0 = performance.now();
          await bare(h);
          return performance.now() - t0;
        }),
      );
      const keys = crowd.map((c) => `bench-crowd-${runTag}-${round}-${c.key}`);
      const tapRound = await Promise.all(
        crowd.map(async (c, i) => {
          const t0 = performance.now();
          const result = await port.decide({
            workItemKey: c.key,
            kind: pausing ? 'pause' : 'resume',
            actor: 'maria',
            surface: 'slack-button',
            idempotencyKey: keys[i]!,
          });
          if (result.outcome !== 'applied') throw new Error(`orchestrator bench: concurrent ${pausing ? 'pause' : 'resume'} on ${c.key} was ${result.outcome}`);
          return performance.now() - t0;
        }),
      );
      // Every decision of the round is stored when its update resolves: one read checks all 50.
      const stored = await db.select({ key: decisions.idempotencyKey }).from(decisions).where(inArray(decisions.idempotencyKey, keys));
      crowdMisses += concurrentTaps - stored.length;
      if (round > 0) {
        bareCrowdTimes.push(...bareRound);
        crowdTimes.push(...tapRound);
      }
    }
    const ct = summarise(crowdTimes);
    const cb = summarise(bareCrowdTimes);
    figures.push(
      figure({
        suite: 'orchestrator',
        name: `decision round trip, ${concurrentTaps} concurrent taps x${concurrentRounds}`,
        baseline: `${concurrentTaps} concurrent bare updates, empty workflows`,
        subject: ct,
        base: cb,
        target: 'median ratio <= 1.5, every audit row stored when its update resolves',
        met: ct.medianMs / Math.max(cb.medianMs, 1e-6) <= 1.5 && crowdMisses === 0,
        growthNotApplicable: 'concurrent taps at 10, 50 and 200 are the slack and ask suites; open work items at 10, 100 and 1,000 the live suite',
        extra: {
          decision: `pause / resume on ${concurrentTaps} work items at once through the orchestrator port (as the Slack app calls it after the ack)`,
          p99Ratio: round(ct.p99Ms / Math.max(cb.p99Ms, 1e-6)),
          auditRowsMissingAtResolution: crowdMisses,
          store: store.kind,
        },
      }),
    );
    await Promise.allSettled(crowd.map((c) => c.handle.terminate('orchestrator bench: concurrent taps done')));
    await Promise.allSettled(bareCrowd.map((h) => h.signal(bareStopSignal)));

    // Retire the round-trip workflows so the memory phase starts with the same worker cache on both sides.
    await bareHandle.signal(bareStopSignal);
    await item.handle.terminate('orchestrator bench: round trips done');

    // --- 2. worker memory after 1,000 decisions -----------------------------------------------------
    const idle = await idleJitter(gc);
    const bareMemory = await startBare();
    for (let i = 0; i < warmup; i++) await bare(bareMemory);
    const bareDataBefore = await retainedDataBytes();
    const bareRun = await decisionsWithSnapshots(gc, { decisions: memoryDecisions, snapshotEvery }, () => bare(bareMemory));
    const bareDataAfter = await retainedDataBytes();

    const memItem = await startWorkItem();
    for (let i = 0; i < warmup; i++) await edit(memItem.key, memItem.handle).sent;
    // A heap snapshot stops this process for seconds: taken while the work item still has a workflow task or an
    // activity in flight, or while the timer that confirms its last decisions is due, that task would outlive
    // its timeout and be retried. So each snapshot waits until the work item is idle at its gate.
    await untilIdle(memItem.handle);
    const itemDataBefore = await retainedDataBytes();
    const itemRun = await decisionsWithSnapshots(gc, { decisions: memoryDecisions, snapshotEvery }, () => edit(memItem.key, memItem.handle).sent);
    await untilIdle(memItem.handle);
    const itemDataAfter = await retainedDataBytes();
    const [audited] = await db.select({ n: count() }).from(decisions).where(eq(decisions.workItemKey, memItem.key));
    if ((audited?.n ?? 0) !== memoryDecisions + warmup)
      throw new Error(`orchestrator bench: ${audited?.n} audit rows for ${memoryDecisions + warmup} decisions on ${memItem.key}`);
    const finalState = await memItem.handle.query(workItemStateQuery);
    const memDescription = await memItem.handle.describe();

    const subjectGrowth = growthPerDecision(itemRun.snapshots);
    const baseGrowth = growthPerDecision(bareRun.snapshots);
    // Judged on the data still reachable after the run, from heap snapshots before and after it (V8 collects
    // garbage first), divided by the decisions: what a decision leaves behind. heapUsed's slope is reported
    // beside it but not judged: it also counts compiled code, which grows for thousands of calls as V8 tiers
    // up the activities' and store's hot paths (a plan edit runs far more code than a bare update), and it
    // moves by as much as idleHeapJitterBytes with nothing running. RSS holds the workflow threads' heaps and
    // freed pages, so it moves in MiB steps. A leak of anything kept per decision (a plan, a notification, an
    // update's payload: ~1 KB) shows as >= 1 KB per decision; 256 B per decision is left for noise.
    const heapAllowance = 256;
    const retainedPerDecision = (itemDataAfter.total - itemDataBefore.total) / memoryDecisions;
    const bareRetainedPerUpdate = (bareDataAfter.total - bareDataBefore.total) / memoryDecisions;
    const memoryMet = retainedPerDecision <= Math.max(bareRetainedPerUpdate, 0) + heapAllowance;
    const retainedByType = (before: { byType: Record<string, number> }, after: { byType: Record<string, number> }) =>
      Object.keys(after.byType)
        .map((type) => `${type}:${Math.round(((after.byType[type] ?? 0) - (before.byType[type] ?? 0)) / memoryDecisions)}`)
        .join(' ');
    const first = itemRun.snapshots[0]!;
    const last = itemRun.snapshots.at(-1)!;
    figures.push(
      figure({
        suite: 'orchestrator',
        name: `worker memory, ${memoryDecisions} plan edits (times)`,
        baseline: `${memoryDecisions} bare updates`,
        subject: summarise(itemRun.times),
        base: summarise(bareRun.times),
        target: `data retained/decision <= baseline + ${heapAllowance} B`,
        met: memoryMet,
        // How a plan edit's time grows with the decisions the work item has already taken (its history, its
        // plan versions, its seen update ids): the median of the hundred decisions ending at each size.
        growth: growthOf(
          'decisions already taken',
          decisionsTakenSizes,
          decisionsTakenSizes.map((n) => summarise(itemRun.times.slice(n - snapshotEvery, n)).medianMs),
        ),
        extra: {
          retainedDataBytesPerDecision: Math.round(retainedPerDecision),
          baselineRetainedDataBytesPerUpdate: Math.round(bareRetainedPerUpdate),
          retainedBytesPerDecisionByType: retainedByType(itemDataBefore, itemDataAfter),
          baselineRetainedBytesPerUpdateByType: retainedByType(bareDataBefore, bareDataAfter),
          gc: gcMode,
          heapUsedSlopeBytesPerDecisionWithCompiledCode: Math.round(subjectGrowth.heap),
          rssBytesPerDecision: Math.round(subjectGrowth.rss),
          baselineHeapUsedSlopeBytesPerUpdate: Math.round(baseGrowth.heap),
          baselineRssBytesPerUpdate: Math.round(baseGrowth.rss),
          idleHeapJitterBytes: idle,
          heapKiBEvery100Decisions: itemRun.snapshots.map((x) => Math.round(x.heapUsed / 1024)).join(' '),
          heapKiBEvery100BareUpdates: bareRun.snapshots.map((x) => Math.round(x.heapUsed / 1024)).join(' '),
          heapBeforeDecisions: first.heapUsed,
          heapAfterDecisions: last.heapUsed,
          rssBeforeDecisions: first.rss,
          rssAfterDecisions: last.rss,
          heapBeforeBare: bareRun.snapshots[0]!.heapUsed,
          heapAfterBare: bareRun.snapshots.at(-1)!.heapUsed,
          rssBeforeBare: bareRun.snapshots[0]!.rss,
          rssAfterBare: bareRun.snapshots.at(-1)!.rss,
          planEditsHeldInWorkflowState: finalState.planEdits.length,
          seenUpdateIdsHeldInWorkflowState: finalState.seenUpdateCount,
          workItemContinuedAsNew: memDescription.runId === memDescription.raw.workflowExecutionInfo?.firstRunId ? 'no' : 'yes',
          historyLengthOfCurrentRun: memDescription.historyLength,
          auditRows: audited?.n ?? 0,
        },
      }),
    );
    process.stderr.write(
      `bench: orchestrator memory — plan edits: data retained ${fmt(retainedPerDecision)} B/decision, heapUsed slope ${fmt(subjectGrowth.heap)} B/decision, ` +
        `rss ${fmt(subjectGrowth.rss)} B/decision; bare updates: data retained ${fmt(bareRetainedPerUpdate)} B/update, heapUsed slope ${fmt(baseGrowth.heap)} B/update, ` +
        `rss ${fmt(baseGrowth.rss)} B/update; idle heap jitter ${idle} B (gc: ${gcMode})\n`,
    );
    return figures;
  } finally {
    await Promise.allSettled(started.map((h) => h.terminate('orchestrator bench finished')));
    if (worker) {
      worker.shutdown();
      await running;
    }
    await store?.close();
    await temporal.stop();
  }
};

/**
 * Resolves once the work item's decisions are confirmed (its confirmation timer has fired) and the workflow
 * has neither a workflow task nor an activity pending, twice in a row.
 */
async function untilIdle(handle: WorkflowHandle): Promise<void> {
  await new Promise((r) => setTimeout(r, defaultDecisionConfirmMs + 1_000));
  const deadline = Date.now() + visibleWithinMs;
  for (let quiet = 0; quiet < 2;) {
    const { raw } = await handle.describe();
    quiet = raw.pendingWorkflowTask || (raw.pendingActivities?.length ?? 0) > 0 ? 0 : quiet + 1;
    if (Date.now() > deadline) throw new Error(`orchestrator bench: ${handle.workflowId} still busy after ${visibleWithinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const fmt = (x: number) => x.toFixed(0);

export default run;
