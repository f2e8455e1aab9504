// githubEventWorkflow: one GitHub webhook delivery about a phase PR (a review, a description edit, a merge,
// a comment) or a merged revert of one, handled on the worker: the activity records what it means (a
// review approval for L4, the merge or a revert for calibration, a re-read invariant checklist) and says
// whom to tell; each notification is keyed by the delivery, so a retried step tells nobody twice.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { GitHubEvent } from '../src/contracts/github-events.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export type GitHubEventResult = Awaited<ReturnType<Activities['handleGitHubEvent']>>;

export async function githubEventWorkflow(event: GitHubEvent): Promise<GitHubEventResult> {
  const result = await acts.handleGitHubEvent(event);
  for (const notification of result.notifications) await acts.notify(notification);
  return result;
}
