// CI in the Prow style HyperShift uses: each job reports a `ci/prow/<job>` commit status on the PR head
// whose target URL is the run's Prow page (…/view/gs/<bucket>/pr-logs/pull/<org>_<repo>/<pr>/<job>/<build>);
// the run's files are in that GCS bucket under the same path, JUnit among its artifacts. A job is re-run
// with a `/test <job>` PR comment, and every failed required job with `/retest-required`.
// Prow commands: https://prow.k8s.io/command-help
// GCS listing: https://cloud.google.com/storage/docs/json_api/v1/objects/list
import type { TeamConfig } from '../../config/schema.js';
import type { CodeHost } from '../github.js';
import { mergeJUnit, parseJUnit, type JUnitReport } from './junit.js';
import { Octokit } from '@octokit/rest';
import { githubClient, type GitHubCredentials } from '../github-auth.js';

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
  /** An app installation's tokens instead of `token`. */
  credentials?: GitHubCredentials;
  baseUrl?: string;
  platform: TeamConfig['ci']['platforms'][number];
  host: Pick<CodeHost, 'comment'>;
  /** Where the runs' GCS buckets are read (public buckets need no credentials). */
  gcsUrl?: string;
  fetchImpl?: typeof fetch;
}

/** The GCS location of a run from its Prow page URL; undefined for a URL that is not a Prow run page. */
export function prowRunLocation(url: string): { bucket: string; path: string } | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /\/view\/gs\/([^/]+)\/(.+?)\/?$/.exec(pathname);
  return m ? { bucket: decodeURIComponent(m[1]!), path: m[2]!.split('/').map(decodeURIComponent).join('/') } : undefined;
}

/** JUnit files among a run's artifacts, named junit*.xml by convention (steps write e.g. junit_unit.xml). */
const junitFile = /(^|\/)junit[^/]*\.xml$/i;
/** ci-operator's own report repeats a failed step as one more failed test case; the step's files name the tests. */
const operatorReport = /(^|\/)junit_operator\.xml$/i;
/** Enough for every step of a job; a run with more JUnit files than this is read in part (and says so). */
const maxJUnitFiles = 50;

const contextPrefix = 'ci/prow/';

export function createProwCi(opts: ProwOptions): CiSystem {
  const octokit = opts.credentials
    ? githubClient(opts.credentials, opts.baseUrl ?? 'https://api.github.com')
    : new Octokit({
        auth: opts.token,
        baseUrl: opts.baseUrl ?? 'https://api.github.com',
        request: { retries: 0 },
        log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      });
  const doFetch = opts.fetchImpl ?? fetch;
  const gcsUrl = (opts.gcsUrl ?? 'https://storage.googleapis.com').replace(/\/+$/, '');

  async function readJUnit(job: string, url: string): Promise<JUnitReport | undefined> {
    const res = await doFetch(url);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`fetching JUnit for ${job}: HTTP ${res.status} from ${url}`);
    return parseJUnit(await res.text());
  }

  /** The run's JUnit artifacts, listed page by page from the bucket. */
  async function listJUnitFiles(job: string, run: { bucket: string; path: string }): Promise<string[]> {
    const found: string[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ prefix: `${run.path}/artifacts/`, fields: 'items(name),nextPageToken', ...(pageToken ? { pageToken } : {}) });
      const res = await doFetch(`${gcsUrl}/storage/v1/b/${encodeURIComponent(run.bucket)}/o?${query}`);
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`listing the artifacts of ${job} in gs://${run.bucket}/${run.path}: HTTP ${res.status}`);
      const page = (await res.json()) as { items?: Array<{ name?: string }>; nextPageToken?: string };
      for (const item of page.items ?? []) if (item.name && junitFile.test(item.name) && !operatorReport.test(item.name)) found.push(item.name);
      pageToken = page.nextPageToken;
    } while (pageToken && found.length < maxJUnitFiles);
    return found.sort();
  }

  return {
    async jobStatuses(prNumber) {
      const { data: pr } = await octokit.rest.pulls.get({ owner: opts.owner, repo: opts.repo, pull_number: prNumber });
      const { data } = await octokit.rest.repos.listCommitStatusesForRef({ owner: opts.owner, repo: opts.repo, ref: pr.head.sha, per_page: 100 });
      // Newest first: the first status seen per context is the current one.
      const byJob = new Map<string, JobStatus>();
      for (const s of data) {
        if (!s.context.startsWith(contextPrefix)) continue;
        const job = s.context.slice(contextPrefix.length);
        if (!byJob.has(job))
          byJob.set(job, {
            job,
            state: s.state as JobStatus['state'],
            description: s.description ?? '',
            ...(s.target_url ? { artifactsUrl: s.target_url } : {}),
          });
      }
      return [...byJob.values()].sort((a, b) => a.job.localeCompare(b.job));
    },
    async junit(status) {
      if (!status.artifactsUrl) return undefined;
      const run = prowRunLocation(status.artifactsUrl);
      if (!run) return readJUnit(status.job, status.artifactsUrl);
      const names = await listJUnitFiles(status.job, run);
      if (names.length === 0) return undefined;
      const reports = await Promise.all(
        names
          .slice(0, maxJUnitFiles)
          .map((name) => readJUnit(status.job, `${gcsUrl}/${encodeURIComponent(run.bucket)}/${name.split('/').map(encodeURIComponent).join('/')}`)),
      );
      return mergeJUnit(reports.filter((r): r is JUnitReport => r !== undefined));
    },
    async retrigger(prNumber, job) {
      const text = job ? opts.platform.retrigger_job.replace('{job}', job) : opts.platform.retrigger_all;
      await opts.host.comment(prNumber, text);
      return text;
    },
  };
}
