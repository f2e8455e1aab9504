// modelDriftWorkflow: started by the Schedule "model-drift" (and `sitroom model drift` for a run now). The
// activity fetches the target's default branch and checks the domain model against it; when references broke,
// each owner in the roster gets one proposal listing every broken reference and its likely new place. The
// outbox key is (commit, model digest, owner), so a second run on the same commit and model posts nothing.
// No drift: nothing is posted; the run's result is the record.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';

// A fetch of a large checkout and two tree reads can take a while; Temporal retries transient git failures.
const acts = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry: { maximumInterval: '1 minute', maximumAttempts: 5 } });

export interface ModelDriftResult {
  commit: string;
  baseline: string;
  modelDigest: string;
  fetched: boolean;
  broken: number;
  /** outbox keys of the proposals (new or already there) */
  proposals: string[];
}

export const modelDriftDedupeKey = (commit: string, modelDigest: string, developerId: string) => `model-drift:${commit}:${modelDigest}:${developerId}`;

export async function modelDriftWorkflow(): Promise<ModelDriftResult> {
  const report = await acts.checkModelDrift();
  const proposals: string[] = [];
  if (report.broken.length > 0) {
    for (const developerId of report.recipients) {
      const dedupeKey = modelDriftDedupeKey(report.commit, report.modelDigest, developerId);
      await acts.notify({
        dedupeKey,
        developerId,
        urgency: 'decision',
        payload: {
          kind: 'model-drift',
          commit: report.commit,
          baseline: report.baseline,
          modelDigest: report.modelDigest,
          broken: report.broken,
          ownersOutsideRoster: report.ownersOutsideRoster,
        },
      });
      proposals.push(dedupeKey);
    }
  }
  return {
    commit: report.commit,
    baseline: report.baseline,
    modelDigest: report.modelDigest,
    fetched: report.fetched,
    broken: report.broken.length,
    proposals,
  };
}
