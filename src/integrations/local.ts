// Local mode for the demo: the target is a local git repository, a "PR" is a branch with a record
// under .git/sitroom/, and CI runs the repository's tests (`go test -json`) in a scratch worktree of
// the branch and publishes JUnit converted from the test2json events.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { git } from './git.js';
import { inheritedEnvironment } from '../config/process-environment.js';
import type { CiSystem, JobStatus } from './ci/prow.js';
import type { CodeHost, PullRequestRef } from './github.js';
import { parseOwners } from './github.js';
import { goTestJsonToJUnit, parseJUnit } from './ci/junit.js';

interface LocalState {
  pulls: Array<{ number: number; branch: string; base: string; title: string; body: string; sha: string }>;
  comments: Array<{ id: number; pr: number; body: string }>;
  statuses: Array<{ sha: string; context: string; state: string; description: string; targetUrl?: string }>;
  checkRuns: Array<{ id: number; sha: string; name: string; conclusion: string; title: string; summary: string }>;
}

function stateFile(repo: string): string {
  return join(repo, '.git', 'sitroom', 'state.json');
}
function load(repo: string): LocalState {
  const f = stateFile(repo);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LocalState) : { pulls: [], comments: [], statuses: [], checkRuns: [] };
}
function save(repo: string, s: LocalState): void {
  mkdirSync(join(repo, '.git', 'sitroom'), { recursive: true });
  writeFileSync(stateFile(repo), JSON.stringify(s, null, 2));
}

