// A loopback GitHub REST API for the endpoints the code host uses, backed by a real bare git repository
// (branches are pushed to it with git), plus a Prow-style CI that reacts to PRs and to /test and
// /retest-required comments by posting ci/prow/<job> commit statuses whose target URL is the run's Prow
// page (/view/gs/<bucket>/pr-logs/pull/<org>_<repo>/<pr>/<job>/<build>), and a GCS bucket for the runs'
// files (JSON API listing, plain object reads): the step's junit_<job>.xml, ci-operator's junit_operator.xml
// and a build log, laid out as OpenShift CI does.
// A PR merges the way GitHub does it (PUT /pulls/:n/merge, a merge commit on the base branch of the bare
// repository); a test plays tide or the approver by calling it. Pushing to a PR's branch moves its head
// and re-runs the jobs, as Prow does on a new commit.
// With a webhook set (setWebhook), every change is also delivered as GitHub delivers it: a JSON POST signed
// with X-Hub-Signature-256, named by X-GitHub-Event and X-GitHub-Delivery, for statuses, pull requests
// (opened, edited, closed), reviews and comments; redeliver(id) sends a delivery again with the same id.
import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { inheritedEnvironment } from '../../../src/config/process-environment.js';
import { startLoopback, type FakeRequest, type FakeResponse, type LoopbackServer } from './http.js';
import { gitSmartHttp, tokenRegistry, type FakeAppSettings, type TokenRegistry } from './github-git.js';

const exec = promisify(execFile);
/** OpenShift CI's results bucket. */
const prowBucket = 'test-platform-results';

/** ci-operator's own JUnit: one case per step, failed when the step failed. */
function operatorReport(job: string, passed: boolean): string {
  const name = `Run multi-stage test ${job} - ${job}-test container test`;
  return `<testsuite name="operator" tests="1" failures="${passed ? 0 : 1}"><testcase name="${name}">${passed ? '' : '<failure message="step failed">the step exited non-zero</failure>'}</testcase></testsuite>\n`;
}

export interface FakeProwJob {
  name: string;
  /** Decides a run's outcome: the JUnit XML it publishes and whether the job passed. */
  run: (args: { sha: string; attempt: number }) => Promise<{ passed: boolean; junitXml: string }> | { passed: boolean; junitXml: string };
  /** Required jobs are the ones /retest-required re-runs when failed. */
  required?: boolean;
}

interface Pull {
  number: number;
  head: string;
  /** Owner of the repository the head branch lives in: the upstream's owner, or a fork's. */
  headOwner: string;
  base: string;
  title: string;
  body: string;
  sha: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** Base branch tip when the PR was opened or last merged against. */
  baseSha: string | null;
  /** Who opened it. */
  author: string;
}

