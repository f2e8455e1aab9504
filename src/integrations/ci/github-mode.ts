// GitHub mode: the target repository lives on GitHub and CI is Prow, as for HyperShift. Each Prow job
// reports a `ci/prow/<job>` commit status on the PR head; a finished status links to the run's JUnit.
// Merging is not ours to do: Prow's tide merges a PR once it is green with lgtm and approve, so `merge`
// only reports whether that has happened and RH-O looks again later.
// Commit statuses: https://docs.github.com/en/rest/commits/statuses
// Prow commands and tide: https://prow.k8s.io/command-help, https://docs.prow.k8s.io/docs/components/core/tide/
import { appInstallation, githubClient, personalToken, readAppPrivateKey, type GitHubCredentials } from '../github-auth.js';
import type { CiPort } from '../../contracts/ports.js';
import type { Environment } from '../../config/environment.js';
import type { TeamConfig } from '../../config/schema.js';
import { CataloguedFailure, UserError } from '../../contracts/failures.js';
import { createProwCi, type CiSystem } from './prow.js';
import { createGitHub, type CodeHost } from '../github.js';
import { JUnitParseError } from './junit.js';
import { retesterActivity } from './retester.js';
import type { CiRunReport } from '../../contracts/ci.js';

export interface GitHubSettings {
  /** The personal token; empty when a GitHub App is the identity. */
  token: string;
  /** Who Situation Room is on GitHub: the app installation when configured, else the personal token. */
  credentials: GitHubCredentials;
  apiUrl: string;
  owner: string;
  repo: string;
  pushUrl: string;
  /** Where the base branch is fetched from: always the upstream, never the fork pushed to. */
  upstreamUrl: string;
  /** The bot's fork (`pushUrl` points at it); PRs are opened from `<fork owner>:<branch>`. */
  fork?: { owner: string; repo: string };
  /** git host base for the fork URLs of developers (`<gitUrl>/<owner>/<name>.git`). */
  gitUrl: string;
  platform: TeamConfig['ci']['platforms'][number];
  requiredJobs: string[];
  /** Where Prow runs' artifacts are read from (GCS). */
  gcsUrl: string;
}

const defaultRequiredJobs = ['unit'];

/** GitHub mode's settings from the parsed environment and team.yaml; a bad value is named with where it came from. */
export function githubSettings(env: Environment['github'], team: TeamConfig): GitHubSettings {
  const token = env.token?.trim() ?? '';
  if (!token && !env.app)
    throw new UserError(
      'GitHub mode needs an identity: set GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY_PATH (a GitHub App), or GITHUB_TOKEN (a personal token)',
    );
  const slug = env.repository?.trim() || team.target.repo;
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(slug);
  if (!m) {
    const where = env.repository?.trim() ? 'GITHUB_REPOSITORY' : '.rh-agentic/team.yaml target.repo';
    throw new UserError(`${where}: "${slug}" is not an owner/name GitHub repository`);
  }
  const platform = team.ci.platforms.find((p) => p.kind === 'prow');
  if (!platform) throw new UserError('.rh-agentic/team.yaml ci.platforms: GitHub mode needs a platform of kind "prow" (the only CI it speaks)');
  const apiUrl = env.apiUrl.replace(/\/+$/, '');
  const gitUrl = (env.gitUrl ?? 'https://github.com').replace(/\/+$/, '');
  const fork = env.fork ? /^([\w.-]+)\/([\w.-]+)$/.exec(env.fork) : null;
  const credentials = env.app
    ? appInstallation({ appId: env.app.appId, installationId: env.app.installationId, privateKey: readAppPrivateKey(env.app.privateKeyPath), apiUrl })
    : personalToken(token);
  return {
    token,
    credentials,
    apiUrl,
    owner: m[1]!,
    repo: m[2]!,
    pushUrl: env.pushUrl?.trim() || `${gitUrl}/${env.fork ?? slug}.git`,
    // Without a fork, a GITHUB_PUSH_URL is the upstream itself (a mirror, a loopback): the base comes from there.
    upstreamUrl: !env.fork && env.pushUrl?.trim() ? env.pushUrl.trim() : `${gitUrl}/${slug}.git`,
    ...(fork ? { fork: { owner: fork[1]!, repo: fork[2]! } } : {}),
    gitUrl,
    platform,
    requiredJobs: platform.required_jobs ?? defaultRequiredJobs,
    gcsUrl: env.prowGcsUrl.replace(/\/+$/, ''),
  };
}

export interface StatusLike {
  context: string;
  state: string;
  target_url?: string | null;
  created_at?: string;
  id?: number;
}

/**
 * Finished Prow runs on one commit, from its commit statuses (newest first, as GitHub lists them).
 * A job's current status decides whether it has a finished run to report; a job still pending is
 * running (or re-running) and reports later. The attempt is how many runs of the job finished on the
 * commit so far, which is what the flake bound counts.
 */
export function finishedRuns(
  sha: string,
  statuses: StatusLike[],
): Array<{ job: string; state: 'success' | 'failure' | 'error'; attempt: number; runId: string; url?: string }> {
  const byJob = new Map<string, StatusLike[]>();
  for (const s of statuses) {
    if (!s.context.startsWith('ci/prow/')) continue;
    const job = s.context.slice('ci/prow/'.length);
    byJob.set(job, [...(byJob.get(job) ?? []), s]);
  }
  const out: ReturnType<typeof finishedRuns> = [];
  for (const [job, list] of [...byJob].sort(([a], [b]) => a.localeCompare(b))) {
    const current = list[0]!;
    if (current.state !== 'success' && current.state !== 'failure' && current.state !== 'error') continue;
    const attempt = list.filter((s) => s.state !== 'pending').length;
    const url = current.target_url ?? undefined;
    // Prow's target URL names the build, so it is unique per run; without one the attempt number is.
    out.push({ job, state: current.state, attempt, runId: url ?? `ci/prow/${job}@${sha}#${attempt}`, ...(url ? { url } : {}) });
  }
  return out;
}

