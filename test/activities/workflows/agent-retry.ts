// Test-only workflow: the registered pair-review activity with a short retry policy, so a test can watch
// Temporal (not the SDK) retry an overloaded Messages API.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../src/activities/index.js';

const { reviewPairMessage } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '50 milliseconds', backoffCoefficient: 1, maximumAttempts: 3 },
});

export async function reviewInPair(text: string, workItemKey: string): Promise<{ text: string }> {
  const r = await reviewPairMessage({ sessionId: 'pair-test', developerId: 'maria', workItemKey, phaseId: 'p1', text });
  return { text: r.text };
}
