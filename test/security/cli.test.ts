// Hostile inputs to the CLI commands, run as the README writes them (`sitroom <command>` through the
// installed bin). Each must end in a clear one-line refusal naming the file — never a stack trace, never a
// hang, never the content of a file outside the repository.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';

const base = mkdtempSync(join(tmpdir(), 'sitroom-cli-sec-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const repo = join(base, 'repo');
cpSync(join(repoRoot, 'examples', 'target-repo'), repo, { recursive: true });
symlinkSync('/etc/passwd', join(repo, 'link.go'));
spawnSync('mkfifo', [join(repo, 'pipe.go')]);
spawnSync('mkfifo', [join(base, 'fifo.diff')]);

function sitroom(args: string[], cwd = repoRoot) {
  // The timeout turns a hang (a FIFO opened for reading) into a failure instead of a stuck suite.
  return spawnSync(process.execPath, [join(repoRoot, 'bin/sitroom.js'), ...args], { encoding: 'utf8', cwd, timeout: 30_000 });
}

function diffTouching(path: string): string {
  const file = join(base, `${path.replace(/\W/g, '_')}.diff`);
  writeFileSync(file, `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1,2 @@\n package x\n+var y = 1\n`);
  return file;
}

/** A config tree with one hostile entry, built from the example's .rh-agentic/. */
function configWith(name: string, plant: (dir: string) => void): string {
  const dir = join(base, `config-${name}`);
  cpSync(join(repoRoot, 'examples', 'target-repo', '.rh-agentic'), join(dir, '.rh-agentic'), { recursive: true });
  plant(join(dir, '.rh-agentic'));
  return dir;
}

const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...Array.from(
    { length: 8 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
  ),
].join('\n');

const cases: Array<{ name: string; args: () => string[]; refusal: RegExp }> = [
  {
    name: 'check: a diff path with ../ traversal',
    args: () => ['check', '--diff', diffTouching('../../../../../../etc/passwd'), '--repo', repo],
    refusal: /etc\/passwd: a diff path must stay inside/,
  },
  {
    name: 'check: an absolute diff path',
    args: () => ['check', '--diff', diffTouching('/etc/passwd'), '--repo', repo],
    refusal: /passwd: (a diff path must stay inside|resolves outside)/,
  },
  {
    name: 'check: a symbolic link out of the repository',
    args: () => ['check', '--diff', diffTouching('link.go'), '--repo', repo],
    refusal: /link\.go: resolves outside/,
  },
  {
    name: 'check: a FIFO in the repository',
    args: () => ['check', '--diff', diffTouching('pipe.go'), '--repo', repo],
    refusal: /pipe\.go: a FIFO, not a regular file/,
  },
  { name: 'check: --diff is a FIFO', args: () => ['check', '--diff', join(base, 'fifo.diff')], refusal: /fifo\.diff: cannot read: a FIFO, not a regular file/ },
  { name: 'check: --diff is a device', args: () => ['check', '--diff', '/dev/zero'], refusal: /\/dev\/zero: cannot read: a device/ },
  { name: 'check: --diff is a directory', args: () => ['check', '--diff', base], refusal: /a directory, not a regular file/ },
  { name: 'review: --diff is a FIFO', args: () => ['review', '--diff', join(base, 'fifo.diff')], refusal: /fifo\.diff: a FIFO, not a regular file/ },
  {
    name: 'config check: a symbolic link loop in .rh-agentic/',
    args: () => ['config', 'check', '--repo', configWith('loop', (d) => symlinkSync('loop', join(d, 'loop')))],
    refusal: /\.rh-agentic\/loop: symbolic link loop/,
  },
  {
    name: 'config check: a role file that links to itself',
    args: () => ['config', 'check', '--repo', configWith('roleloop', (d) => symlinkSync('ghost.yaml', join(d, 'roles', 'ghost.yaml')))],
    refusal: /roles\/ghost\.yaml: symbolic link loop/,
  },
  {
    name: 'config check: a link to a parent folder (a cycle for a naive walk)',
    args: () => [
      'config',
      'check',
      '--repo',
      configWith('cycle', (d) => {
        symlinkSync('..', join(d, 'up'));
        writeFileSync(join(d, 'team.yaml'), 'not: [valid');
      }),
    ],
    refusal: /team\.yaml:\d+ \(syntax\)/,
  },
  {
    name: 'config check: a FIFO in .rh-agentic/',
    args: () => ['config', 'check', '--repo', configWith('fifo', (d) => void spawnSync('mkfifo', [join(d, 'roles', 'x.yaml')]))],
    refusal: /roles\/x\.yaml: not a regular file/,
  },
  {
    name: 'config check: a YAML alias bomb in team.yaml',
    args: () => ['config', 'check', '--repo', configWith('bomb', (d) => writeFileSync(join(d, 'team.yaml'), `${bomb}\n`))],
    refusal: /team\.yaml:\d+ \(aliases\): aliases expand too far/,
  },
  {
    name: 'config check: a YAML alias bomb in a role file',
    args: () => ['config', 'check', '--repo', configWith('rolebomb', (d) => writeFileSync(join(d, 'roles', 'bomb.yaml'), `${bomb}\n`))],
    refusal: /roles\/bomb\.yaml:\d+ \(aliases\)/,
  },
];

describe('hostile input to CLI commands', () => {
  it.each(cases)('$name → a clear refusal', { timeout: 60_000 }, ({ args, refusal }) => {
    const r = sitroom(args());
    expect(r.error, 'the command hung').toBeUndefined();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(refusal);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout + r.stderr).not.toContain('root:x:0');
  });

  it('still checks an ordinary diff against a checkout', { timeout: 60_000 }, () => {
    mkdirSync(join(repo, 'hack'), { recursive: true });
    const r = sitroom(['check', '--diff', diffTouching('api/hypershift/v1beta1/nodepool_conditions.go'), '--repo', repo]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^check: /);
  });
});
