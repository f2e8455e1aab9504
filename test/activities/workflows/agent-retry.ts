// Test-only workflow: one agent activity with a short retry policy, so a test can watch Temporal (not
// the SDK) retry an overloaded Messages API, and see a budget stop fail fast.
import { proxyActivities } from '@temporalio/workflow';
import type { AgentActivities } from '../../../src/activities/agent.js';

const { agentAnswer } = proxyActivities<AgentActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '50 milliseconds', backoffCoefficient: 1, maximumAttempts: 3 },
});

export async function askAgent(question: string, workItemKey?: string): Promise<{ text: string; cacheRead: number }> {
  const r = await agentAnswer({ question, ...(workItemKey ? { workItemKey } : {}) });
  return { text: r.text, cacheRead: r.usage.cacheReadInputTokens };
}
