// One CI failure decided on Prow's terms, from three inputs: a pass of the same test on the same SHA, its
// historical pass rate (Sippy's, imported on a Schedule; the local log of watched runs when there is none),
// and whether the job is required — within Retester's caps and team.yaml's max_retries (decideFlake in
// flakes.ts). The decision and its inputs are stored per test, so the dashboard, App Home and the briefing
// show the state the retry used, not a second opinion computed elsewhere.
import type { Database } from '../db/client.js';
import { flakeStateRow, flakeStateRows, latestHistoryImports, recordHistoryImport, replaceTestHistory, saveFlakeState, testHistoryRow } from '../db/flakes.js';
import type { TeamConfig } from '../config/schema.js';
import type { KnowledgeStore } from './store.js';
import { historicalRates, type SippyClient } from '../integrations/sippy.js';
import {
  classifyFailure,
  decideFlake,
  defaultFlakeThresholds,
  testStatistics,
  type FailureClassification,
  type FlakeAction,
  type FlakePolicy,
  type HistoricalRate,
  type PassRateBand,
  type TestRun,
} from './flakes.js';

/** What a person reads about a test: intermittent, broken by a change, failing for good, or fine. */
export type CiTestState = 'flaky' | 'regressed' | 'broken' | 'healthy';

export interface FlakeVerdict {
  test: string;
  action: FlakeAction;
  band: PassRateBand;
  state: CiTestState;
  flagged: boolean;
  reason: string;
  inputs: {
    /** Commits on which this test failed and then passed on the same SHA (the current one included). */
    sameShaRetries: number;
    passedOnRetrySameSha: boolean;
    /** Sippy's figures when imported, else the local log of watched runs. */
    history?: HistoricalRate & { source: 'sippy' | 'local' };
    requiredJob: boolean;
    retestsOnHead: number;
    retesterOnBaseHead?: boolean;
    maxRetries: number;
  };
  /** The local classifier's verdict (team's known signatures, a failing streak, a new way of failing). */
  localVerdict: FailureClassification['verdict'];
  signature: string;
  decidedAt: string;
}

/**
 * The local log as a HistoricalRate, one run per commit. Its pass rate is the share of commits whose first
 * attempt passed: a test that fails first and passes on retry every time is flaky, and must not land in
 * the 98–100% band that is never retried.
 */
export function localHistoricalRate(history: readonly TestRun[], test: string, policy: FlakePolicy): HistoricalRate | undefined {
  const s = testStatistics(history, test, policy);
  if (s.runs === 0) return undefined;
  return { runs: s.runs, passPercentage: 100 * (1 - s.failureRate), flakePercentage: 100 * s.flakeRate };
}

export function stateOf(action: FlakeAction, band: PassRateBand, flagged: boolean, localVerdict: FailureClassification['verdict']): CiTestState {
  if (action !== 'escalate') return 'flaky';
  if (localVerdict === 'real') return 'broken';
  if (band === 'high') return 'regressed';
  return flagged || localVerdict === 'known-flake' ? 'flaky' : 'regressed';
}

export interface DecideArgs {
  test: string;
  commit: string;
  attempt: number;
  message: string;
  /** The test's local log of watched runs, before this failure. */
  localHistory: readonly TestRun[];
  requiredJob: boolean;
  /** Retests of this HEAD so far, ours and Retester's. */
  retestsOnHead: number;
  /** Retester already posted `/retest-required` for this base+HEAD pair (read from its comments). */
  retesterOnBaseHead?: boolean;
  now: Date;
}

