// Flake decisions against the labelled replay set (test/fixtures/flakes/replay.json, synthetic; how its
// labels are made is written in scripts/generate-flake-replay.ts). For each policy it reports precision
// and recall of "retry silently" (positive = the failure was a flake) and of "escalate" (positive = it was
// a regression), and times one pass over the set against parsing the set's JUnit alone.
//
// Today's policy: classifyFailure over the runs Situation Room watched itself, team.yaml defaults.
// New policy: decideFlake over Sippy's history for the release (served by the loopback Sippy and read by
// the real client), a pass on retry of the same SHA, the job's required flag and the retests on the HEAD.
// A pass over the fixed replay set has no size axis (growth n/a). Growth (issue 18 item 7) is measured on
// the product's own path for one CI failure instead: the CI knowledge port reads the test's watched runs
// from the store (PGlite, seeded with N runs of that test; sizes count them, default 100, 1,000, 10,000),
// classifies, decides and stores the decision, against reading the same window of runs alone.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, growthOf, measure, sizesFor, summarise, type BenchFigure, type BenchSuite, type SuiteOptions } from '../lib.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/db/client.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { createCiKnowledge } from '../../src/knowledge/ci-knowledge.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { parseJUnit } from '../../src/integrations/ci/junit.js';
import { createSippyClient, historicalRates } from '../../src/integrations/sippy.js';
import { sippyRow, startFakeSippy } from '../../test/support/doubles/sippy.js';
import { classifyFailure, decideFlake, defaultFlakeThresholds, type FlakePolicy, type HistoricalRate, type TestRun } from '../../src/knowledge/flakes.js';
import type { ReplayCase } from '../../scripts/generate-flake-replay.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const todayPolicy: FlakePolicy = { window_runs: 30, min_failure_rate: 0.05, max_retries: 2, known_signatures: [] };

interface Scores {
  retryPrecision: number;
  retryRecall: number;
  escalatePrecision: number;
  escalateRecall: number;
}

export function score(cases: readonly ReplayCase[], silent: readonly boolean[]): Scores {
  let tpRetry = 0,
    fpRetry = 0,
    fnRetry = 0,
    tpEsc = 0,
    fpEsc = 0,
    fnEsc = 0;
  cases.forEach((c, i) => {
    const flake = c.label === 'flake';
    if (silent[i] && flake) tpRetry++;
    else if (silent[i]) {
      fpRetry++;
      fnEsc++;
    } else if (flake) {
      fnRetry++;
      fpEsc++;
    } else tpEsc++;
  });
  const ratio = (a: number, b: number) => (a + b === 0 ? 1 : a / (a + b));
  return {
    retryPrecision: ratio(tpRetry, fpRetry),
    retryRecall: ratio(tpRetry, fnRetry),
    escalatePrecision: ratio(tpEsc, fpEsc),
    escalateRecall: ratio(tpEsc, fnEsc),
  };
}

function failureOf(c: ReplayCase) {
  const failed = parseJUnit(c.junit).cases.find((k) => k.status === 'failed');
  if (!failed) throw new Error(`${c.id}: the JUnit holds no failed testcase`);
  return failed;
}

export function todayDecisions(cases: readonly ReplayCase[]): boolean[] {
  return cases.map((c) => {
    const f = failureOf(c);
    const history: TestRun[] = c.watchedRuns.map((r) => ({
      test: f.name,
      runId: r.runId,
      commit: r.commit,
      attempt: r.attempt,
      outcome: r.outcome,
      message: r.message,
      at: new Date(r.at),
    }));
    return classifyFailure(history, { test: f.name, commit: c.commit, attempt: c.attempt, message: f.message }, todayPolicy).action === 'retry';
  });
}