export function createLocalCodeHost(repo: string): CodeHost & { pull(number: number): LocalState['pulls'][number] | undefined } {
  return {
    pull: (n) => load(repo).pulls.find((p) => p.number === n),
    async pushBranch(worktree, branch) {
      // A worktree of the repository already shares its refs; a separate clone pushes into it.
      const common = (await git(worktree, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
      if (common !== join(repo, '.git')) await git(worktree, ['push', '-q', repo, `${branch}:refs/heads/${branch}`]);
      // As on GitHub, a pull request's head follows its branch: a re-push after a CI fix is what CI tests next.
      const sha = (await git(repo, ['rev-parse', `refs/heads/${branch}`])).trim();
      const s = load(repo);
      const open = [...s.pulls].reverse().find((p) => p.branch === branch);
      if (open && open.sha !== sha) {
        open.sha = sha;
        save(repo, s);
      }
    },
    async openPullRequest({ branch, base, title, body }): Promise<PullRequestRef> {
      const sha = (await git(repo, ['rev-parse', `refs/heads/${branch}`])).trim();
      const s = load(repo);
      const number = s.pulls.length + 1;
      s.pulls.push({ number, branch, base, title, body, sha });
      save(repo, s);
      return { number, url: `${pathToFileURL(repo).href}#${branch}`, headSha: sha, branch };
    },
    async findPullRequest(branch) {
      const pull = [...load(repo).pulls].reverse().find((p) => p.branch === branch);
      if (!pull) return undefined;
      // The head moves when the branch is re-pushed (a CI fix); report the current one.
      const sha = (await git(repo, ['rev-parse', `refs/heads/${branch}`])).trim();
      return { number: pull.number, url: `${pathToFileURL(repo).href}#${branch}`, headSha: sha, branch };
    },
    async pullRequestBody(number) {
      return load(repo).pulls.find((p) => p.number === number)?.body ?? '';
    },
    async comment(pr, body) {
      const s = load(repo);
      const id = s.comments.length + 1;
      s.comments.push({ id, pr, body });
      save(repo, s);
      return { id };
    },
    async listComments(pr) {
      return load(repo)
        .comments.filter((c) => c.pr === pr)
        .map((c) => ({ id: c.id, body: c.body, user: 'local' }));
    },
    async setCommitStatus(sha, args) {
      const s = load(repo);
      s.statuses.push({
        sha,
        context: args.context,
        state: args.state,
        description: args.description,
        ...(args.targetUrl ? { targetUrl: args.targetUrl } : {}),
      });
      save(repo, s);
    },
    async createCheckRun(sha, args) {
      const s = load(repo);
      const id = s.checkRuns.length + 1;
      s.checkRuns.push({ id, sha, ...args });
      save(repo, s);
      return { id };
    },
    async ownersFor(path, ref = 'HEAD') {
      const dirs = path.split('/').slice(0, -1);
      for (let i = dirs.length; i >= 0; i--) {
        const file = [...dirs.slice(0, i), 'OWNERS'].join('/');
        try {
          return { ...parseOwners(await git(repo, ['show', `${ref}:${file}`])), file };
        } catch {
          /* no OWNERS at this level */
        }
      }
      return { approvers: [], reviewers: [] };
    },
  };
}

export interface LocalCiOptions {
  repo: string;
  /** Job name shown as ci/local/<job>. */
  job?: string;
  /** argv of the test command; must emit test2json events. It runs with SITROOM_CI_ATTEMPT set to the run's attempt number on the commit. */
  testCommand?: string[];
  timeoutMs?: number;
}

/** Runs the branch's tests in a scratch worktree and records a ci/prow-style status with a JUnit artifact. */
export function createLocalCi(opts: LocalCiOptions): CiSystem & { run(prNumber: number): Promise<JobStatus> } {
  const job = opts.job ?? 'unit';
  // The default run also writes a coverage profile, kept per commit for the "new code is covered" check.
  const coverOut = join(opts.repo, '.git', 'sitroom', 'coverage');
  const argvFor = (sha: string) => opts.testCommand ?? ['go', 'test', '-json', `-coverprofile=${join(coverOut, `${sha}.out.tmp`)}`, './...'];
  const host = createLocalCodeHost(opts.repo);

  async function run(prNumber: number): Promise<JobStatus> {
    const pull = host.pull(prNumber);
    if (!pull) throw new Error(`local PR #${prNumber} does not exist`);
    const scratch = mkdtempSync(join(tmpdir(), 'sitroom-ci-'));
    const wt = join(scratch, 'wt');
    await git(opts.repo, ['worktree', 'add', '-q', '--detach', wt, pull.sha]);
    // Which run of this job on this commit this is (1 = first, 2 = first retry), as Prow's rerun count.
    const attempt = load(opts.repo).statuses.filter((s) => s.sha === pull.sha && s.context === `ci/local/${job}`).length + 1;
    const argv = argvFor(pull.sha);
    mkdirSync(coverOut, { recursive: true });
    try {
      const output = await new Promise<string>((resolve) => {
        execFile(
          argv[0]!,
          argv.slice(1),
          {
            cwd: wt,
            timeout: opts.timeoutMs ?? 10 * 60_000,
            maxBuffer: 64 * 1024 * 1024,
            env: {
              GOFLAGS: '',
              ...inheritedEnvironment(['PATH', 'HOME', 'GOFLAGS']),
              GOPROXY: 'off',
              GOTOOLCHAIN: 'local',
              SITROOM_CI_ATTEMPT: String(attempt),
            },
          },
          (_err, stdout) => resolve(stdout),
        );
      });
      // Renamed only once complete, so a reader never sees half a profile.
      const partial = join(coverOut, `${pull.sha}.out.tmp`);
      if (existsSync(partial)) renameSync(partial, join(coverOut, `${pull.sha}.out`));
      const junitXml = goTestJsonToJUnit(output);
      const report = parseJUnit(junitXml);
      const artifactDir = join(opts.repo, '.git', 'sitroom', 'artifacts', `${job}-${pull.sha.slice(0, 7)}-${attempt}`);
      mkdirSync(artifactDir, { recursive: true });
      writeFileSync(join(artifactDir, 'junit.xml'), junitXml);
      const passed = report.failures === 0 && report.tests > 0;
      const status: JobStatus = {
        job,
        state: passed ? 'success' : 'failure',
        description: `${report.tests} tests, ${report.failures} failed`,
        artifactsUrl: pathToFileURL(join(artifactDir, 'junit.xml')).href,
      };
      await host.setCommitStatus(pull.sha, {
        context: `ci/local/${job}`,
        state: status.state as 'success' | 'failure',
        description: status.description,
        targetUrl: status.artifactsUrl!,
      });
      return status;
    } finally {
      await git(opts.repo, ['worktree', 'remove', '--force', wt]).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  return {
    run,
    async jobStatuses(prNumber) {
      const pull = host.pull(prNumber);
      if (!pull) return [];
      const latest = [...load(opts.repo).statuses].reverse().find((s) => s.sha === pull.sha && s.context === `ci/local/${job}`);
      return latest
        ? [{ job, state: latest.state as JobStatus['state'], description: latest.description, ...(latest.targetUrl ? { artifactsUrl: latest.targetUrl } : {}) }]
        : [];
    },
    async junit(status) {
      if (!status.artifactsUrl) return undefined;
      return parseJUnit(readFileSync(new URL(status.artifactsUrl), 'utf8'));
    },
    async retrigger(prNumber, which) {
      const text = which ? `/test ${which}` : '/retest-required';
      await host.comment(prNumber, text);
      await run(prNumber);
      return text;
    },
  };
}