/** Decides one failure and stores the test's flag and decision. */
export async function decideCiFailure(db: Database, team: TeamConfig, args: DecideArgs): Promise<FlakeVerdict> {
  const policy = team.ci.flake_handling;
  const local = classifyFailure(args.localHistory, { test: args.test, commit: args.commit, attempt: args.attempt, message: args.message }, policy);
  const passedHere = args.localHistory.some((r) => r.test === args.test && r.commit === args.commit && r.outcome === 'pass');
  const sameShaRetries = local.evidence.intermittentCommits.length + (passedHere && !local.evidence.intermittentCommits.includes(args.commit) ? 1 : 0);
  const imported = await testHistoryRow(db, args.test);
  const localRate = localHistoricalRate(args.localHistory, args.test, policy);
  const history = imported
    ? { runs: imported.runs, passPercentage: imported.passPercentage, flakePercentage: imported.flakePercentage, source: 'sippy' as const }
    : localRate
      ? { ...localRate, source: 'local' as const }
      : undefined;
  const stored = await flakeStateRow(db, args.test);
  // The team's known signatures in team.yaml are a flag a person raised; a failing streak is never a flake.
  const teamFlag = local.evidence.knownSignature !== undefined && local.verdict !== 'real';
  const decision = decideFlake({
    test: args.test,
    passedOnRetrySameSha: sameShaRetries > 0 && local.verdict !== 'real',
    history,
    requiredJob: args.requiredJob,
    previous: { flagged: (stored?.flagged ?? false) || teamFlag, lastFailureAt: stored?.lastFailureAt ?? undefined },
    retests: { onHead: args.retestsOnHead, retesterOnBaseHead: args.retesterOnBaseHead ?? false },
    now: args.now,
    maxRetries: policy.max_retries,
    thresholds: defaultFlakeThresholds,
  });
  // A failing streak on our own runs beats any history: the code changed and the test followed.
  const action: FlakeAction = local.verdict === 'real' ? 'escalate' : decision.action;
  const reason = local.verdict === 'real' ? local.reason : decision.reason;
  const verdict: FlakeVerdict = {
    test: args.test,
    action,
    band: decision.band,
    state: stateOf(action, decision.band, decision.flag.flagged, local.verdict),
    flagged: decision.flag.flagged,
    reason,
    inputs: {
      sameShaRetries,
      passedOnRetrySameSha: sameShaRetries > 0,
      ...(history ? { history } : {}),
      requiredJob: args.requiredJob,
      retestsOnHead: args.retestsOnHead,
      ...(args.retesterOnBaseHead ? { retesterOnBaseHead: true } : {}),
      maxRetries: policy.max_retries,
    },
    localVerdict: local.verdict,
    signature: local.signature,
    decidedAt: args.now.toISOString(),
  };
  await saveFlakeState(db, {
    test: args.test,
    flagged: decision.flag.flagged,
    lastFailureAt: decision.flag.lastFailureAt ?? null,
    decision: verdict,
    decidedAt: args.now,
  });
  return verdict;
}

/** "flaky: 1 same-SHA retry · 70% pass over 400 runs (Sippy) · required job", as the briefing and alerts say it. */
export function describeDecision(d: {
  state: string;
  sameShaRetries: number;
  passPercentage?: number;
  historyRuns?: number;
  historySource?: 'sippy' | 'local';
  requiredJob: boolean;
}): string {
  const rate =
    d.passPercentage === undefined
      ? 'no history'
      : `${Number.isInteger(d.passPercentage) ? d.passPercentage : d.passPercentage.toFixed(1)}% pass over ${d.historyRuns ?? 0} runs (${d.historySource === 'sippy' ? 'Sippy' : 'watched runs'})`;
  return `${d.state}: ${d.sameShaRetries} same-SHA ${d.sameShaRetries === 1 ? 'retry' : 'retries'} · ${rate} · ${d.requiredJob ? 'required job' : 'optional job'}`;
}

export async function storedVerdicts(db: Database): Promise<Map<string, FlakeVerdict>> {
  return new Map((await flakeStateRows(db)).map((r) => [r.test, r.decision as FlakeVerdict]));
}

export interface HistoryImportResult {
  release: string;
  ok: boolean;
  tests: number;
  error?: string;
}

/**
 * Imports the release's test report, narrowed to the repository's variants, as one pass rate per test.
 * Every attempt is recorded, a failed one with its error, so the dashboard can say the history is stale.
 */
export async function importCiHistory(
  db: Database,
  sippy: SippyClient,
  config: NonNullable<TeamConfig['ci']['sippy']>,
  now: Date,
): Promise<HistoryImportResult> {
  try {
    const rows = await sippy.tests({
      release: config.release,
      ...(config.variants.length > 0
        ? { filter: config.variants.map((v) => ({ columnField: 'variants', operatorValue: 'has entry' as const, value: v })) }
        : {}),
    });
    const rates = historicalRates(rows);
    await replaceTestHistory(
      db,
      config.release,
      [...rates].map(([test, r]) => ({ test, runs: r.runs, passPercentage: r.passPercentage, flakePercentage: r.flakePercentage })),
      now,
    );
    await recordHistoryImport(db, { release: config.release, ok: true, tests: rates.size, error: null, at: now });
    return { release: config.release, ok: true, tests: rates.size };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await recordHistoryImport(db, { release: config.release, ok: false, tests: 0, error: error.slice(0, 500), at: now });
    throw err;
  }
}

export async function lastHistoryImport(db: Database): Promise<{ ok: boolean; release: string; tests: number; error: string | null; at: Date } | undefined> {
  const [row] = await latestHistoryImports(db, 1);
  return row;
}

// What people read: one view of every test, built here once and shown by the dashboard, App Home and the
// briefing alike, so no surface computes a second opinion.

/** One commit's outcome for a test: passed first time, failed then passed on the same SHA, or failed. */
export type TrendPoint = 'pass' | 'flake' | 'fail';

export interface CiTestView {
  test: string;
  state: CiTestState;
  /** From the stored decision when there is one; else from the local log. */
  reason?: string;
  sameShaRetries: number;
  passPercentage?: number;
  historyRuns?: number;
  historySource?: 'sippy' | 'local';
  requiredJob?: boolean;
  trend: TrendPoint[];
}

