// The CI watch as its tests run it: ciWatchWorkflow on the shared dev server with the real activities and
// the real flake classifier over the experience log, CI reached through the port the test gives (a
// recording one, or the GitHub CI port against the loopback GitHub), and the run reports CI sends.
import type { CiRunReport } from '../../src/contracts/ci.js';
import type { CiPort } from '../../src/contracts/ports.js';
import type { TeamConfig } from '../../src/config/schema.js';
import { createSippyClient } from '../../src/integrations/sippy.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { createCiKnowledge } from '../../src/knowledge/ci-knowledge.js';
import { importCiHistory } from '../../src/knowledge/flake-decisions.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { startOrchestra, type Orchestra } from './orchestra.js';

/** CI as RH-O sees it in local mode: the retrigger comments it posts, once per idempotency key. */
export class RecordingCi implements CiPort {
  comments: Array<{ prUrl: string; body: string; key: string }> = [];
  async poll() {
    return [];
  }
  async retrigger(prUrl: string, job: string, idempotencyKey: string) {
    if (!this.comments.some((c) => c.key === idempotencyKey)) this.comments.push({ prUrl, body: `/test ${job}`, key: idempotencyKey });
  }
  async merge(): Promise<never> {
    throw new Error('merging is not part of the CI watch');
  }
}

/**
 * An orchestra whose CI watch classifies failures with the real CI knowledge over its own store, and,
 * given a Sippy configuration, imports Sippy's history when the import workflow runs.
 */
export async function startCiWatchOrchestra(ci: CiPort, options: { sippy?: NonNullable<TeamConfig['ci']['sippy']> } = {}): Promise<Orchestra> {
  const { sippy } = options;
  const ciKnowledge = () =>
    createCiKnowledge({
      db: orchestra.store.db,
      knowledge: new KnowledgeStore(orchestra.store.db, { curators: curatorsFromConfig(orchestra.config) }),
      config: { current: () => orchestra.config },
    });
  const orchestra: Orchestra = await startOrchestra({
    ci,
    ciKnowledge: { classify: (args) => ciKnowledge().classify(args), recordRun: (args) => ciKnowledge().recordRun(args) },
    ...(sippy ? { ciHistory: { import: () => importCiHistory(orchestra.store.db, createSippyClient({ baseUrl: sippy.url }), sippy, new Date()) } } : {}),
  });
  return orchestra;
}

/**
 * Starts the watch a phase starts for work item `<keyPrefix>-<n>`: phase api, attempt 1, owned by maria,
 * two retries per test, fed by signals (no polling). The PR defaults to HyperShift's PR number n.
 */
export async function startCiWatch(orchestra: Orchestra, n: number, options: { prUrl?: string; requiredJobs?: string[] } = {}) {
  const key = `${orchestra.keyPrefix}-${n}`;
  const workflowId = `work-item:${key}:phase:api:1:ci:0`;
  const handle = await orchestra.env.client.workflow.start('ciWatchWorkflow', {
    taskQueue: orchestra.taskQueue,
    workflowId,
    args: [
      {
        workItemKey: key,
        phaseId: 'api',
        phaseAttempt: 1,
        ownerId: 'maria',
        prUrl: options.prUrl ?? `https://github.com/openshift/hypershift/pull/${n}`,
        parentWorkflowId: `work-item:${key}`,
        requiredJobs: options.requiredJobs ?? ['e2e-aws'],
        maxRetriesPerTest: 2,
        poll: false,
      },
    ],
  });
  return { key, workflowId, handle };
}

/** A run of the e2e-aws job as CI reports it, with its Prow page. */
export function e2eAwsRun(runId: string, run: Pick<CiRunReport, 'commit' | 'attempt' | 'state' | 'tests'>): CiRunReport {
  return { runId, job: 'e2e-aws', commit: run.commit, attempt: run.attempt, state: run.state, tests: run.tests, url: `https://prow.example/view/${runId}` };
}
