// CI in the Prow style HyperShift uses: each job reports a `ci/prow/<job>` commit status on the PR head
// whose target URL leads to the run's artifacts (JUnit XML); a job is re-run with a `/test <job>` PR
// comment, and every failed required job with `/retest-required`.
// Prow commands: https://prow.k8s.io/command-help
import type { TeamConfig } from '../config/schema.js';
import type { CodeHost } from './github.js';
import { parseJUnit, type JUnitReport } from './junit.js';
import { Octokit } from '@octokit/rest';

export interface JobStatus {
  job: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  description: string;
  artifactsUrl?: string;
}

export interface CiSystem {
  jobStatuses(prNumber: number): Promise<JobStatus[]>;
  junit(status: JobStatus): Promise<JUnitReport | undefined>;
  /** Posts the retrigger comment; returns its text. */
  retrigger(prNumber: number, job?: string): Promise<string>;
}

export interface ProwOptions {
  owner: string;
  repo: string;
  token: string;
  baseUrl?: string;
  platform: TeamConfig['ci']['platforms'][number];
  host: Pick<CodeHost, 'comment'>;
  fetchImpl?: typeof fetch;
}

const contextPrefix = 'ci/prow/';

export function createProwCi(opts: ProwOptions): CiSystem {
  const octokit = new Octokit({ auth: opts.token, baseUrl: opts.baseUrl ?? 'https://api.github.com', request: { retries: 0 }, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  const doFetch = opts.fetchImpl ?? fetch;
  return {
    async jobStatuses(prNumber) {
      const { data: pr } = await octokit.rest.pulls.get({ owner: opts.owner, repo: opts.repo, pull_number: prNumber });
      const { data } = await octokit.rest.repos.listCommitStatusesForRef({ owner: opts.owner, repo: opts.repo, ref: pr.head.sha, per_page: 100 });
      // Newest first: the first status seen per context is the current one.
      const byJob = new Map<string, JobStatus>();
      for (const s of data) {
        if (!s.context.startsWith(contextPrefix)) continue;
        const job = s.context.slice(contextPrefix.length);
        if (!byJob.has(job)) byJob.set(job, { job, state: s.state as JobStatus['state'], description: s.description ?? '', ...(s.target_url ? { artifactsUrl: s.target_url } : {}) });
      }
      return [...byJob.values()].sort((a, b) => a.job.localeCompare(b.job));
    },
    async junit(status) {
      if (!status.artifactsUrl) return undefined;
      const res = await doFetch(status.artifactsUrl);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`fetching JUnit for ${status.job}: HTTP ${res.status}`);
      return parseJUnit(await res.text());
    },
    async retrigger(prNumber, job) {
      const text = job ? opts.platform.retrigger_job.replace('{job}', job) : opts.platform.retrigger_all;
      await opts.host.comment(prNumber, text);
      return text;
    },
  };
}