export interface CiHealthView {
  tests: CiTestView[];
  history?: { ok: boolean; release: string; tests: number; error: string | null; at: Date };
}

const trendRuns = 20;

/** Oldest first, one point per commit, from the local log of watched runs. */
export function trendOf(history: readonly TestRun[]): TrendPoint[] {
  const byCommit = new Map<string, TestRun[]>();
  for (const r of [...history].sort((a, b) => a.at.getTime() - b.at.getTime())) byCommit.set(r.commit, [...(byCommit.get(r.commit) ?? []), r]);
  return [...byCommit.values()].slice(-trendRuns).map((runs) => {
    const sorted = [...runs].sort((a, b) => a.attempt - b.attempt || a.at.getTime() - b.at.getTime());
    if (sorted[0]!.outcome === 'pass') return 'pass';
    return sorted.some((r) => r.outcome === 'pass') ? 'flake' : 'fail';
  });
}

/**
 * The state shown: the stored decision's, unless a regression or breakage it reported has since passed on
 * a newer commit at the first attempt; without a decision, the local log's health.
 */
export function testView(test: string, history: readonly TestRun[], verdict: FlakeVerdict | undefined, policy: FlakePolicy): CiTestView {
  const trend = trendOf(history);
  const stats = testStatistics(history, test, policy);
  if (verdict) {
    const decidedAt = Date.parse(verdict.decidedAt);
    const laterCommits = new Set(history.filter((r) => r.at.getTime() > decidedAt).map((r) => r.commit));
    const recovered =
      (verdict.state === 'regressed' || verdict.state === 'broken') &&
      [...laterCommits].some((c) => trendOf(history.filter((r) => r.commit === c))[0] === 'pass');
    const h = verdict.inputs.history;
    return {
      test,
      state: recovered ? 'healthy' : verdict.state,
      reason: recovered ? `${verdict.reason} — passed since` : verdict.reason,
      sameShaRetries: Math.max(verdict.inputs.sameShaRetries, stats.passedOnRetry),
      ...(h ? { passPercentage: h.passPercentage, historyRuns: h.runs, historySource: h.source } : {}),
      requiredJob: verdict.inputs.requiredJob,
      trend,
    };
  }
  const state: CiTestState = stats.health === 'failing' ? 'broken' : stats.health === 'flaky' ? 'flaky' : 'healthy';
  return {
    test,
    state,
    sameShaRetries: stats.passedOnRetry,
    ...(stats.runs > 0 ? { passPercentage: 100 * (1 - stats.failureRate), historyRuns: stats.runs, historySource: 'local' as const } : {}),
    trend,
  };
}

const stateOrder: Record<CiTestState, number> = { broken: 0, regressed: 1, flaky: 2, healthy: 3 };

export async function loadCiHealth(db: Database, knowledge: KnowledgeStore, policy: FlakePolicy): Promise<CiHealthView> {
  const verdicts = await storedVerdicts(db);
  const fromLog = (await knowledge.experience.listExperience()).filter((e) => e.kind === 'ci-test').map((e) => (e.data as { test?: string }).test ?? e.key);
  const names = [...new Set([...fromLog, ...verdicts.keys()])];
  const tests: CiTestView[] = [];
  for (const test of names) tests.push(testView(test, await knowledge.experience.testHistory(test, policy.window_runs), verdicts.get(test), policy));
  tests.sort((a, b) => stateOrder[a.state] - stateOrder[b.state] || a.test.localeCompare(b.test));
  const history = await lastHistoryImport(db);
  return { tests, ...(history ? { history } : {}) };
}

const pct = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(1)}%`;

type DecisionInputs = Pick<CiTestView, 'sameShaRetries' | 'passPercentage' | 'historyRuns' | 'historySource' | 'requiredJob'>;

/** The decision's inputs worded once for every surface: same-SHA retries, historical pass rate, required or not. */
export function inputParts(t: DecisionInputs): { retries: string; history: string; job: string } {
  return {
    retries: `${t.sameShaRetries} same-SHA ${t.sameShaRetries === 1 ? 'retry' : 'retries'}`,
    history:
      t.passPercentage === undefined
        ? 'no history'
        : `${pct(t.passPercentage)} pass over ${t.historyRuns} ${t.historyRuns === 1 ? 'run' : 'runs'} (${t.historySource === 'sippy' ? 'Sippy' : 'watched runs'})`,
    job: t.requiredJob === undefined ? 'job not decided on yet' : t.requiredJob ? 'required job' : 'optional job',
  };
}

/** "1 same-SHA retry · 70% pass over 400 runs (Sippy) · required job", as the dashboard writes it. */
export function describeInputs(t: DecisionInputs): string {
  const p = inputParts(t);
  return [p.retries, p.history, p.job].join(' · ');
}
