// askWorkflow: one question a person asked in Slack, answered by RH-A on the worker. Started by the
// Orchestrator with an id made from the Slack event's idempotency key (askWorkflowId), so a retried event
// or a second delivery waits for the same answer instead of asking the model twice.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';

// Temporal owns the retries: a dropped connection to the model is retried, a permanent failure is not.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 3 },
});

export interface AskInput {
  developerId: string;
  question: string;
}

export type AskResult = Awaited<ReturnType<Activities['answerQuestion']>>;

export async function askWorkflow(input: AskInput): Promise<AskResult> {
  return acts.answerQuestion({ developerId: input.developerId, question: input.question });
}
