// The live suite's figures from what it measured (bench/suites/live.ts): worker memory per open work item,
// the heap one weighs on one thread, the decision round trip and sticky cache hits as items open, and the
// recovery after a restart onto one and onto two workers.
import { figure, growthOf, summarise, type BenchFigure } from '../lib.js';
import { hitRate, taskProfile, type TaskCounters } from './task-counters.js';

export interface SizePoint {
  open: number;
  rss: number;
  heapUsed: number;
  decisionMs: number[];
  tasks: TaskCounters | undefined;
  cached: number;
}

export interface Recovery {
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

/** The heap one open workflow keeps, weighed on a debug-mode worker: a work item at its plan gate, and a bare one. */
export interface SameThreadHeap {
  kib: number;
  bareKib: number;
  items: number;
}

export interface Measured {
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

export function figuresOf(m: Measured): BenchFigure[] {
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
