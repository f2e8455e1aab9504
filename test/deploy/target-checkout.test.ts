// deploy/target-checkout.sh puts the team's repository at TARGET_REPO before the worker and the Slack app start
// (the Helm chart's init container, docker-compose's target-checkout service). Run here as they run it: a
// real git clone from a repository URL, updated on the next start, or the example team committed into a
// new repository; refused when the repository has no .rh-agentic/.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';

const script = join(repoRoot, 'deploy/target-checkout.sh');
const work = mkdtempSync(join(tmpdir(), 'sitroom-checkout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const identity = ['-c', 'user.name=Test', '-c', 'user.email=test@localhost'];
const git = (cwd: string, ...args: string[]) => execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf8' }).trim();

function checkout(env: Record<string, string>) {
  // HOME in the scratch folder: the script may write a global git config there.
  return spawnSync('sh', [script], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: work, ...env } });
}

function teamRepository(name: string, withConfig = true): string {
  const dir = join(work, name);
  cpSync(join(repoRoot, 'examples/target-repo'), dir, { recursive: true });
  if (!withConfig) rmSync(join(dir, '.rh-agentic'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'team');
  return dir;
}

describe('deploy/target-checkout.sh', () => {
  it('clones the team repository as a git repository, and brings it up to date on the next start', () => {
    const upstream = teamRepository('upstream');
    const target = join(work, 'state', 'target');
    const env = { TARGET_REPO: target, TARGET_REPO_URL: upstream, TARGET_REPO_REF: 'main' };
    const first = checkout(env);
    expect(first.status, first.stderr).toBe(0);
    expect(git(target, 'rev-parse', 'HEAD')).toBe(git(upstream, 'rev-parse', 'HEAD'));
    expect(existsSync(join(target, '.rh-agentic/team.yaml'))).toBe(true);

    writeFileSync(join(upstream, 'NEW.md'), 'a change after the first start\n');
    git(upstream, 'add', 'NEW.md');
    git(upstream, 'commit', '-q', '-m', 'change');
    // A worktree the worker made survives the update.
    git(target, 'worktree', 'add', '-q', join(work, 'wt-phase'), '-b', 'phase-1');
    const second = checkout(env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('updating');
    expect(git(target, 'rev-parse', 'HEAD')).toBe(git(upstream, 'rev-parse', 'HEAD'));
    expect(git(target, 'worktree', 'list')).toContain('phase-1');
  });

  it('commits the example team into a new repository when no URL is given', () => {
    const target = join(work, 'example', 'target');
    const result = checkout({ TARGET_REPO: target });
    expect(result.status, result.stderr).toBe(0);
    expect(git(target, 'log', '--format=%s')).toBe('Example team for Situation Room');
    expect(git(target, 'ls-files', '.rh-agentic/team.yaml')).toBe('.rh-agentic/team.yaml');
  });

  it('refuses a repository without .rh-agentic/, naming the folder', () => {
    const upstream = teamRepository('no-config', false);
    const result = checkout({ TARGET_REPO: join(work, 'refused', 'target'), TARGET_REPO_URL: upstream });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/has no \.rh-agentic\/ folder/);
  });

  it('names TARGET_REPO when it is missing', () => {
    const result = checkout({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/TARGET_REPO must name the directory/);
  });
});