export interface GitHubCiDeps {
  settings: Pick<GitHubSettings, 'token' | 'apiUrl' | 'owner' | 'repo' | 'platform'> & Partial<Pick<GitHubSettings, 'gcsUrl' | 'credentials'>>;
  host: Pick<CodeHost, 'comment'>;
  /** Fetches a run's JUnit; defaults to Prow over the same API. */
  ci?: Pick<CiSystem, 'junit'>;
}

export function createGitHubCiPort(deps: GitHubCiDeps): CiPort {
  const { settings } = deps;
  // Retries off: Temporal retries the activity.
  const credentials = settings.credentials ?? personalToken(settings.token);
  const octokit = githubClient(credentials, settings.apiUrl);
  const repo = { owner: settings.owner, repo: settings.repo };
  const ci =
    deps.ci ??
    createProwCi({
      owner: settings.owner,
      repo: settings.repo,
      token: settings.token,
      credentials,
      baseUrl: settings.apiUrl,
      platform: settings.platform,
      host: deps.host,
      ...(settings.gcsUrl ? { gcsUrl: settings.gcsUrl } : {}),
    });
  const pullNumber = (prUrl: string): number => {
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`/${escape(settings.owner)}/${escape(settings.repo)}/pull/(\\d+)(?:[/?#]|$)`).exec(prUrl);
    if (!m) throw new CataloguedFailure('NotAPullRequest', `${prUrl} is not a pull request of ${settings.owner}/${settings.repo}`);
    return Number(m[1]);
  };

  return {
    async poll(prUrl, seenRunIds) {
      const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber(prUrl) });
      const sha = pr.head.sha;
      const statuses = await octokit.paginate(octokit.rest.repos.listCommitStatusesForRef, { ...repo, ref: sha, per_page: 100 });
      const reports: CiRunReport[] = [];
      for (const run of finishedRuns(sha, statuses)) {
        if (seenRunIds.includes(run.runId)) continue;
        let tests: CiRunReport['tests'] = [];
        try {
          const junit = await ci.junit({ job: run.job, state: run.state, description: '', ...(run.url ? { artifactsUrl: run.url } : {}) });
          tests = (junit?.cases ?? []).map((c) => ({ job: run.job, test: c.name, status: c.status, ...(c.message ? { message: c.message } : {}) }));
        } catch (err) {
          // An artifact that is not JUnit will not become JUnit on a retry: report the run without test detail
          // (a failed job then counts as a job-level failure). Network and HTTP errors do retry.
          if (!(err instanceof JUnitParseError)) throw err;
        }
        reports.push({ runId: run.runId, job: run.job, commit: sha, attempt: run.attempt, state: run.state, tests, ...(run.url ? { url: run.url } : {}) });
      }
      return reports;
    },

    async retesterActivity(prUrl, head) {
      const number = pullNumber(prUrl);
      const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      // Retester pairs the HEAD with the base branch's tip as it reads it, not the PR's recorded base.
      const { data: ref } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${pr.base.ref}` });
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 });
      return retesterActivity(comments, head, ref.object.sha);
    },

    async retrigger(prUrl, job, idempotencyKey) {
      const number = pullNumber(prUrl);
      // The hidden marker makes a retried activity find its own comment instead of re-running the job twice.
      const marker = `<!-- sitroom:${idempotencyKey} -->`;
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 });
      if (comments.some((c) => c.body?.includes(marker))) return;
      // Prow reads one command per line, so the marker on its own line does not disturb it.
      await deps.host.comment(number, `${settings.platform.retrigger_job.replace('{job}', job)}\n${marker}`);
    },

    async merge({ prUrl, phaseId, workItemKey }) {
      if (!prUrl) throw new CataloguedFailure('NoPullRequest', `phase ${phaseId} of ${workItemKey} has no pull request to merge`);
      const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber(prUrl) });
      if (pr.merged) return { merged: true, base: (pr.merge_commit_sha ?? pr.base.sha).slice(0, 12) };
      // Open (waiting for lgtm/approve and tide) or closed unmerged: either way a person or tide acts next.
      return { merged: false, base: pr.base.sha.slice(0, 12) };
    },
  };
}

/** GitHub mode's code host and CI, bound to one repository. */
export function createGitHubMode(
  env: Environment['github'],
  team: TeamConfig,
  extra: { developerFork?: (developerId: string) => string | undefined; credentialsDir?: string } = {},
): { host: CodeHost; ci: CiPort; settings: GitHubSettings } {
  const settings = githubSettings(env, team);
  const developerFork = (developerId: string) => {
    const slug = extra.developerFork?.(developerId);
    const [owner, repo] = slug?.split('/') ?? [];
    return owner && repo ? { owner, repo, pushUrl: `${settings.gitUrl}/${slug}.git` } : undefined;
  };
  const host = createGitHub({
    owner: settings.owner,
    repo: settings.repo,
    credentials: settings.credentials,
    baseUrl: settings.apiUrl,
    pushUrl: settings.pushUrl,
    ...(settings.fork ? { fork: settings.fork } : {}),
    developerFork,
    ...(extra.credentialsDir ? { credentialsDir: extra.credentialsDir } : {}),
  });
  return { host, ci: createGitHubCiPort({ settings, host }), settings };
}
