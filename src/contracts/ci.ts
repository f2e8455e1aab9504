// What CI says about a pull request, as the CI adapters report it, the CI watch workflow keeps it and the
// experience log classifies it. Plain JSON: it travels through Temporal histories unchanged.

export interface CiTestResult {
  job: string;
  test: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

export interface CiRunReport {
  /** Unique per CI run (e.g. Prow build id); duplicates are ignored. */
  runId: string;
  job: string;
  /** The commit CI ran on, and which attempt of this job on that commit (1 = first run, 2 = first retry). */
  commit: string;
  attempt: number;
  state: 'success' | 'failure' | 'pending' | 'error';
  tests: CiTestResult[];
  url?: string;
}

export interface CiWatchState {
  prUrl: string;
  outcome: 'watching' | 'green' | 'blocked' | 'skipped' | 'abandoned';
  jobs: Record<string, 'success' | 'failure' | 'pending' | 'error'>;
  retries: Record<string, number>;
  seenRunIds: string[];
  alerts: CiFailureSummary[][];
  decision?: string;
  /** Retests posted per HEAD commit, against Retester's caps (absent in watches started before they were counted). */
  retestsByHead?: Record<string, number>;
}

/**
 * What OpenShift's Retester has done on a PR's HEAD, read from its comments: how many `/retest-required` it
 * posted for this HEAD, whether one was for the current base+HEAD pair (it retests once per pair), and the
 * count it held at (it comments `/hold` after its cap per HEAD).
 */
export interface RetesterActivity {
  retestsOnHead: number;
  retestedBaseHead: boolean;
  heldAfter?: number;
}

export interface CiFailureSummary {
  job: string;
  test?: string;
  classification: 'known-flake' | 'real' | 'unknown';
  signature: string;
  /** Why it was judged so, from the experience log (e.g. a signature not seen in the last 30 runs). */
  reason?: string;
  /** The failure's own output, shown as it is. */
  excerpt?: string;
  url?: string;
  /** The flake decision and its inputs (absent in results recorded before decisions were taken on Prow's terms). */
  decision?: CiFlakeDecision;
}

export interface CiFlakeDecision {
  /** retry: we post the retest; leave-to-retester: Retester retests this base+HEAD itself; escalate: the owner decides. */
  action: 'retry' | 'leave-to-retester' | 'escalate';
  state: 'flaky' | 'regressed' | 'broken' | 'healthy';
  /** OpenShift Risk Analysis band of the historical pass rate. */
  band: 'high' | 'medium' | 'low' | 'unknown';
  sameShaRetries: number;
  requiredJob: boolean;
  passPercentage?: number;
  historyRuns?: number;
  historySource?: 'sippy' | 'local';
}
