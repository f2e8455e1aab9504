// morningBriefingWorkflow: started by the per-developer Schedule "briefing-<developer>". The activity
// assembles the briefing from stored state; delivery goes through the notification outbox, keyed by
// developer and date so a catch-up run after downtime never sends the same morning twice.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute', maximumAttempts: 10 } });

export interface BriefingInput {
  developerId: string;
}

export async function morningBriefingWorkflow(input: BriefingInput): Promise<{ dedupeKey: string }> {
  const briefing = await acts.assembleBriefing({ developerId: input.developerId, at: new Date().toISOString() });
  const dedupeKey = `briefing:${input.developerId}:${briefing.date}`;
  await acts.notify({ dedupeKey, developerId: input.developerId, urgency: 'decision', payload: briefing });
  return { dedupeKey };
}
