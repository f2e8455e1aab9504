// knowledgeStalenessWorkflow: started by the team's Schedule "knowledge-staleness" (interval from team.yaml
// knowledge.staleness_scan_every). One activity checks every approved entry against the target repository
// and proposes retiring the ones that lost references; curators decide on the dashboard.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumInterval: '1 minute', maximumAttempts: 5 } });

export async function knowledgeStalenessWorkflow(): Promise<{ checked: number; stale: string[]; proposed: string[] }> {
  const scan = await acts.scanKnowledgeStaleness();
  return { checked: scan.checked, stale: scan.stale, proposed: scan.proposed.map((p) => p.patternId) };
}
