// Per-test CI statistics and the flake classifier. Pure: the caller passes the run history of one test
// and the team's flake policy (ci.flake_handling in team.yaml); nothing here reads a clock or a database.
//
// How "flake" is decided, so an engineer can argue with it:
// - A failure is a KNOWN FLAKE when its signature (the normalised first error line) matches one of the
//   team's known signatures for that test, or when the same signature was seen before AND on that same
//   commit the test also passed (a retry went green on identical code). That is what makes it intermittent
//   rather than broken, however often it happens: 11 failed first attempts out of 12 runs, each green on
//   retry, is a very flaky test, not a broken one.
// - A failure is REAL when the same signature has failed on every run since some commit with no pass
//   on any of those commits (retries included): the code changed and the test followed.
// - A failure with a signature never seen in the window is NEW and is escalated: a flaky test can
//   also break for real, and a new way of failing is the first sign of it.
// - Anything else (seen before, never proven intermittent, not consistent) is UNKNOWN and escalated.
import type { TeamConfig } from '../config/schema.js';
import { unsafeRegexReason } from '../domain/safe-regex.js';

export type FlakePolicy = TeamConfig['ci']['flake_handling'];

export interface TestRun {
  test: string;
  /** One CI job execution (a Prow job id or a GitHub run id); retries of that job share the commit, not the id. */
  runId: string;
  commit: string;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
  outcome: 'pass' | 'fail';
  /** Raw failure output (first lines are enough); the signature is derived from it when absent. */
  message?: string | undefined;
  signature?: string | undefined;
  durationMs?: number | undefined;
  at: Date;
}

export interface NewFailure {
  test: string;
  commit: string;
  attempt: number;
  message: string;
}

export type FailureVerdict = 'known-flake' | 'real' | 'new-signature' | 'unknown';

export interface FailureClassification {
  verdict: FailureVerdict;
  /** retry: retrigger the job silently and log it; escalate: tell the owner with decision buttons. */
  action: 'retry' | 'escalate';
  signature: string;
  /** One sentence a person can check against the history. */
  reason: string;
  /** Facts behind the verdict, for the experience log and the alert. */
  evidence: {
    windowRuns: number;
    sameSignatureFailures: number;
    intermittentCommits: string[];
    knownSignature?: string;
    failingSince?: string;
    retriesUsed: number;
    maxRetries: number;
  };
}

const errorLine = /(error|fail|panic|timed out|timeout|deadline exceeded|expected|unexpected|refused|not found|denied)/i;

/**
 * The normalised first error line of a failure: numbers, durations, hex ids, UUIDs, IPs, timestamps
 * and pod/replica-set name suffixes are replaced so that two occurrences of the same problem compare equal.
 */
export function failureSignature(message: string): string {
  const lines = message
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const first = lines.find((l) => errorLine.test(l)) ?? lines[0] ?? '';
  return normaliseLine(first);
}

export function normaliseLine(line: string): string {
  return (
    line
      // Go test location prefix ("nodepool_test.go:123:") and leading log timestamps.
      .replace(/^\s*[\w./-]+\.go:\d+:\s*/, '')
      .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
      .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
      .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>')
      // Pod names: <name>-<replicaset hash>-<5 chars> and <name>-<5 chars> (Kubernetes generateName suffix).
      .replace(/\b([a-z][a-z0-9-]*?)-[a-z0-9]{8,10}-[a-z0-9]{5}\b/g, '$1-<pod>')
      .replace(/\b([a-z][a-z0-9-]*?)-(?=[a-z0-9]*\d)[a-z0-9]{5}\b/g, '$1-<pod>')
      .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, '<hex>')
      // Go durations (1h2m3.5s, 300ms, 10m0s) before bare numbers.
      .replace(/\b(\d+(\.\d+)?(h|ms|us|µs|ns|m|s))+\b/g, '<duration>')
      .replace(/\d+(\.\d+)?/g, 'N')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function signatureOf(run: TestRun): string | undefined {
  if (run.outcome !== 'fail') return undefined;
  return run.signature ?? (run.message !== undefined ? failureSignature(run.message) : undefined);
}

/** The last `windowRuns` CI runs (distinct runIds) of the test, newest last, with all their attempts. */
export function windowOf(history: readonly TestRun[], test: string, windowRuns: number): TestRun[] {
  const own = history.filter((r) => r.test === test).sort((a, b) => a.at.getTime() - b.at.getTime() || a.attempt - b.attempt);
  const runIds: string[] = [];
  for (const r of own) if (!runIds.includes(r.runId)) runIds.push(r.runId);
  const kept = new Set(runIds.slice(-windowRuns));
  return own.filter((r) => kept.has(r.runId));
}

/** A known signature pattern from team.yaml: `/regex/flags` or a case-insensitive substring. */
export function matchesKnownPattern(pattern: string, message: string, signature: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    // team.yaml validation refuses unsafe patterns; this guards a config object built elsewhere.
    if (unsafeRegexReason(regex[1]!)) return false;
    try {
      const re = new RegExp(regex[1]!, regex[2]);
      return re.test(message) || re.test(signature);
    } catch {
      return false;
    }
  }
  const needle = pattern.toLowerCase();
  return message.toLowerCase().includes(needle) || signature.toLowerCase().includes(needle);
}