export interface FakeGitHub extends LoopbackServer {
  owner: string;
  repo: string;
  bareRepo: string;
  pulls: Pull[];
  comments: Array<{ id: number; issue: number; body: string; user: string; created_at?: string }>;
  statuses: Array<{ sha: string; context: string; state: string; description: string; target_url: string | null; id: number; created_at: string }>;
  checkRuns: Array<{ id: number; head_sha: string; name: string; conclusion: string; output: { title: string; summary: string } }>;
  /** Job runs in order, for assertions on retriggers. */
  jobRuns: Array<{ job: string; sha: string; attempt: number; passed: boolean }>;
  /** Resolves once every job started so far has reported. */
  idle(): Promise<void>;
  /** Sends GitHub's webhook deliveries to this URL, signed with the secret, from now on. */
  setWebhook(hook: { url: string; secret: string }): void;
  /** Every delivery sent, with the receiver's answer. */
  deliveries: Array<{ id: string; event: string; body: string; status: number; answer: string }>;
  /** Sends a delivery again, same id and body, as "Redeliver" in the hook's settings does. */
  redeliver(id: string): Promise<{ status: number; answer: string }>;
  /** A reviewer submits a review on a PR (the review's state as GitHub writes it, e.g. APPROVED). */
  submitReview(number: number, reviewer: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'): Promise<void>;
  /** Merges an open PR with a merge commit on its base branch, as the merge button or tide would (tide leaves a held PR alone: 405). */
  mergePull(number: number, opts?: { sha?: string; title?: string }): Promise<{ sha: string }>;
  /** Labels on each issue or PR, as Prow applies them (`/hold` → do-not-merge/hold). */
  labels: Map<number, Set<string>>;
  /** Issue events (labeled/unlabeled) with who caused them, as GET /issues/:n/events lists them. */
  events: Array<{ issue: number; event: 'labeled' | 'unlabeled'; label: string; actor: string }>;
  /** A person comments (e.g. `/hold`): Prow reacts as to any comment. */
  commentAs(user: string, issue: number, body: string): void;
  /** A person opens a PR in GitHub's UI (e.g. with the "Revert" button) from a branch already on the repository or a fork. */
  openPullAs(user: string, pr: { head: string; headOwner?: string; base?: string; title: string; body: string }): Promise<Pull>;
  /**
   * One pass of OpenShift's Retester over a PR (openshift/ci-tools pkg/retester): when a required job's latest
   * run on the HEAD failed, it comments `/retest-required` with the retests remaining, at most
   * `perBaseHead` per base+HEAD pair, and `/hold` once the HEAD had `perHead`; as `openshift-ci-robot`.
   */
  retesterPass(issue: number, policy?: { perBaseHead?: number; perHead?: number }): Promise<'retest' | 'pause' | 'hold' | 'nothing'>;
  /** A person adds a label in GitHub's UI. */
  labelAs(user: string, issue: number, label: string): void;
  /** The next `times` REST calls answer GitHub's rate limit: 429, or 403 "secondary rate limit", with Retry-After. */
  rateLimit(times: number, opts?: { status?: 429 | 403; retryAfterSeconds?: number }): void;
  /**
   * The next `times` REST calls are refused as GitHub refuses them, with its JSON error body: 403 "Resource not
   * accessible by integration" (an app without the permission), 404 "Not Found", 422 "Validation Failed" with errors.
   */
  refuse(times: number, status: 403 | 404 | 422, errors?: Array<{ resource: string; field?: string; code: string; message?: string }>): void;
  /** Forks phases may push to, by `owner/name`; deleting one makes it answer 404. */
  forks: Map<string, string>;
  /** Installation tokens and JWTs seen, and a way to expire them. */
  tokens: TokenRegistry;
  /** git smart-HTTP requests served: which repository, which service, as whom. */
  gitRequests: Array<{ slug: string; service: string; login: string }>;
}

export class FakeMergeError extends Error {
  constructor(
    readonly status: 405 | 409 | 404,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeGitHub(opts: {
  owner: string;
  repo: string;
  bareRepo: string;
  jobs?: FakeProwJob[];
  token?: string;
  /** A GitHub App that may mint installation tokens (then no personal token is needed). */
  app?: FakeAppSettings;
  /** Forks of the repository, `owner/name` → bare repository. */
  forks?: Record<string, string>;
}): Promise<FakeGitHub> {
  const tokens = tokenRegistry({ ...(opts.token ? { personalToken: opts.token } : {}), ...(opts.app ? { app: opts.app } : {}) });
  const forks = new Map(Object.entries(opts.forks ?? {}));
  const labels = new Map<number, Set<string>>();
  const events: FakeGitHub['events'] = [];
  const gitRequests: FakeGitHub['gitRequests'] = [];
  let limited: { times: number; status: 429 | 403; retryAfterSeconds: number } | undefined;
  let refused: { times: number; status: 403 | 404 | 422; errors?: Array<Record<string, string | undefined>> } | undefined;
  /** Prow's bot applies labels whoever asked. */
  const prowBot = 'openshift-ci[bot]';
  const setLabel = (issue: number, label: string, on: boolean, actor: string) => {
    const set = labels.get(issue) ?? new Set<string>();
    labels.set(issue, set);
    if (set.has(label) === on) return;
    if (on) set.add(label);
    else set.delete(label);
    events.push({ issue, event: on ? 'labeled' : 'unlabeled', label, actor });
  };
  /** Retester's own account, and what it remembers per PR (its backoff cache). */
  const retesterLogin = 'openshift-ci-robot';
  const retesterRecords = new Map<number, { head: string; base: string; forHead: number; forBase: number }>();
  const pulls: Pull[] = [];
  const comments: FakeGitHub['comments'] = [];
  const statuses: FakeGitHub['statuses'] = [];
  const checkRuns: FakeGitHub['checkRuns'] = [];
  const jobRuns: FakeGitHub['jobRuns'] = [];
  /** Objects of the fake GCS bucket, by name. */
  const bucket = new Map<string, string>();
  const pending = new Set<Promise<void>>();
  let nextId = 1000;
  let baseUrl = '';
  let hook: { url: string; secret: string } | undefined;
  const deliveries: FakeGitHub['deliveries'] = [];
  const repository = () => ({
    id: 1,
    name: opts.repo,
    full_name: `${opts.owner}/${opts.repo}`,
    owner: { login: opts.owner },
    html_url: `${baseUrl}/${opts.owner}/${opts.repo}`,
  });
  const post = async (id: string, event: string, body: string) => {
    const res = await fetch(hook!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/fake',
        'x-github-event': event,
        'x-github-delivery': id,
        'x-github-hook-id': '1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', hook!.secret).update(body).digest('hex')}`,
      },
      body,
    });
    return { status: res.status, answer: await res.text() };
  };
  /** One delivery, sent in the background as GitHub does; idle() waits for it. */
  const deliver = (event: string, payload: Record<string, unknown>) => {
    if (!hook) return;
    const id = randomUUID();
    const body = JSON.stringify({ ...payload, repository: repository(), sender: payload.sender ?? { login: 'sitroom-bot' } });
    const p = post(id, event, body).then(
      (r) => void deliveries.push({ id, event, body, ...r }),
      (err: Error) => void deliveries.push({ id, event, body, status: 0, answer: err.message }),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const prefix = `/repos/${opts.owner}/${opts.repo}`;
  const jobs = opts.jobs ?? [];

  const gitIn = async (args: string[]) => (await exec('git', args, { cwd: opts.bareRepo })).stdout;
  const upstreamSlug = `${opts.owner}/${opts.repo}`;
  const bareOf = (owner: string) => (owner === opts.owner ? opts.bareRepo : [...forks].find(([slug]) => slug.split('/')[0] === owner)?.[1]);
  /** The head's commit, brought into the upstream as refs/pull/<n>/head as GitHub does, so a merge can use it. */
  const headSha = async (headOwner: string, branch: string, number: number): Promise<string> => {
    const bare = bareOf(headOwner);
    if (!bare) throw new Error(`no repository for ${headOwner}`);
    const sha = (await exec('git', ['rev-parse', `refs/heads/${branch}`], { cwd: bare })).stdout.trim();
    if (bare !== opts.bareRepo) await gitIn(['fetch', '-q', bare, `+refs/heads/${branch}:refs/pull/${number}/head`]);
    return sha;
  };
  const status = (sha: string, context: string, state: string, description: string, target_url: string | null) => {
    const row = { sha, context, state, description, target_url, id: nextId++, created_at: new Date().toISOString() };
    statuses.push(row);
    deliver('status', { ...row, name: `${opts.owner}/${opts.repo}`, commit: { sha }, branches: [], updated_at: row.created_at });
  };

  const runJob = (job: FakeProwJob, sha: string) => {
    const attempt = jobRuns.filter((r) => r.job === job.name && r.sha === sha).length + 1;
    status(sha, `ci/prow/${job.name}`, 'pending', 'Job triggered.', null);
    const p = (async () => {
      const out = await job.run({ sha, attempt });
      const pr = pulls.find((x) => x.sha === sha)?.number ?? 0;
      const run = `pr-logs/pull/${opts.owner}_${opts.repo}/${pr}/pull-ci-${opts.owner}-${opts.repo}-main-${job.name}/${1_800_000_000_000_000_000n + BigInt(nextId++)}`;
      bucket.set(`${run}/build-log.txt`, `job ${job.name} attempt ${attempt}: ${out.passed ? 'passed' : 'failed'}\n`);
      bucket.set(`${run}/artifacts/junit_operator.xml`, operatorReport(job.name, out.passed));
      bucket.set(`${run}/artifacts/${job.name}/test/artifacts/junit_${job.name}.xml`, out.junitXml);
      jobRuns.push({ job: job.name, sha, attempt, passed: out.passed });
      status(
        sha,
        `ci/prow/${job.name}`,
        out.passed ? 'success' : 'failure',
        out.passed ? 'Job succeeded.' : 'Job failed.',
        `${baseUrl}/view/gs/${prowBucket}/${run}`,
      );
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  /** A push to a PR's branch moves its head: refresh it and run the jobs on the new commit. */
  const refresh = async (pull: Pull) => {
    if (pull.state !== 'open') return;
    const sha = await headSha(pull.headOwner, pull.head, pull.number).catch(() => pull.sha);
    if (sha === pull.sha) return;
    pull.sha = sha;
    for (const job of jobs) runJob(job, sha);
  };

  const mergePull = async (number: number, opt: { sha?: string; title?: string } = {}): Promise<{ sha: string }> => {
    const pull = pulls.find((p) => p.number === number);
    if (!pull) throw new FakeMergeError(404, 'Not Found');
    await refresh(pull);
    if (pull.state !== 'open') throw new FakeMergeError(405, 'Pull Request is not mergeable');
    if (labels.get(number)?.has('do-not-merge/hold')) throw new FakeMergeError(405, 'Tide: the PR carries do-not-merge/hold');
    if (opt.sha && opt.sha !== pull.sha) throw new FakeMergeError(409, 'Head branch was modified. Review and try the merge again.');
    const base = (await gitIn(['rev-parse', `refs/heads/${pull.base}`])).trim();
    let tree: string;
    try {
      tree = (await gitIn(['merge-tree', '--write-tree', base, pull.sha])).split('\n')[0]!.trim();
    } catch {
      throw new FakeMergeError(405, 'Pull Request is not mergeable');
    }
    const message = opt.title ?? `Merge pull request #${pull.number} from ${pull.headOwner}/${pull.head}`;
    const identity = {
      GIT_AUTHOR_NAME: 'openshift-merge-bot',
      GIT_AUTHOR_EMAIL: 'merge-bot@example.invalid',
      GIT_COMMITTER_NAME: 'openshift-merge-bot',
      GIT_COMMITTER_EMAIL: 'merge-bot@example.invalid',
    };
    const commit = (
      await exec('git', ['commit-tree', tree, '-p', base, '-p', pull.sha, '-m', message], {
        cwd: opts.bareRepo,
        env: { ...inheritedEnvironment(), ...identity },
      })
    ).stdout.trim();
    await gitIn(['update-ref', `refs/heads/${pull.base}`, commit, base]);
    Object.assign(pull, { state: 'closed', merged: true, mergedAt: new Date().toISOString(), mergeCommitSha: commit, baseSha: base });
    deliver('pull_request', { action: 'closed', number: pull.number, pull_request: pullJson(pull), sender: { login: 'openshift-merge-bot' } });
    return { sha: commit };
  };

  const latest = (sha: string, context: string) => [...statuses].reverse().find((s) => s.sha === sha && s.context === context);

  const onComment = (pull: Pull, body: string) => {
    for (const line of body.split('\n').map((l) => l.trim())) {
      // Prow's hold plugin: https://prow.k8s.io/command-help#hold
      if (line === '/hold') setLabel(pull.number, 'do-not-merge/hold', true, prowBot);
      if (line === '/hold cancel' || line === '/unhold') setLabel(pull.number, 'do-not-merge/hold', false, prowBot);
      const test = /^\/test\s+([\w-]+)$/.exec(line);
      if (test) {
        const job = jobs.find((j) => j.name === test[1]);
        if (job) runJob(job, pull.sha);
      }
      if (line === '/retest-required' || line === '/retest') {
        for (const job of jobs.filter((j) => j.required !== false)) {
          if (latest(pull.sha, `ci/prow/${job.name}`)?.state === 'failure') runJob(job, pull.sha);
        }
      }
    }
  };

  const pullJson = (p: Pull) => ({
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    html_url: `${baseUrl}/${opts.owner}/${opts.repo}/pull/${p.number}`,
    head: { ref: p.head, sha: p.sha, label: `${p.headOwner}:${p.head}`, user: { login: p.headOwner } },
    labels: [...(labels.get(p.number) ?? [])].map((name) => ({ name })),
    base: { ref: p.base, sha: p.baseSha },
    merged: p.merged,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    mergeable: p.state === 'open' ? true : null,
    user: { login: p.author },
  });

  /** A new open PR, announced (pull_request opened) and run through Prow's jobs, as GitHub and Prow do. */
  const createPull = async (p: { head: string; headOwner: string; sha: string; base: string; title: string; body: string }, author: string): Promise<Pull> => {
    const baseSha = (await gitIn(['rev-parse', `refs/heads/${p.base}`]).catch(() => '')).trim() || null;
    const pull: Pull = { number: pulls.length + 1, ...p, state: 'open', merged: false, mergedAt: null, mergeCommitSha: null, baseSha, author };
    pulls.push(pull);
    deliver('pull_request', { action: 'opened', number: pull.number, pull_request: pullJson(pull), sender: { login: author } });
    for (const job of jobs) runJob(job, p.sha);
    return pull;
  };

  const handler = async (req: FakeRequest): Promise<FakeResponse> => {
    // GCS, public bucket: the JSON API's object listing and plain object reads need no GitHub token.
    if (req.path === `/storage/v1/b/${prowBucket}/o`) {
      const query = req.query;
      const names = [...bucket.keys()].filter((n) => n.startsWith(query.get('prefix') ?? '')).sort();
      // One object per page, so a reader that ignores nextPageToken misses the step's JUnit (it sorts after ci-operator's).
      const start = Number(query.get('pageToken') ?? '0');
      const page = names.slice(start, start + 1);
      return {
        body: {
          kind: 'storage#objects',
          items: page.map((name) => ({ kind: 'storage#object', name, bucket: prowBucket })),
          ...(start + 1 < names.length ? { nextPageToken: String(start + 1) } : {}),
        },
      };
    }
    if (req.path.startsWith(`/${prowBucket}/`)) {
      const object = bucket.get(
        req.path
          .slice(prowBucket.length + 2)
          .split('/')
          .map(decodeURIComponent)
          .join('/'),
      );
      return object === undefined ? { status: 404, text: 'NoSuchKey' } : { text: object, headers: { 'content-type': 'application/octet-stream' } };
    }
    let m0: RegExpExecArray | null;
    if ((m0 = /^\/app\/installations\/([^/]+)\/access_tokens$/.exec(req.path)) && req.method === 'POST') return tokens.mint(m0[1]!, req.headers.authorization);
    const who = tokens.check(req.headers.authorization);
    if ('status' in who) return { status: 401, body: { message: who.message, documentation_url: 'https://docs.github.com/rest' } };
    if (limited && limited.times > 0) {
      limited.times -= 1;
      const message =
        limited.status === 429 ? 'API rate limit exceeded' : 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
      return {
        status: limited.status,
        headers: { 'retry-after': String(limited.retryAfterSeconds) },
        body: { message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      };
    }
    if (refused && refused.times > 0) {
      refused.times -= 1;
      const message = { 403: 'Resource not accessible by integration', 404: 'Not Found', 422: 'Validation Failed' }[refused.status];
      return {
        status: refused.status,
        body: {
          message,
          ...(refused.errors ? { errors: refused.errors } : {}),
          documentation_url: 'https://docs.github.com/rest',
          status: String(refused.status),
        },
      };
    }
    if (!req.path.startsWith(prefix)) return { status: 404, body: { message: 'Not Found' } };
    const rest = req.path.slice(prefix.length);
    const body = (req.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (req.method === 'POST' && rest === '/pulls') {
      // `head` is "branch" on the repository itself or "owner:branch" from a fork.
      const rawHead = String(body.head ?? '');
      const [headOwner, head] = rawHead.includes(':') ? (rawHead.split(':', 2) as [string, string]) : [opts.owner, rawHead];
      if (pulls.some((p) => p.state === 'open' && p.headOwner === headOwner && p.head === head)) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${headOwner}:${head}.` }],
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          },
        };
      }
      let sha: string;
      try {
        sha = await headSha(headOwner, head, pulls.length + 1);
      } catch {
        return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] } };
      }
      const pull = await createPull(
        { head, headOwner, sha, base: String(body.base ?? 'main'), title: String(body.title ?? ''), body: String(body.body ?? '') },
        who.login,
      );
      return { status: 201, body: pullJson(pull) };
    }
    if (req.method === 'GET' && rest === '/pulls') {
      // GitHub filters by head as "owner:branch" and by state (default open).
      const head = req.query.get('head') ?? undefined;
      const state = req.query.get('state') ?? 'open';
      const matches = pulls.filter((p) => (!head || `${p.headOwner}:${p.head}` === head) && (state === 'all' || p.state === state));
      for (const p of matches) await refresh(p);
      return { body: matches.map(pullJson) };
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest)) && req.method === 'PATCH') {
      // A reviewer editing the description (e.g. ticking a checklist box), as PATCH /repos/:o/:r/pulls/:n does.
      const pull = pulls.find((p) => p.number === Number(m![1]));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      const changes: Record<string, { from: string }> = {};
      if (typeof body.body === 'string' && body.body !== pull.body) changes.body = { from: pull.body };
      if (typeof body.title === 'string' && body.title !== pull.title) changes.title = { from: pull.title };
      if (typeof body.body === 'string') pull.body = body.body;
      if (typeof body.title === 'string') pull.title = body.title;
      if (Object.keys(changes).length)
        deliver('pull_request', {
          action: 'edited',
          number: pull.number,
          changes,
          pull_request: pullJson(pull),
          sender: { login: String(req.headers['x-fake-user'] ?? 'reviewer') },
        });
      return { body: pullJson(pull) };
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest)) && req.method === 'GET') {
      const pull = pulls.find((p) => p.number === Number(m![1]));
      if (pull) await refresh(pull);
      return pull ? { body: pullJson(pull) } : { status: 404, body: { message: 'Not Found' } };
    }
    if ((m = /^\/pulls\/(\d+)\/merge$/.exec(rest))) {
      const pull = pulls.find((p) => p.number === Number(m![1]));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      // GET answers 204 when merged and 404 when not, as GitHub's "check if merged" does.
      if (req.method === 'GET') return pull.merged ? { status: 204 } : { status: 404, body: { message: 'Not Found' } };
      if (req.method !== 'PUT') return { status: 404, body: { message: 'Not Found' } };
      try {
        const merged = await mergePull(pull.number, {
          ...(typeof body.sha === 'string' ? { sha: body.sha } : {}),
          ...(typeof body.commit_title === 'string' ? { title: body.commit_title } : {}),
        });
        return { body: { sha: merged.sha, merged: true, message: 'Pull Request successfully merged' } };
      } catch (err) {
        if (err instanceof FakeMergeError) return { status: err.status, body: { message: err.message } };
        throw err;
      }
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      const pull = pulls.find((p) => p.number === issue);
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      if (req.method === 'POST') {
        await refresh(pull);
        const c = { id: nextId++, issue, body: String(body.body ?? ''), user: who.login, created_at: new Date().toISOString() };
        comments.push(c);
        deliver('issue_comment', {
          action: 'created',
          issue: { number: issue, title: pull.title, html_url: pullJson(pull).html_url, pull_request: { html_url: pullJson(pull).html_url } },
          comment: { id: c.id, body: c.body, user: { login: c.user } },
        });
        onComment(pull, c.body);
        return { status: 201, body: { id: c.id, body: c.body, user: { login: c.user } } };
      }
      return {
        body: comments.filter((c) => c.issue === issue).map((c) => ({ id: c.id, body: c.body, user: { login: c.user }, created_at: c.created_at ?? null })),
      };
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && req.method === 'GET') {
      return { body: [...(labels.get(Number(m[1])) ?? [])].map((name) => ({ name })) };
    }
    if ((m = /^\/issues\/(\d+)\/events$/.exec(rest)) && req.method === 'GET') {
      const issue = Number(m[1]);
      return {
        body: events.filter((e) => e.issue === issue).map((e, i) => ({ id: i + 1, event: e.event, label: { name: e.label }, actor: { login: e.actor } })),
      };
    }
    if ((m = /^\/statuses\/([0-9a-f]{7,40})$/.exec(rest)) && req.method === 'POST') {
      status(m[1]!, String(body.context ?? 'default'), String(body.state), String(body.description ?? ''), (body.target_url as string | undefined) ?? null);
      return { status: 201, body: statuses.at(-1) };
    }
    if ((m = /^\/commits\/([0-9a-f]{7,40})\/pulls$/.exec(rest)) && req.method === 'GET') {
      return { body: pulls.filter((p) => p.sha === m![1]).map(pullJson) };
    }
    if ((m = /^\/commits\/([^/]+)\/statuses$/.exec(rest)) && req.method === 'GET') {
      return { body: [...statuses].reverse().filter((s) => s.sha === m![1]) };
    }
    if (rest === '/check-runs' && req.method === 'POST') {
      const run = {
        id: nextId++,
        head_sha: String(body.head_sha),
        name: String(body.name),
        conclusion: String(body.conclusion),
        output: body.output as { title: string; summary: string },
      };
      checkRuns.push(run);
      return { status: 201, body: run };
    }
    if ((m = /^\/git\/ref\/heads(?:\/|%2F)(.+)$/i.exec(rest)) && req.method === 'GET') {
      // GitHub's "get a reference" (Octokit sends the ref's slash encoded): the branch tip, as Retester reads
      // the base it pairs a HEAD with.
      const branch = decodeURIComponent(m[1]!);
      const sha = (await gitIn(['rev-parse', '--verify', '-q', `refs/heads/${branch}`]).catch(() => '')).trim();
      if (!sha) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/refs#get-a-reference' } };
      return {
        body: {
          ref: `refs/heads/${branch}`,
          node_id: `REF_${sha.slice(0, 12)}`,
          url: `${baseUrl}${prefix}/git/refs/heads/${branch}`,
          object: { sha, type: 'commit', url: `${baseUrl}${prefix}/git/commits/${sha}` },
        },
      };
    }
    if ((m = /^\/contents\/(.+)$/.exec(rest)) && req.method === 'GET') {
      const ref = req.query.get('ref') ?? 'HEAD';
      try {
        const text = await gitIn(['show', `${ref}:${decodeURIComponent(m[1]!)}`]);
        return { body: { type: 'file', path: m[1], encoding: 'base64', content: Buffer.from(text).toString('base64') } };
      } catch {
        return { status: 404, body: { message: 'Not Found' } };
      }
    }
    return { status: 404, body: { message: `Not Found: ${req.method} ${rest}` } };
  };

  const server = await startLoopback(
    handler,
    gitSmartHttp((slug) => (slug === upstreamSlug ? opts.bareRepo : forks.get(slug)), tokens, gitRequests),
  );
  baseUrl = server.url;
  return {
    ...server,
    owner: opts.owner,
    repo: opts.repo,
    bareRepo: opts.bareRepo,
    pulls,
    comments,
    statuses,
    checkRuns,
    jobRuns,
    idle: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
    mergePull,
    deliveries,
    setWebhook: (h) => {
      hook = h;
    },
    async redeliver(id) {
      const original = deliveries.find((d) => d.id === id);
      if (!original || !hook) throw new Error(`no delivery ${id}`);
      const answer = await post(id, original.event, original.body);
      deliveries.push({ id, event: original.event, body: original.body, ...answer });
      return answer;
    },
    async submitReview(number, reviewer, state) {
      const pull = pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`no PR #${number}`);
      const review = {
        id: nextId++,
        user: { login: reviewer },
        body: '',
        state: state.toLowerCase(),
        commit_id: pull.sha,
        html_url: `${pullJson(pull).html_url}#pullrequestreview-${nextId}`,
        submitted_at: new Date().toISOString(),
      };
      deliver('pull_request_review', { action: 'submitted', review, pull_request: pullJson(pull), sender: { login: reviewer } });
      await Promise.all([...pending]);
    },
    labels,
    events,
    forks,
    tokens,
    gitRequests,
    async retesterPass(issue, policy = {}) {
      const pull = pulls.find((p) => p.number === issue);
      if (!pull || pull.state !== 'open') return 'nothing';
      await refresh(pull);
      if (!jobs.some((j) => j.required !== false && latest(pull.sha, `ci/prow/${j.name}`)?.state === 'failure')) return 'nothing';
      const perBaseHead = policy.perBaseHead ?? 1;
      const perHead = policy.perHead ?? 3;
      const base = (await gitIn(['rev-parse', `refs/heads/${pull.base}`])).trim();
      const record = retesterRecords.get(issue) ?? { head: '', base: '', forHead: 0, forBase: 0 };
      retesterRecords.set(issue, record);
      if (record.head !== pull.sha) Object.assign(record, { head: pull.sha, forHead: 0, forBase: 0 });
      if (record.base !== base) Object.assign(record, { base, forBase: 0 });
      const say = (text: string) => {
        const c = { id: nextId++, issue, body: text, user: retesterLogin, created_at: new Date().toISOString() };
        comments.push(c);
        onComment(pull, text);
      };
      if (record.forHead === perHead) {
        Object.assign(record, { forHead: 0, forBase: 0 });
        say(`/hold\n\nRevision ${pull.sha} was retested ${perHead} times: holding\n`);
        return 'hold';
      }
      if (record.forBase === perBaseHead) return 'pause';
      record.forBase += 1;
      record.forHead += 1;
      say(
        `/retest-required\n\nRemaining retests: ${perBaseHead - record.forBase} against base HEAD ${base} and ${perHead - record.forHead} for PR HEAD ${pull.sha} in total\n`,
      );
      return 'retest';
    },
    commentAs(user, issue, text) {
      const pull = pulls.find((p) => p.number === issue);
      comments.push({ id: nextId++, issue, body: text, user });
      if (pull) onComment(pull, text);
    },
    async openPullAs(user, pr) {
      const headOwner = pr.headOwner ?? opts.owner;
      const sha = await headSha(headOwner, pr.head, pulls.length + 1);
      const pull = await createPull({ head: pr.head, headOwner, sha, base: pr.base ?? 'main', title: pr.title, body: pr.body }, user);
      await Promise.all([...pending]);
      return pull;
    },
    labelAs(user, issue, label) {
      setLabel(issue, label, true, user);
    },
    refuse(times, status, errors) {
      refused = { times, status, ...(errors ? { errors } : {}) };
    },
    rateLimit(times, o = {}) {
      limited = { times, status: o.status ?? 429, retryAfterSeconds: o.retryAfterSeconds ?? 30 };
    },
  };
}
