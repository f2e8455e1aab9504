// GitHub behind a small interface, through Octokit (retries off: Temporal retries the activity).
// Pushing is plain git to the remote URL, with the same identity as the API (a credential helper for that one
// command); everything else is the REST API. With a fork configured, branches go to the fork and PRs are
// opened from `fork-owner:branch` onto the upstream, as nobody (bot or person) pushes to the upstream itself.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, gitWithToken } from './git.js';
import { githubClient, personalToken, type GitHubCredentials } from './github-auth.js';
import { explainPushFailure, holdLabel, holdState, type HoldOutcome } from './github-errors.js';
import { redactSecrets } from '../observability/logger.js';
import type { Evidence } from '../agent/types.js';

export interface PullRequestRef {
  number: number;
  url: string;
  headSha: string;
  branch: string;
}

/** Whose fork a phase branch lives on: a collaborative phase's developer's, when they configured one; else the bot's. */
export interface BranchOwner {
  developer?: string;
}

export interface CodeHost {
  pushBranch(worktree: string, branch: string, owner?: BranchOwner): Promise<void>;
  openPullRequest(args: { branch: string; base: string; title: string; body: string } & BranchOwner): Promise<PullRequestRef>;
  /** The open PR whose head is `branch`, if any: lets a retried step return it instead of opening a second one. */
  findPullRequest(branch: string, owner?: BranchOwner): Promise<PullRequestRef | undefined>;
  /**
   * Brings commits pushed to the phase branch on its remote (a developer pairing) into the worktree's branch,
   * fast-forward only. A branch that moved on both sides is never forced: it throws NonFastForward, explained.
   */
  pullBranch?(
    worktree: string,
    branch: string,
    owner?: BranchOwner,
  ): Promise<{ remote: 'absent' | 'same' | 'fast-forwarded' | 'local-ahead'; commits: number }>;
  /** Where a phase branch lives (the developer's fork for their collaborative phases, else the bot's) and its git URL. */
  branchHome?(owner?: BranchOwner): PushTarget;
  /** Puts Prow's hold on a PR with a comment naming what it waits for, once per marker. */
  hold?(prNumber: number, why: string, marker: string): Promise<void>;
  /** Lifts the hold `hold` put with this marker, unless a person holds the PR too (`by`: who, when GitHub says). */
  releaseHold?(prNumber: number, marker: string): Promise<{ outcome: HoldOutcome; by?: string }>;
  comment(prNumber: number, body: string): Promise<{ id: number }>;
  listComments(prNumber: number): Promise<Array<{ id: number; body: string; user: string }>>;
  setCommitStatus(
    sha: string,
    args: { context: string; state: 'pending' | 'success' | 'failure' | 'error'; description: string; targetUrl?: string },
  ): Promise<void>;
  createCheckRun(sha: string, args: { name: string; conclusion: 'success' | 'failure' | 'neutral'; title: string; summary: string }): Promise<{ id: number }>;
  /** The PR's description as it is now (a reviewer may have edited it, e.g. ticked a checklist). */
  pullRequestBody?(prNumber: number): Promise<string>;
  /** Open PRs whose head is this commit (a status delivered by the webhook names only the commit). */
  pullRequestsForCommit?(sha: string): Promise<Array<{ number: number; url: string }>>;
  /** Approvers from the OWNERS files that cover `path`, nearest directory first. */
  ownersFor(path: string, ref?: string): Promise<{ approvers: string[]; reviewers: string[]; file?: string }>;
}

/** A repository phase branches are pushed to, and the git URL to reach it. */
export interface PushTarget {
  owner: string;
  repo: string;
  pushUrl: string;
}