export function classifyFailure(history: readonly TestRun[], failure: NewFailure, policy: FlakePolicy): FailureClassification {
  const signature = failureSignature(failure.message);
  const window = windowOf(history, failure.test, policy.window_runs);
  const windowRuns = new Set(window.map((r) => r.runId)).size;
  const retriesUsed = Math.max(0, failure.attempt - 1);
  const canRetry = retriesUsed < policy.max_retries;

  const sameSignature = window.filter((r) => signatureOf(r) === signature);
  const passedCommits = new Set(window.filter((r) => r.outcome === 'pass').map((r) => r.commit));
  const intermittentCommits = [...new Set(sameSignature.filter((r) => passedCommits.has(r.commit)).map((r) => r.commit))];
  const known = policy.known_signatures.find((k) => (k.test === failure.test || k.test === '*') && matchesKnownPattern(k.pattern, failure.message, signature));
  const evidence: FailureClassification['evidence'] = {
    windowRuns,
    sameSignatureFailures: sameSignature.length,
    intermittentCommits,
    retriesUsed,
    maxRetries: policy.max_retries,
    ...(known ? { knownSignature: known.pattern } : {}),
  };

  const flake = (why: string): FailureClassification =>
    canRetry
      ? { verdict: 'known-flake', action: 'retry', signature, reason: `${why}; retry ${retriesUsed + 1} of ${policy.max_retries}`, evidence }
      : {
          verdict: 'known-flake',
          action: 'escalate',
          signature,
          reason: `${why}, but the ${policy.max_retries} allowed retries are used up on this commit`,
          evidence,
        };

  // A failing streak since some commit beats every flake argument: the code changed and the test followed.
  const failingSince = consistentFailureStart(window, signature, failure.commit);
  if (failingSince) {
    return {
      verdict: 'real',
      action: 'escalate',
      signature,
      reason: `"${signature}" has failed on every run since commit ${failingSince.slice(0, 12)} with no pass on those commits, retries included`,
      evidence: { ...evidence, failingSince },
    };
  }
  if (known) return flake(`matches the team's known flake signature "${known.pattern}" for ${failure.test}`);
  if (sameSignature.length === 0) {
    return {
      verdict: 'new-signature',
      action: 'escalate',
      signature,
      reason: `new failure signature for ${failure.test}: "${signature}" was not seen in the last ${windowRuns} runs`,
      evidence,
    };
  }
  if (intermittentCommits.length > 0) {
    const failed = sameSignature.length;
    return flake(
      `"${signature}" failed ${failed} time${failed === 1 ? '' : 's'} in the last ${windowRuns} runs and passed on the same code for ${intermittentCommits.length} commit${intermittentCommits.length === 1 ? '' : 's'}`,
    );
  }
  return {
    verdict: 'unknown',
    action: 'escalate',
    signature,
    reason: `"${signature}" was seen ${sameSignature.length} time(s) before but never passed on the same commit, so it is not proven intermittent`,
    evidence,
  };
}

/**
 * When the signature failed on every commit from some commit up to (and including) the current one, with
 * no pass on any of those commits, returns that first commit. Needs at least two distinct commits in the
 * streak: one red commit is what a retry is for.
 */
function consistentFailureStart(window: readonly TestRun[], signature: string, currentCommit: string): string | undefined {
  const commits: string[] = [];
  for (const r of window) if (!commits.includes(r.commit)) commits.push(r.commit);
  if (!commits.includes(currentCommit)) commits.push(currentCommit);
  let start: string | undefined;
  let streak = 0;
  for (let i = commits.length - 1; i >= 0; i--) {
    const commit = commits[i]!;
    const runs = window.filter((r) => r.commit === commit);
    if (commit === currentCommit && runs.length === 0) continue; // only the failure being classified
    const passed = runs.some((r) => r.outcome === 'pass');
    const allSame = runs.length > 0 && runs.every((r) => signatureOf(r) === signature);
    if (passed || !allSame) break;
    start = commit;
    streak++;
  }
  return streak >= 2 ? start : undefined;
}

