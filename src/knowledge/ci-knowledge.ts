// CI failures judged with the experience log: the flake classifier (src/knowledge/flakes.ts) over the
// stored history of each test, under the team's flake policy; every run then joins that history.
import type { CiKnowledgePort } from '../contracts/ports.js';
import type { ConfigSource } from '../config/source.js';
import { classifyFailure, type FailureVerdict } from './flakes.js';
import type { KnowledgeStore } from './store.js';
import type { CiFailureSummary } from '../contracts/ci.js';
import { redactSecrets } from '../observability/logger.js';

const toClassification: Record<FailureVerdict, CiFailureSummary['classification']> = {
  'known-flake': 'known-flake',
  real: 'real',
  'new-signature': 'unknown',
  unknown: 'unknown',
};

export function createCiKnowledge(deps: { knowledge: KnowledgeStore; config: Pick<ConfigSource, 'current'> }): CiKnowledgePort {
  return {
    async classify({ report, failures }) {
      const policy = deps.config.current().team.ci.flake_handling;
      const out: CiFailureSummary[] = [];
      for (const failure of failures) {
        const history = await deps.knowledge.experience.testHistory(failure.test, policy.window_runs);
        const verdict = classifyFailure(history, { test: failure.test, commit: report.commit, attempt: report.attempt, message: failure.message ?? `${failure.test} failed` }, policy);
        out.push({
          job: report.job,
          test: failure.test,
          classification: toClassification[verdict.verdict],
          signature: verdict.signature,
          reason: redactSecrets(verdict.reason).slice(0, 500),
          ...(failure.message ? { excerpt: redactSecrets(failure.message).slice(0, 2_000) } : {}),
          ...(report.url ? { url: report.url } : {}),
        });
      }
      return out;
    },

    async recordRun({ report }) {
      const policy = deps.config.current().team.ci.flake_handling;
      const at = new Date();
      for (const t of report.tests) {
        if (t.status === 'skipped') continue;
        await deps.knowledge.experience.recordTestRun({ test: t.test, job: report.job, runId: report.runId, commit: report.commit, attempt: report.attempt, outcome: t.status === 'passed' ? 'pass' : 'fail', message: t.message, at });
        await deps.knowledge.experience.refreshTestExperience(t.test, policy);
      }
    },
  };
}
