// RH-A's comments on Jira from the workflows: a bounded number of tries, then the work goes on without the
// comment (a Jira outage or a revoked token must not hold up a phase or a resolution). The business key makes
// every try after the first a no-op once Jira has the comment (src/activities/tickets.ts).
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { TicketComment } from '../src/activities/tickets.js';

const ticketing = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // 401/403/404 arrive non-retryable from the failure catalogue; a 429 waits for Jira's Retry-After.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});

export async function commentOnTicket(comment: TicketComment): Promise<void> {
  try {
    await ticketing.commentOnTicket(comment);
  } catch (err) {
    log.warn('ticket comment not posted', { businessKey: comment.businessKey, error: (err as Error).message });
  }
}