export type TestHealth = 'stable' | 'flaky' | 'failing' | 'no-data';

export interface TestStatistics {
  test: string;
  runs: number;
  /** Runs whose final attempt passed. */
  passedRuns: number;
  /** Runs whose first attempt failed. */
  firstAttemptFailures: number;
  /** Runs that failed first and passed on a retry: flake evidence. */
  passedOnRetry: number;
  passRate: number;
  failureRate: number;
  /** Share of runs that needed a retry to pass. */
  flakeRate: number;
  health: TestHealth;
  signatures: Array<{ signature: string; count: number; lastSeen: Date }>;
  medianDurationMs?: number;
}

/** Statistics over the policy window, as written to the tier 2 experience log and shown on the dashboard. */
export function testStatistics(history: readonly TestRun[], test: string, policy: FlakePolicy): TestStatistics {
  const window = windowOf(history, test, policy.window_runs);
  // Grouped by commit, not by job run id: Prow gives a retest a new run id, and a failure that passed on a
  // retest of the same SHA is the flake evidence the retry decision uses (decideFlake, flake-decisions.ts).
  const byRun = new Map<string, TestRun[]>();
  for (const r of window) byRun.set(r.commit, [...(byRun.get(r.commit) ?? []), r]);
  let passedRuns = 0;
  let firstAttemptFailures = 0;
  let passedOnRetry = 0;
  for (const attempts of byRun.values()) {
    const sorted = [...attempts].sort((a, b) => a.attempt - b.attempt || a.at.getTime() - b.at.getTime());
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    if (last.outcome === 'pass') passedRuns++;
    if (first.outcome === 'fail') {
      firstAttemptFailures++;
      if (last.outcome === 'pass') passedOnRetry++;
    }
  }
  const runs = byRun.size;
  const sigs = new Map<string, { count: number; lastSeen: Date }>();
  for (const r of window) {
    const s = signatureOf(r);
    if (!s) continue;
    const prev = sigs.get(s);
    sigs.set(s, { count: (prev?.count ?? 0) + 1, lastSeen: prev && prev.lastSeen > r.at ? prev.lastSeen : r.at });
  }
  const durations = window
    .map((r) => r.durationMs)
    .filter((d): d is number => typeof d === 'number')
    .sort((a, b) => a - b);
  const failureRate = runs === 0 ? 0 : firstAttemptFailures / runs;
  const flakeRate = runs === 0 ? 0 : passedOnRetry / runs;
  const lastRuns = [...byRun.values()].slice(-2);
  const failingNow = lastRuns.length === 2 && lastRuns.every((attempts) => attempts.every((a) => a.outcome === 'fail'));
  const health: TestHealth = runs === 0 ? 'no-data' : failingNow ? 'failing' : flakeRate >= policy.min_failure_rate && passedOnRetry > 0 ? 'flaky' : 'stable';
  return {
    test,
    runs,
    passedRuns,
    firstAttemptFailures,
    passedOnRetry,
    passRate: runs === 0 ? 0 : passedRuns / runs,
    failureRate,
    flakeRate,
    health,
    signatures: [...sigs.entries()].map(([signature, v]) => ({ signature, ...v })).sort((a, b) => b.count - a.count),
    ...(durations.length > 0 ? { medianDurationMs: durations[Math.floor(durations.length / 2)]! } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Decisions on Prow's terms: Sippy's history, a pass on retry of the same SHA, and whether the job is
// required, within the caps of OpenShift's Retester so the two bots never stack.
//
// The bands are those of OpenShift's Risk Analysis: a test passing 98–100% of the time (High) that fails
// is most likely broken by the change and is never retried silently; 80–97% (Medium) is ambiguous; under
// 80% (Low) is a known-flaky test. A test is FLAGGED flaky once its flake rate reaches `flag_at_flake_rate`
// and stays flagged until the rate drops under `clear_below_flake_rate` (hysteresis, so one good week in
// Sippy's rolling window does not flip it back and forth) or until it has been quiet — no failure seen —
// for `quiet_days`.

export type PassRateBand = 'high' | 'medium' | 'low' | 'unknown';

/** One test's history as Sippy reports it for the release (summed over the repository's jobs/variants). */
export interface HistoricalRate {
  runs: number;
  /** 0–100, Sippy's `current_pass_percentage` (a flake counts as a pass there). */
  passPercentage: number;
  /** 0–100, Sippy's `current_flake_percentage`. */
  flakePercentage: number;
}

export interface FlakeThresholds {
  /** Runs Sippy must have seen before its pass rate is trusted. */
  min_runs: number;
  flag_at_flake_rate: number;
  clear_below_flake_rate: number;
  quiet_days: number;
}

export const defaultFlakeThresholds: FlakeThresholds = { min_runs: 20, flag_at_flake_rate: 0.1, clear_below_flake_rate: 0.03, quiet_days: 7 };

/** What Situation Room remembers about one test between decisions. */
export interface FlakeFlag {
  flagged: boolean;
  /** The last failure of the test seen anywhere (Sippy or a watched run), for the quiet-week recovery. */
  lastFailureAt?: Date | undefined;
}

export interface RetestCount {
  /** `/retest`, `/retest-required` and `/test` comments on this HEAD, Retester's and ours. */
  onHead: number;
  /** Retester already posted `/retest-required` for this base+HEAD pair. */
  retesterOnBaseHead: boolean;
}

export interface FlakeDecisionInput {
  test: string;
  /** The same test passed on the same SHA (an earlier attempt, or another job of the same commit). */
  passedOnRetrySameSha: boolean;
  history?: HistoricalRate | undefined;
  requiredJob: boolean;
  previous?: FlakeFlag | undefined;
  retests: RetestCount;
  now: Date;
  maxRetries: number;
  thresholds: FlakeThresholds;
}

/** retry: post the retest ourselves; leave-to-retester: Retester will (or did) retest, we stay quiet; escalate: tell the owner. */
export type FlakeAction = 'retry' | 'leave-to-retester' | 'escalate';

export interface FlakeDecision {
  action: FlakeAction;
  band: PassRateBand;
  flag: FlakeFlag;
  reason: string;
}

/** Retester puts `/hold` on a PR after this many retests of one HEAD. */
export const retesterHoldAfter = 3;

export function passRateBand(history: HistoricalRate | undefined, minRuns: number): PassRateBand {
  if (!history || history.runs < minRuns) return 'unknown';
  if (history.passPercentage >= 98) return 'high';
  if (history.passPercentage >= 80) return 'medium';
  return 'low';
}

/** The flag after this failure: raised at one rate, lowered under a lower one, and lowered by a quiet week. */
export function nextFlag(previous: FlakeFlag | undefined, history: HistoricalRate | undefined, band: PassRateBand, now: Date, t: FlakeThresholds): FlakeFlag {
  const rate = history && history.runs >= t.min_runs ? history.flakePercentage / 100 : undefined;
  const quiet = previous?.lastFailureAt !== undefined && now.getTime() - previous.lastFailureAt.getTime() >= t.quiet_days * 86_400_000;
  let flagged = previous?.flagged ?? false;
  if (flagged && (quiet || (rate !== undefined && rate < t.clear_below_flake_rate))) flagged = false;
  if (!flagged && !quiet && rate !== undefined && rate >= t.flag_at_flake_rate) flagged = true;
  // Under 80% is a known-flaky test by the bands themselves, whatever the flake share.
  if (band === 'low') flagged = true;
  return { flagged, lastFailureAt: now };
}

export function decideFlake(input: FlakeDecisionInput): FlakeDecision {
  const t = input.thresholds;
  const band = passRateBand(input.history, t.min_runs);
  const flag = nextFlag(input.previous, input.history, band, input.now, t);
  const rate = input.history ? `${input.history.passPercentage.toFixed(1)}% over ${input.history.runs} runs` : 'no history';
  const cap = Math.min(input.maxRetries, retesterHoldAfter);
  const out = (action: FlakeAction, reason: string): FlakeDecision => ({ action, band, flag, reason });

  if (band === 'high') return out('escalate', `${input.test} passes ${rate} in Sippy: a failure is most likely a regression, not retried silently`);
  if (input.retests.onHead >= cap)
    return out('escalate', `${input.retests.onHead} retests of this HEAD already (cap ${cap}, Retester holds at ${retesterHoldAfter})`);

  const flakeEvidence = input.passedOnRetrySameSha
    ? 'passed on retry of the same SHA'
    : flag.flagged
      ? `flagged flaky (${rate}, flake rate ${input.history?.flakePercentage.toFixed(1) ?? '?'}%)`
      : band === 'medium' && !input.requiredJob
        ? `medium band (${rate}) on an optional job`
        : undefined;
  if (!flakeEvidence) {
    return out(
      'escalate',
      band === 'medium' ? `${input.test} passes ${rate} and the job is required: not proven flaky` : `${input.test} has ${rate}: not proven flaky`,
    );
  }
  // Retester retests a required job once per base+HEAD by itself: posting our own would stack the two bots.
  if (input.requiredJob && input.retests.retesterOnBaseHead) return out('leave-to-retester', `${flakeEvidence}; Retester already retested this base+HEAD`);
  return out('retry', `${flakeEvidence}; retry ${input.retests.onHead + 1} of ${cap}`);
}