export interface GitHubOptions {
  owner: string;
  repo: string;
  /** A personal token: the simple fallback when no GitHub App is configured. */
  token?: string;
  /** Who we are (an app installation or a personal token); wins over `token`. */
  credentials?: GitHubCredentials;
  /** API base, e.g. https://api.github.com or a loopback fake. */
  baseUrl?: string;
  /** Git remote to push to (the bot's fork when there is one); a local bare repository path works for the fake. */
  pushUrl: string;
  /** The bot's fork `pushUrl` points at: PR heads are `<fork owner>:<branch>`. Absent: the upstream itself. */
  fork?: { owner: string; repo: string };
  /** A developer's own fork, for the collaborative phases they own; read when needed, so edited role files count. */
  developerFork?: (developerId: string) => PushTarget | undefined;
  /** Private folder for the per-push credential file (never a worktree; hidden from the agent's sandbox). */
  credentialsDir?: string;
}

export function createGitHub(opts: GitHubOptions): CodeHost {
  const credentials = opts.credentials ?? personalToken(opts.token ?? '');
  const octokit = githubClient(credentials, opts.baseUrl ?? 'https://api.github.com');
  const repo = { owner: opts.owner, repo: opts.repo };
  const botTarget: PushTarget = { owner: opts.fork?.owner ?? opts.owner, repo: opts.fork?.repo ?? opts.repo, pushUrl: opts.pushUrl };
  const targetOf = (owner?: BranchOwner): PushTarget => (owner?.developer ? opts.developerFork?.(owner.developer) : undefined) ?? botTarget;
  /** git against a remote URL as the same identity as the API; a local path (a test's bare repository) needs none. */
  const remoteGit = async (cwd: string, args: string[], url: string): Promise<string> => {
    if (!/^https?:\/\//.test(url)) return git(cwd, args);
    const run = async () =>
      gitWithToken(cwd, args, { token: await credentials.token(), scratchDir: opts.credentialsDir ?? join(tmpdir(), 'sitroom-git-credentials') });
    try {
      return await run();
    } catch (err) {
      // An installation token GitHub no longer takes: mint a new one and try once more.
      if (
        /HTTP 401|Authentication failed|could not read Username/i.test(String((err as { stderr?: string }).stderr ?? err)) &&
        credentials.refused(await credentials.token())
      )
        return run();
      throw err;
    }
  };
  const findPullRequest = async (branch: string, owner?: BranchOwner): Promise<PullRequestRef | undefined> => {
    const head = targetOf(owner).owner;
    const { data } = await octokit.rest.pulls.list({ ...repo, head: `${head}:${branch}`, state: 'open', per_page: 5 });
    const pr = data.find((p) => p.head.ref === branch);
    return pr ? { number: pr.number, url: pr.html_url, headSha: pr.head.sha, branch } : undefined;
  };
  return {
    branchHome: targetOf,
    async pushBranch(worktree, branch, owner) {
      const target = targetOf(owner);
      try {
        await remoteGit(worktree, ['push', '-q', target.pushUrl, `${branch}:refs/heads/${branch}`], target.pushUrl);
      } catch (err) {
        throw explainPushFailure(err, { branch, where: `${target.owner}/${target.repo}` });
      }
    },
    async pullBranch(worktree, branch, owner) {
      const target = targetOf(owner);
      const ref = `refs/remotes/sitroom-phase/${branch}`;
      try {
        const listed = await remoteGit(worktree, ['ls-remote', '--heads', target.pushUrl, `refs/heads/${branch}`], target.pushUrl);
        if (!listed.trim()) return { remote: 'absent', commits: 0 };
        await remoteGit(worktree, ['fetch', '-q', target.pushUrl, `+refs/heads/${branch}:${ref}`], target.pushUrl);
      } catch (err) {
        throw explainPushFailure(err, { branch, where: `${target.owner}/${target.repo}` });
      }
      const count = async (range: string) => Number((await git(worktree, ['rev-list', '--count', range])).trim());
      const theirs = await count(`HEAD..${ref}`);
      const ours = await count(`${ref}..HEAD`);
      if (theirs === 0) return { remote: ours === 0 ? 'same' : 'local-ahead', commits: 0 };
      if (ours > 0) {
        const subjects = async (range: string) => (await git(worktree, ['log', '--format=%h %s', range])).trim().split('\n').slice(0, 5).join('; ');
        const short = async (rev: string) => (await git(worktree, ['rev-parse', '--short=10', rev])).trim();
        throw explainPushFailure(Object.assign(new Error('diverged'), { stderr: '! [rejected] (non-fast-forward)' }), {
          branch,
          where: `${target.owner}/${target.repo}`,
          heads: { theirs: await short(ref), ours: await short('HEAD') },
          detail: `${branch} on ${target.owner}/${target.repo} has ${theirs} commit(s) the agent's copy lacks (${await subjects(`HEAD..${ref}`)}) and the agent's copy has ${ours} it lacks (${await subjects(`${ref}..HEAD`)})`,
        });
      }
      await git(worktree, ['merge', '-q', '--ff-only', ref]);
      return { remote: 'fast-forwarded', commits: theirs };
    },
    async openPullRequest({ branch, base, title, body, developer }) {
      const owner = developer ? { developer } : undefined;
      const head = `${targetOf(owner).owner}:${branch}`;
      try {
        const { data } = await octokit.rest.pulls.create({ ...repo, head, base, title, body: redactSecrets(body) });
        return { number: data.number, url: data.html_url, headSha: data.head.sha, branch };
      } catch (err) {
        // 422 "A pull request already exists for owner:branch": a retried step, or a person opened it; use that one.
        const e = err as { status?: number; response?: { data?: { errors?: Array<{ message?: string }> } } };
        if (e.status === 422 && e.response?.data?.errors?.some((x) => /already exists/i.test(x.message ?? ''))) {
          const existing = await findPullRequest(branch, owner);
          if (existing) return existing;
        }
        if (e.status === 422 && opts.fork)
          throw explainPushFailure(Object.assign(new Error('head invalid'), { stderr: 'Repository not found' }), {
            branch,
            where: head.split(':')[0]! + '/' + targetOf(owner).repo,
          });
        throw err;
      }
    },
    findPullRequest,
    async pullRequestBody(prNumber) {
      const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: prNumber });
      return data.body ?? '';
    },
    async pullRequestsForCommit(sha) {
      const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 20 });
      return data.filter((p) => p.state === 'open').map((p) => ({ number: p.number, url: p.html_url }));
    },
    async comment(prNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: prNumber, body: redactSecrets(body) });
      return { id: data.id };
    },
    async listComments(prNumber) {
      const { data } = await octokit.rest.issues.listComments({ ...repo, issue_number: prNumber, per_page: 100 });
      return data.map((c) => ({ id: c.id, body: c.body ?? '', user: c.user?.login ?? '' }));
    },
    async setCommitStatus(sha, args) {
      await octokit.rest.repos.createCommitStatus({
        ...repo,
        sha,
        state: args.state,
        context: args.context,
        description: args.description.slice(0, 140),
        ...(args.targetUrl ? { target_url: args.targetUrl } : {}),
      });
    },
    async createCheckRun(sha, args) {
      const { data } = await octokit.rest.checks.create({
        ...repo,
        head_sha: sha,
        name: args.name,
        status: 'completed',
        conclusion: args.conclusion,
        output: { title: args.title, summary: redactSecrets(args.summary).slice(0, 65_000) },
      });
      return { id: data.id };
    },
    async ownersFor(path, ref) {
      const dirs = path.split('/').slice(0, -1);
      for (let i = dirs.length; i >= 0; i--) {
        const file = [...dirs.slice(0, i), 'OWNERS'].join('/');
        try {
          const { data } = await octokit.rest.repos.getContent({ ...repo, path: file, ...(ref ? { ref } : {}) });
          if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) continue;
          return { ...parseOwners(Buffer.from(data.content, 'base64').toString('utf8')), file };
        } catch (err) {
          if ((err as { status?: number }).status === 404) continue;
          throw err;
        }
      }
      return { approvers: [], reviewers: [] };
    },
    async hold(prNumber, why, marker) {
      const tag = `<!-- sitroom:${marker} -->`;
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: prNumber, per_page: 100 });
      if (comments.some((c) => c.body?.includes(tag) && /^\/hold\s*$/m.test(c.body))) return;
      // Prow reads one command per line: "/hold" alone, then why, then the marker that finds this comment again.
      await octokit.rest.issues.createComment({ ...repo, issue_number: prNumber, body: `/hold\n\n${why}\n${tag}` });
    },
    async releaseHold(prNumber, marker) {
      const tag = `<!-- sitroom:${marker} -->`;
      const [comments, events, labels] = await Promise.all([
        octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: prNumber, per_page: 100 }),
        octokit.paginate(octokit.rest.issues.listEvents, { ...repo, issue_number: prNumber, per_page: 100 }),
        octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: prNumber, per_page: 100 }).then((r) => r.data),
      ]);
      const state = holdState({
        comments: comments.map((c) => ({ body: c.body ?? '', ours: (c.body ?? '').includes(tag) })),
        labelEvents: events.flatMap((e) =>
          'label' in e && e.label?.name === holdLabel && (e.event === 'labeled' || e.event === 'unlabeled')
            ? [{ event: e.event, actor: e.actor?.login ?? '' }]
            : [],
        ),
        held: labels.some((l) => l.name === holdLabel),
      });
      if (state === 'none') return { outcome: 'not-held' };
      if (state === 'person') {
        // Whose hold: the last person who said /hold in a comment, else who put the label on by hand.
        const said = comments.filter((c) => !(c.body ?? '').includes(tag) && /^\s*\/hold\s*$/m.test(c.body ?? '')).at(-1)?.user?.login;
        const labelled = events.filter((e) => e.event === 'labeled' && 'label' in e && e.label?.name === holdLabel).at(-1)?.actor?.login;
        const by = said ?? labelled;
        return { outcome: 'held-by-person', ...(by ? { by } : {}) };
      }
      await octokit.rest.issues.createComment({ ...repo, issue_number: prNumber, body: `/hold cancel\n\nWhat this PR waited for has merged.\n${tag}` });
      return { outcome: 'released' };
    },
  };
}

