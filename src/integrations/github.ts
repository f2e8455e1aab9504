// GitHub behind a small interface, through Octokit (retries off: Temporal retries the activity).
// Pushing is plain git to the remote URL; everything else is the REST API.
import { Octokit } from '@octokit/rest';
import { git } from './git.js';
import { redactSecrets } from '../observability/logger.js';
import type { Evidence } from '../agent/types.js';

export interface PullRequestRef {
  number: number;
  url: string;
  headSha: string;
  branch: string;
}

export interface CodeHost {
  pushBranch(worktree: string, branch: string): Promise<void>;
  openPullRequest(args: { branch: string; base: string; title: string; body: string }): Promise<PullRequestRef>;
  /** The open PR whose head is `branch`, if any: lets a retried step return it instead of opening a second one. */
  findPullRequest(branch: string): Promise<PullRequestRef | undefined>;
  comment(prNumber: number, body: string): Promise<{ id: number }>;
  listComments(prNumber: number): Promise<Array<{ id: number; body: string; user: string }>>;
  setCommitStatus(sha: string, args: { context: string; state: 'pending' | 'success' | 'failure' | 'error'; description: string; targetUrl?: string }): Promise<void>;
  createCheckRun(sha: string, args: { name: string; conclusion: 'success' | 'failure' | 'neutral'; title: string; summary: string }): Promise<{ id: number }>;
  /** The PR's description as it is now (a reviewer may have edited it, e.g. ticked a checklist). */
  pullRequestBody?(prNumber: number): Promise<string>;
  /** Open PRs whose head is this commit (a status delivered by the webhook names only the commit). */
  pullRequestsForCommit?(sha: string): Promise<Array<{ number: number; url: string }>>;
  /** Approvers from the OWNERS files that cover `path`, nearest directory first. */
  ownersFor(path: string, ref?: string): Promise<{ approvers: string[]; reviewers: string[]; file?: string }>;
}

export interface GitHubOptions {
  owner: string;
  repo: string;
  token: string;
  /** API base, e.g. https://api.github.com or a loopback fake. */
  baseUrl?: string;
  /** Git remote to push to; a local bare repository path works for the fake. */
  pushUrl: string;
}

export function createGitHub(opts: GitHubOptions): CodeHost {
  const octokit = new Octokit({ auth: opts.token, baseUrl: opts.baseUrl ?? 'https://api.github.com', request: { retries: 0 }, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  const repo = { owner: opts.owner, repo: opts.repo };
  return {
    async pushBranch(worktree, branch) {
      await git(worktree, ['push', '-q', opts.pushUrl, `${branch}:refs/heads/${branch}`]);
    },
    async openPullRequest({ branch, base, title, body }) {
      const { data } = await octokit.rest.pulls.create({ ...repo, head: branch, base, title, body: redactSecrets(body) });
      return { number: data.number, url: data.html_url, headSha: data.head.sha, branch };
    },
    async findPullRequest(branch) {
      const { data } = await octokit.rest.pulls.list({ ...repo, head: `${opts.owner}:${branch}`, state: 'open', per_page: 5 });
      const pr = data.find((p) => p.head.ref === branch);
      return pr ? { number: pr.number, url: pr.html_url, headSha: pr.head.sha, branch } : undefined;
    },
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
      await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: args.state, context: args.context, description: args.description.slice(0, 140), ...(args.targetUrl ? { target_url: args.targetUrl } : {}) });
    },
    async createCheckRun(sha, args) {
      const { data } = await octokit.rest.checks.create({ ...repo, head_sha: sha, name: args.name, status: 'completed', conclusion: args.conclusion, output: { title: args.title, summary: redactSecrets(args.summary).slice(0, 65_000) } });
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
export function evidenceDescription(args: { workItemKey: string; phaseTitle: string; summary: string; evidence: Evidence; checks: Array<{ command: string; passed: boolean }>; confidence?: string }): string {
  const e = args.evidence;
  const lines = [
    `**${args.workItemKey}: ${args.phaseTitle}**`,
    '',
    args.summary,
    '',
    '### Evidence',
    ...args.checks.map((c) => `- ${c.passed ? '✅' : '❌'} \`${c.command}\``),
    ...e.commands.filter((c) => !args.checks.some((k) => k.command === c.command)).map((c) => `- ${c.exitCode === 0 ? '✅' : '❌'} \`${c.command}\` (${c.durationMs} ms)`),
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
