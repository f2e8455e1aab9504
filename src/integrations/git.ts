// Git operations the agent's own machinery performs (worktree, branch, commit). They are not agent
// tools: the model never chooses their arguments, and a commit only takes files inside the scope.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inheritedEnvironment } from '../config/process-environment.js';

const run = promisify(execFile);

const identity = {
  GIT_AUTHOR_NAME: 'Situation Room agent',
  GIT_AUTHOR_EMAIL: 'sitroom-agent@localhost',
  GIT_COMMITTER_NAME: 'Situation Room agent',
  GIT_COMMITTER_EMAIL: 'sitroom-agent@localhost',
};

export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: { ...inheritedEnvironment(['PATH', 'HOME']), GIT_TERMINAL_PROMPT: '0', ...identity },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** A new worktree of `repo` at `path` on a new branch from `base`. */
export async function addWorktree(repo: string, path: string, branch: string, base = 'HEAD'): Promise<void> {
  await git(repo, ['worktree', 'add', '-q', '-b', branch, path, base]);
}

/** Repository-relative paths changed or added in the worktree (tracked and untracked). */
export async function changedPaths(worktree: string): Promise<string[]> {
  const out = await git(worktree, ['status', '--porcelain', '-z', '--untracked-files=all']);
  return out
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(3));
}

export async function commitPaths(worktree: string, paths: string[], message: string): Promise<string> {
  await git(worktree, ['add', '--', ...paths]);
  await git(worktree, ['commit', '-q', '-m', message]);
  return (await git(worktree, ['rev-parse', 'HEAD'])).trim();
}

export async function currentBranch(worktree: string): Promise<string> {
  return (await git(worktree, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
}

export async function diffAgainst(worktree: string, base: string): Promise<string> {
  return git(worktree, ['diff', base, '--']);
}

/**
 * Git with a token for this one command: a credential helper given with `-c` (after clearing any configured
 * helper) reads the token from a file that exists only while the command runs, in a private folder the caller
 * names (outside every worktree and hidden from the agent's sandbox). The token is never in the environment or
 * the command line of this or any other process.
 * Credential helpers: https://git-scm.com/docs/gitcredentials#_custom_helpers
 */
export async function gitWithToken(cwd: string, args: string[], auth: { token: string; scratchDir: string; username?: string }): Promise<string> {
  mkdirSync(auth.scratchDir, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(auth.scratchDir, 'cred-'));
  const file = join(dir, 'credential');
  if (/['\n\\]/.test(file)) throw new Error(`credential scratch folder ${auth.scratchDir} has a character the helper cannot quote`);
  try {
    writeFileSync(file, `username=${auth.username ?? 'x-access-token'}\npassword=${auth.token}\n`, { mode: 0o600 });
    const helper = `!f() { test "$1" = get && cat '${file}'; }; f`;
    return await git(cwd, ['-c', 'credential.helper=', '-c', `credential.helper=${helper}`, ...args]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