/** Kubernetes-style OWNERS: `approvers:` and `reviewers:` lists (aliases are returned as written). */
export function parseOwners(text: string): { approvers: string[]; reviewers: string[] } {
  const out = { approvers: [] as string[], reviewers: [] as string[] };
  let current: 'approvers' | 'reviewers' | undefined;
  for (const line of text.split('\n')) {
    const key = /^(\w+):/.exec(line)?.[1];
    if (key) current = key === 'approvers' || key === 'reviewers' ? key : undefined;
    const item = /^\s+-\s+([\w.-]+)/.exec(line)?.[1];
    if (item && current) out[current].push(item);
  }
  return out;
}

/** The PR description: what changed, how it was verified, what was refused, and how sure we are. */
export function evidenceDescription(args: {
  workItemKey: string;
  phaseTitle: string;
  summary: string;
  evidence: Evidence;
  checks: Array<{ command: string; passed: boolean }>;
  confidence?: string;
}): string {
  const e = args.evidence;
  const lines = [
    `**${args.workItemKey}: ${args.phaseTitle}**`,
    '',
    args.summary,
    '',
    '### Evidence',
    ...args.checks.map((c) => `- ${c.passed ? '✅' : '❌'} \`${c.command}\``),
    ...e.commands
      .filter((c) => !args.checks.some((k) => k.command === c.command))
      .map((c) => `- ${c.exitCode === 0 ? '✅' : '❌'} \`${c.command}\` (${c.durationMs} ms)`),
    '',
    '### Files',
    ...e.filesWritten.map((f) => `- \`${f}\``),
    ...(e.notes.length ? ['', '### Notes', ...e.notes.map((n) => `- ${n}`)] : []),
    ...(e.refusals.length ? ['', '### Refused by the sandbox', ...e.refusals.map((r) => `- ${r.kind}: ${r.reason}`)] : []),
    ...(args.confidence ? ['', `### Confidence`, args.confidence] : []),
    '',
    '_Opened by Situation Room (RH-A)._',
  ];
  return redactSecrets(lines.join('\n'));
}