export function newDecisions(cases: readonly ReplayCase[], rates: ReadonlyMap<string, HistoricalRate>): boolean[] {
  return cases.map((c) => {
    const f = failureOf(c);
    const d = decideFlake({
      test: f.name,
      passedOnRetrySameSha: c.passedOnRetrySameSha,
      history: rates.get(f.name),
      requiredJob: c.requiredJob,
      retests: c.retests,
      now: new Date(c.at),
      maxRetries: todayPolicy.max_retries,
      thresholds: defaultFlakeThresholds,
    });
    return d.action !== 'escalate';
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const decisionsPerSize = 40;

/** One CI failure decided through the CI knowledge port with N earlier runs of the test stored, at each size. */
async function decisionGrowth(opts: SuiteOptions | undefined): Promise<BenchFigure> {
  const sizes = sizesFor(opts, [100, 1_000, 10_000]);
  const config = loadConfig(exampleTargetRepo);
  const store = await openStore({ dataDir: 'memory://' });
  const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
  const ci = createCiKnowledge({ db: store.db, knowledge, config: { current: () => config } });
  const window = config.team.ci.flake_handling.window_runs;
  const test = 'TestNodePoolAutoRepair';
  const start = Date.parse('2026-01-01T00:00:00Z');
  const at: { size: number; subject: ReturnType<typeof summarise>; base: ReturnType<typeof summarise> }[] = [];
  let stored = 0;
  let decided = 0;
  try {
    for (const size of sizes) {
      // earlier runs of the test: one in eight failing with a timeout, every tenth commit retried
      for (; stored < size; stored++) {
        const fail = stored % 8 === 0;
        await knowledge.experience.recordTestRun({
          test,
          job: 'unit',
          runId: `run-${stored}`,
          commit: `c${Math.floor(stored / 2)}`,
          attempt: stored % 10 === 9 ? 2 : 1,
          outcome: fail ? 'fail' : 'pass',
          message: fail ? 'timed out waiting for NodePool to become ready' : undefined,
          at: new Date(start + stored * 60_000),
        });
      }
      const subject: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < decisionsPerSize + 3; i++) {
        const t0 = performance.now();
        await knowledge.experience.testHistory(test, window);
        const t1 = performance.now();
        const summary = await ci.classify({
          prUrl: 'https://github.com/openshift/hypershift/pull/1',
          report: {
            runId: `decide-${size}-${i}`,
            job: 'unit',
            commit: `head-${size}-${i}`,
            attempt: 1,
            state: 'failure',
            tests: [{ job: 'unit', test, status: 'failed', message: 'timed out waiting for NodePool to become ready' }],
          },
          failures: [{ job: 'unit', test, status: 'failed', message: 'timed out waiting for NodePool to become ready' }],
          retestsOnHead: 0,
        });
        const t2 = performance.now();
        if (summary.length !== 1) throw new Error(`bench flakes: one failure classified into ${summary.length} summaries`);
        decided++;
        if (i >= 3) {
          base.push(t1 - t0);
          subject.push(t2 - t1);
        }
      }
      at.push({ size, subject: summarise(subject), base: summarise(base) });
    }
  } finally {
    await store.close();
  }
  const top = at[at.length - 1]!;
  const growth = growthOf(
    'stored runs of the test',
    at.map((a) => a.size),
    at.map((a) => a.subject.medianMs),
  );
  return figure({
    suite: 'flakes',
    name: `decide one CI failure, ${top.size} runs of the test stored`,
    baseline: `reading the test's last ${window} runs alone`,
    subject: top.subject,
    base: top.base,
    target: 'decision time flat in stored runs',
    met: growth.class === 'flat',
    extra: { decisions: decided, windowRuns: window, medianMsAtEachSize: at.map((a) => a.subject.medianMs.toFixed(2)).join(' ') },
    growth,
  });
}

const run: BenchSuite = async (opts) => {
  const cases = (JSON.parse(readFileSync(join(here, '..', '..', 'test', 'fixtures', 'flakes', 'replay.json'), 'utf8')) as { cases: ReplayCase[] }).cases;
  const rows = new Map<string, ReturnType<typeof sippyRow>>();
  for (const c of cases) rows.set(failureOf(c).name, sippyRow(failureOf(c).name, ['Topology:hypershift'], c.sippy.runs, c.sippy.failures, c.sippy.flakes));
  const sippy = await startFakeSippy({ '4.21': [...rows.values()] });
  let rates: Map<string, HistoricalRate>;
  try {
    rates = historicalRates(await createSippyClient({ baseUrl: sippy.url }).tests({ release: '4.21' }));
  } finally {
    await sippy.close();
  }
  const today = score(cases, todayDecisions(cases));
  const next = score(cases, newDecisions(cases, rates));
  const regressions = cases.filter((c) => c.label === 'regression').length;
  console.log(`flakes: replay set of ${cases.length} failures (${regressions} regressions, ${cases.length - regressions} flakes; synthetic)`);
  for (const [name, s] of [
    ['today', today],
    ['new', next],
  ] as const) {
    console.log(
      `flakes: ${name.padEnd(5)} retry silently precision ${pct(s.retryPrecision)} recall ${pct(s.retryRecall)} | escalate precision ${pct(s.escalatePrecision)} recall ${pct(s.escalateRecall)}`,
    );
  }
  const base = await measure(() => cases.forEach(failureOf), 30);
  const figures: BenchFigure[] = [
    figure({
      suite: 'flakes',
      name: 'today: classify the replay set',
      baseline: 'parse its JUnit',
      subject: await measure(() => todayDecisions(cases), 30),
      base,
      extra: { ...today },
      growthNotApplicable: `one pass over the fixed replay set of ${cases.length} failures; see "decide one CI failure" for the size axis`,
    }),
    figure({
      suite: 'flakes',
      name: 'new: decide the replay set',
      baseline: 'parse its JUnit',
      subject: await measure(() => newDecisions(cases, rates), 30),
      base,
      extra: { ...next },
      growthNotApplicable: `one pass over the fixed replay set of ${cases.length} failures; see "decide one CI failure" for the size axis`,
    }),
    await decisionGrowth(opts),
  ];
  return figures;
};
export default run;
