// CI for local mode (the demo and the end-to-end tests): a "PR" is a branch of the target repository,
// CI runs the repository's tests on its head and reports each run as Prow would; a retrigger comment
// runs it again; merging is a merge commit on the default branch.
import type { CiPort } from '../../contracts/ports.js';
import { git } from '../git.js';
import type { CiSystem, JobStatus } from './prow.js';
import type { CodeHost, PullRequestRef } from '../github.js';
import type { CiRunReport } from '../../contracts/ci.js';

export interface LocalCiDeps {
  repo: string;
  defaultBranch: string;
  host: CodeHost & { findPullRequest(branch: string): Promise<PullRequestRef | undefined> };
  ci: CiSystem & { run(prNumber: number): Promise<JobStatus> };
}

/** Local PR URLs are file://<repo>#<branch>. */
export function branchOfLocalPr(prUrl: string): string {
  const hash = prUrl.indexOf('#');
  if (hash < 0) throw new Error(`not a local PR url: ${prUrl}`);
  return decodeURIComponent(prUrl.slice(hash + 1));
}

export function createLocalCiPort(deps: LocalCiDeps): CiPort {
  const pr = async (prUrl: string) => {
    const found = await deps.host.findPullRequest(branchOfLocalPr(prUrl));
    if (!found) throw new Error(`no local PR for ${prUrl}`);
    return found;
  };
  return {
    async poll(prUrl, seenRunIds) {
      const pull = await pr(prUrl);
      let statuses = await deps.ci.jobStatuses(pull.number);
      if (statuses.length === 0) {
        await deps.ci.run(pull.number);
        statuses = await deps.ci.jobStatuses(pull.number);
      }
      const reports: CiRunReport[] = [];
      for (const status of statuses) {
        if (status.state === 'pending') continue;
        const runId = status.artifactsUrl ?? `${status.job}:${pull.headSha}:${status.description}`;
        if (seenRunIds.includes(runId)) continue;
        const junit = await deps.ci.junit(status);
        const attempt = Number(/-(\d+)\/junit\.xml$/.exec(status.artifactsUrl ?? '')?.[1] ?? seenRunIds.length + 1);
        reports.push({
          runId,
          job: status.job,
          commit: pull.headSha,
          attempt,
          state: status.state,
          tests: (junit?.cases ?? []).map((c) => ({ job: status.job, test: c.name, status: c.status, ...(c.message ? { message: c.message } : {}) })),
          ...(status.artifactsUrl ? { url: status.artifactsUrl } : {}),
        });
      }
      return reports;
    },

    async retrigger(prUrl, job, idempotencyKey) {
      const pull = await pr(prUrl);
      const marker = `<!-- ${idempotencyKey} -->`;
      if ((await deps.host.listComments(pull.number)).some((c) => c.body.includes(marker))) return;
      await deps.host.comment(pull.number, `/test ${job}\n${marker}`);
      await deps.ci.run(pull.number);
    },

    async merge({ branch, phaseId, workItemKey }) {
      if (!branch) throw new Error(`phase ${phaseId} of ${workItemKey} has no branch to merge`);
      const base = (await git(deps.repo, ['rev-parse', '--short', deps.defaultBranch])).trim();
      const alreadyMerged = (await git(deps.repo, ['branch', '--merged', deps.defaultBranch, '--list', branch])).trim() !== '';
      if (alreadyMerged) return { merged: true, base };
      try {
        await git(deps.repo, ['merge', '--no-ff', '-q', '-m', `Merge ${workItemKey} phase ${phaseId} (${branch})`, branch]);
        return { merged: true, base };
      } catch {
        const conflicted = (await git(deps.repo, ['diff', '--name-only', '--diff-filter=U']).catch(() => '')).split('\n').filter(Boolean);
        await git(deps.repo, ['merge', '--abort']).catch(() => undefined);
        return { merged: false, base, conflict: conflicted.length ? conflicted : ['(unknown files)'] };
      }
    },
  };
}
