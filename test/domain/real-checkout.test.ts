// The two commands run against a checkout shaped like a real HyperShift clone: `model verify --repo` on a
// clone without vendored dependencies, and `check --diff` on a change that only re-indents code.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as check } from '../../src/cli/check.js';
import { run as model } from '../../src/cli/model.js';
import { loadDomainModel, loadTree } from '../../src/domain/index.js';

let work: string;
let repo: string;
let out: string[] = [];
const vendorRefs = loadDomainModel().refs.filter((r) => r.path.startsWith('vendor/')).length;
const vendorGlobs = loadDomainModel().globs.filter((g) => g.glob.startsWith('vendor/')).length;

function writeRepoFile(path: string, text = ''): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sitroom-real-checkout-'));
  repo = join(work, 'hypershift');
  // Every path of the pin except vendor/: what a clone that builds from the module cache has on disk.
  for (const path of loadTree()) if (!path.startsWith('vendor/')) writeRepoFile(path, path === 'go.mod' ? 'module github.com/openshift/hypershift\n' : '');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
});
afterEach(() => vi.restoreAllMocks());

describe('sitroom model verify --repo on a checkout without vendor/', () => {
  it('counts the references into vendor/ as unchecked and finds no drift', async () => {
    expect(vendorRefs + vendorGlobs).toBeGreaterThan(0);
    expect(await model(['verify', '--repo', repo])).toBe(0);
    expect(out.join('\n')).toMatch(
      /^model verify: ok \(\d+ references, \d+ globs, \d+ symbols against \d+ paths, boundary rules on \d+ Go files; coverage \d+\/\d+ platform × entry-kind cells\)\nunchecked: (\d+) references into vendor\/, which this checkout does not have$/,
    );
    expect(out.join('\n')).toContain(`unchecked: ${vendorRefs + vendorGlobs} references into vendor/`);
    out = [];
    expect(await model(['verify', '--repo', repo, '--json'])).toBe(0);
    expect((JSON.parse(out.join('\n')) as { unchecked: unknown }).unchecked).toEqual([{ dir: 'vendor', count: vendorRefs + vendorGlobs }]);
  });

  it('still reports a referenced file missing outside vendor/, with the vendor count beside it', async () => {
    const agent = 'hypershift-operator/controllers/nodepool/agent.go';
    rmSync(join(repo, agent));
    try {
      expect(await model(['verify', '--repo', repo])).toBe(1);
      const text = out.join('\n');
      expect(text).toContain(`path "${agent}" is not in the tree at 3ee9615`);
      expect(text).not.toContain('path "vendor/');
      expect(text).toContain(`unchecked: ${vendorRefs + vendorGlobs} references into vendor/`);
    } finally {
      writeRepoFile(agent);
    }
  });

  it('checks vendor references as drift when the checkout vendors its dependencies', async () => {
    // vendor/modules.txt is what makes the go command build from vendor/; here the vendored files are missing.
    writeRepoFile('vendor/modules.txt', '# sigs.k8s.io/cluster-api v1.11.0\n');
    try {
      expect(await model(['verify', '--repo', repo])).toBe(1);
      const text = out.join('\n');
      expect(text).toContain('path "vendor/sigs.k8s.io/cluster-api/api/core/v1beta1/machine_types.go" is not in the tree at 3ee9615');
      expect(text).not.toContain('unchecked:');
    } finally {
      rmSync(join(repo, 'vendor'), { recursive: true, force: true });
    }
  });
});

describe('sitroom check --diff on whitespace-only changes', () => {
  const file = 'hypershift-operator/controllers/nodepool/conditions.go';
  const diffFile = (text: string) => {
    const path = join(work, `change-${out.length}-${Math.random().toString(36).slice(2)}.diff`);
    writeFileSync(path, text);
    return path;
  };

  it('is silent on lines that were only re-indented, and counts only the lines really added', async () => {
    // The literal-looking line is old code moved into the if: it was judged when it was written.
    const quoted = [
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -20,3 +20,5 @@',
      ' \tc := hyperv1.NodePoolCondition{',
      '-\t\tReason:  "not ready",',
      '-\t\tMessage: strings.Join(names, ", "),',
      '+\tif ok {',
      '+\t\t\tReason:\t"not ready",',
      '+\t\t\tMessage:   strings.Join(names, ", "),',
      '+\t}',
      ' \t}',
      '',
    ].join('\n');
    expect(await check(['--diff', diffFile(quoted)])).toBe(0);
    expect(out.join('\n')).toBe('check: ok (1 Go file, 2 added lines)');
  });

  it('still flags a line whose change is more than whitespace', async () => {
    const changed = [
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -20,3 +20,3 @@',
      ' \tc := hyperv1.NodePoolCondition{',
      '-\t\tReason:  hyperv1.NodePoolAsExpectedReason,',
      '+\t\tReason:  "not ready",',
      ' \t}',
      '',
    ].join('\n');
    expect(await check(['--diff', diffFile(changed)])).toBe(1);
    expect(out.join('\n')).toContain(`${file}:21 [condition-literal-not-const]`);
    out = [];
    // The same line re-spaced by gofmt instead: nothing to say.
    expect(await check(['--diff', diffFile(changed.replace('+\t\tReason:  "not ready",', '+\t\tReason: hyperv1.NodePoolAsExpectedReason,'))])).toBe(0);
    expect(out.join('\n')).toBe('check: ok (1 Go file, 0 added lines)');
  });

  it('a line deleted once excuses one re-indented copy, not a second one', async () => {
    const copied = [
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -20,3 +20,6 @@',
      ' \tc := hyperv1.NodePoolCondition{',
      '-\t\tReason: "not ready",',
      '+\t\t\tReason: "not ready",',
      '+\t}',
      '+\td := hyperv1.NodePoolCondition{',
      '+\t\tReason: "not ready",',
      ' \t}',
      '',
    ].join('\n');
    expect(await check(['--diff', diffFile(copied)])).toBe(1);
    expect(out.join('\n')).toContain(`check: 1 violation\n${file}:24 [condition-literal-not-const]`);
  });
});
