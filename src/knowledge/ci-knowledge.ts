// CI failures decided on Prow's terms (src/knowledge/flake-decisions.ts): a pass on the same SHA, the
// test's historical pass rate (Sippy's when imported, else the experience log) and whether the job is
// required, within Retester's caps and the team's max_retries; every run then joins the experience log.
import type { CiKnowledgePort } from '../contracts/ports.js';
import type { ConfigSource } from '../config/source.js';
import type { Database } from '../db/client.js';
import { decideCiFailure } from './flake-decisions.js';
import type { FailureVerdict } from './flakes.js';
import type { KnowledgeStore } from './store.js';
import type { CiFailureSummary } from '../contracts/ci.js';
import { redactSecrets } from '../observability/logger.js';

const toClassification: Record<FailureVerdict, CiFailureSummary['classification']> = {
  'known-flake': 'known-flake',
  real: 'real',
  'new-signature': 'unknown',
  unknown: 'unknown',
};

/** Jobs that must pass: those the watch was given, else the team's platforms' required_jobs, else `unit`. */
function requiredJobsOf(team: ReturnType<ConfigSource['current']>['team'], given: readonly string[] | undefined): string[] {
  if (given && given.length > 0) return [...given];
  const fromTeam = team.ci.platforms.flatMap((p) => p.required_jobs ?? []);
  return fromTeam.length > 0 ? fromTeam : ['unit'];
}

export function createCiKnowledge(deps: { db: Database; knowledge: KnowledgeStore; config: Pick<ConfigSource, 'current'>; now?: () => Date }): CiKnowledgePort {
  const now = deps.now ?? (() => new Date());
  return {
    async classify({ report, failures, requiredJobs, retestsOnHead, retester }) {
      const team = deps.config.current().team;
      const policy = team.ci.flake_handling;
      const required = requiredJobsOf(team, requiredJobs).includes(report.job);
      const out: CiFailureSummary[] = [];
      for (const failure of failures) {
        const history = await deps.knowledge.experience.testHistory(failure.test, policy.window_runs);
        const verdict = await decideCiFailure(deps.db, team, {
          test: failure.test,
          commit: report.commit,
          attempt: report.attempt,
          message: failure.message ?? `${failure.test} failed`,
          localHistory: history,
          requiredJob: required,
          // Ours (the watch counts them) and Retester's (from its comments). A watch started before retests were
          // counted per HEAD: its attempt number is the same count, Retester's runs included.
          retestsOnHead: retestsOnHead !== undefined ? retestsOnHead + (retester?.retestsOnHead ?? 0) : Math.max(0, report.attempt - 1),
          retesterOnBaseHead: retester?.retestedBaseHead ?? false,
          now: now(),
        });
        const h = verdict.inputs.history;
        out.push({
          job: report.job,
          test: failure.test,
          classification:
            verdict.action !== 'escalate'
              ? 'known-flake'
              : verdict.state === 'regressed' && verdict.band === 'high'
                ? 'real'
                : toClassification[verdict.localVerdict],
          signature: verdict.signature,
          reason: redactSecrets(verdict.reason).slice(0, 500),
          decision: {
            action: verdict.action,
            state: verdict.state,
            band: verdict.band,
            sameShaRetries: verdict.inputs.sameShaRetries,
            requiredJob: verdict.inputs.requiredJob,
            ...(h ? { passPercentage: h.passPercentage, historyRuns: h.runs, historySource: h.source } : {}),
          },
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
        await deps.knowledge.experience.recordTestRun({
          test: t.test,
          job: report.job,
          runId: report.runId,
          commit: report.commit,
          attempt: report.attempt,
          outcome: t.status === 'passed' ? 'pass' : 'fail',
          message: t.message,
          at,
        });
        await deps.knowledge.experience.refreshTestExperience(t.test, policy);
      }
    },
  };
}
