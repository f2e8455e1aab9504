// followUpBugsWorkflow: started by the Schedule "follow-up-bugs" (every team.yaml jira.follow_up_check_every).
// Records a follow-up-bug outcome for each Jira Bug linked to a recently merged work item's ticket within
// jira.follow_up_bug_window_days, so calibration learns from bugs without anyone typing `sitroom outcome`.
// Recording is idempotent, so a re-run (or an overlapping manual trigger) records nothing twice.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';

// Reading a few tickets takes seconds; Jira's 429 carries Retry-After (honoured as the next retry delay) and
// 401/403/404 are non-retryable, so a few attempts cover an outage and the next scheduled run tries again.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 3 },
});

export interface FollowUpBugsResult {
  merges: number;
  recorded: Array<{ prUrl: string; bug: string }>;
}

export async function followUpBugsWorkflow(): Promise<FollowUpBugsResult> {
  return acts.recordFollowUpBugs();
}
