// One CI failure decided on Prow's terms, from three inputs: a pass of the same test on the same SHA, its
// historical pass rate (Sippy's, imported on a Schedule; the local log of watched runs when there is none),
// and whether the job is required — within Retester's caps and team.yaml's max_retries (decideFlake in
// flakes.ts). The decision and its inputs are stored per test, so the dashboard, App Home and the briefing
// show the state the retry used, not a second opinion computed elsewhere.
import type { Database } from '../db/client.js';
import { flakeStateRow, flakeStateRows, latestHistoryImports, recordHistoryImport, replaceTestHistory, saveFlakeState, testHistoryRow } from '../db/flakes.js';
import type { TeamConfig } from '../config/schema.js';
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
  retestsOnHead: number;
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
    retests: { onHead: args.retestsOnHead, retesterOnBaseHead: false },
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
