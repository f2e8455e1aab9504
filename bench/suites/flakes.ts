// Flake decisions against the labelled replay set (test/fixtures/flakes/replay.json, synthetic; how its
// labels are made is written in scripts/generate-flake-replay.ts). For each policy it reports precision
// and recall of "retry silently" (positive = the failure was a flake) and of "escalate" (positive = it was
// a regression), and times one pass over the set against parsing the set's JUnit alone.
//
// Today's policy: classifyFailure over the runs Situation Room watched itself, team.yaml defaults.
// New policy: decideFlake over Sippy's history for the release (served by the loopback Sippy and read by
// the real client), a pass on retry of the same SHA, the job's required flag and the retests on the HEAD.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, measure, type BenchFigure, type BenchSuite } from '../lib.js';
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

const run: BenchSuite = async () => {
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
    }),
    figure({
      suite: 'flakes',
      name: 'new: decide the replay set',
      baseline: 'parse its JUnit',
      subject: await measure(() => newDecisions(cases, rates), 30),
      base,
      extra: { ...next },
    }),
  ];
  return figures;
};
export default run;
