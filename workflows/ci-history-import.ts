// ciHistoryImportWorkflow: started by the Schedule "ci-history-import" (every team.yaml
// ci.sippy.import_every). Imports OpenShift CI's per-test history from Sippy so flake decisions start from
// history instead of from the runs Situation Room watched itself. A failed import fails nothing else: the
// activity records the failure (the dashboard shows it), decisions fall back to the local log, and the
// next scheduled run tries again.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';

// Sippy answers a release's report in seconds; a few retries cover a restart or a 429, then the run gives up.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 3 },
});

export interface CiHistoryImportResult {
  ok: boolean;
  release?: string;
  tests: number;
  error?: string;
}

export async function ciHistoryImportWorkflow(): Promise<CiHistoryImportResult> {
  try {
    const result = await acts.importCiHistory();
    return { ok: result.ok, ...(result.release ? { release: result.release } : {}), tests: result.tests };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return { ok: false, tests: 0, error: err.cause?.message ?? err.message };
  }
}
