// The ratchet on the headline rule (the generic NodePool controller imports no provider API), driven through
// `sitroom check --diff` and `sitroom model ratchet` on a checkout whose generic files import what the
// recorded baseline says the real ones do.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { run as check } from '../../src/cli/check.js';
import { run as model } from '../../src/cli/model.js';
import { defaultModelsDir, loadDomainModel } from '../../src/domain/index.js';

const ratchetId = 'generic-nodepool-no-provider-imports';
const np = 'hypershift-operator/controllers/nodepool';
const baseline = loadDomainModel().ratchets.find((r) => r.id === ratchetId)!.baseline;
let work: string;
let repo: string;
let models: string;
let out: string[] = [];

const goFile = (imports: string[]) =>
  `package nodepool\n\nimport (\n\t"fmt"\n\n${imports.map((i, n) => `\tp${n} "${i}"`).join('\n')}\n)\n\nvar _ = fmt.Sprint\n`;
function writeRepoFile(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}
const diffFile = (text: string) => {
  const path = join(work, `change-${Math.random().toString(36).slice(2)}.diff`);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sitroom-ratchet-'));
  repo = join(work, 'hypershift');
  models = join(work, 'domain-models');
  cpSync(defaultModelsDir, models, { recursive: true });
  const byFile = new Map<string, string[]>();
  for (const e of baseline) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e.import]);
  for (const [file, imports] of byFile) writeRepoFile(file, goFile(imports));
  // A platform file may import its own provider.
  writeRepoFile(`${np}/gcp.go`, goFile(['sigs.k8s.io/cluster-api-provider-gcp/api/v1beta1']));
  writeRepoFile('go.mod', 'module github.com/openshift/hypershift\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
});
afterEach(() => vi.restoreAllMocks());

describe('the ratchet on provider imports in the generic NodePool files', () => {
  it('records a baseline of file and import, taken from the real controller', () => {
    expect(baseline.length).toBeGreaterThan(0);
    expect(new Set(baseline.map((e) => e.file))).toEqual(new Set([`${np}/capi.go`, `${np}/nodepool_controller.go`, `${np}/scale_from_zero.go`]));
    expect(baseline).toContainEqual({ file: `${np}/capi.go`, import: 'sigs.k8s.io/cluster-api-provider-aws/v2/api/v1beta2' });
  });

  it('model ratchet finds exactly the baseline in a checkout that has it', async () => {
    expect(await model(['ratchet', '--repo', repo, '--models', models])).toBe(0);
    expect(out.join('\n')).toBe(`${ratchetId}: ${baseline.length} recorded violations still in the code, 0 new, 0 gone`);
  });

  it('check --diff flags a change that adds one more provider import to a generic file, not to the platform file', async () => {
    const adding = (file: string) =>
      [
        `diff --git a/${file} b/${file}`,
        `--- a/${file}`,
        `+++ b/${file}`,
        '@@ -3,4 +3,5 @@',
        ' import (',
        ' \t"fmt"',
        ' ',
        '+\tcapigcp "sigs.k8s.io/cluster-api-provider-gcp/api/v1beta1"',
        ' \tp0 "x"',
        '',
      ].join('\n');
    expect(await check(['--diff', diffFile(adding(`${np}/nodepool_controller.go`))])).toBe(1);
    expect(out.join('\n')).toContain(
      `${np}/nodepool_controller.go:6 [${ratchetId}] import of "sigs.k8s.io/cluster-api-provider-gcp/api/v1beta1" adds a violation of ratchet ${ratchetId} (${baseline.length} recorded in its baseline; none may be added)`,
    );
    out = [];
    expect(await check(['--diff', diffFile(adding(`${np}/gcp.go`))])).toBe(0);
    out = [];
    // Re-adding an import the baseline records (a re-sorted import block) is not a new violation.
    expect(await check(['--diff', diffFile(adding(`${np}/capi.go`))])).toBe(0);
  });

  it('check --diff praises a change that removes one, and model ratchet --update shrinks the baseline to match', async () => {
    const file = `${np}/scale_from_zero.go`;
    // The file's second import goes.
    const imports = baseline.filter((e) => e.file === file).map((e) => e.import);
    const gone = imports[1]!;
    const removing = [
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -5,2 +5,1 @@',
      ` \tp0 "${imports[0]}"`,
      `-\tp1 "${gone}"`,
      '',
    ].join('\n');
    expect(await check(['--diff', diffFile(removing)])).toBe(0);
    expect(out.join('\n')).toContain(`well done: ${file} no longer imports "${gone}": one fewer violation of ratchet ${ratchetId}`);

    writeRepoFile(file, goFile(imports.filter((i) => i !== gone)));
    out = [];
    expect(await model(['ratchet', '--repo', repo, '--models', models])).toBe(0);
    expect(out.join('\n')).toContain(`  gone: ${file} no longer imports "${gone}" (run with --update to shrink the baseline)`);
    const before = readFileSync(join(models, 'ratchets.yaml'), 'utf8');
    out = [];
    expect(await model(['ratchet', '--repo', repo, '--models', models, '--update'])).toBe(0);
    const after = readFileSync(join(models, 'ratchets.yaml'), 'utf8');
    const entries = (text: string) => (parse(text) as { ratchets: Array<{ baseline: unknown[] }> }).ratchets[0]!.baseline;
    expect(entries(after)).toHaveLength(entries(before).length - 1);
    expect(entries(after)).not.toContainEqual({ file, import: gone });
    expect(after).toContain('A baseline only shrinks: a new entry is a decision made in review'); // comments kept
    out = [];
    expect(await model(['ratchet', '--repo', repo, '--models', models])).toBe(0);
    expect(out.join('\n')).toBe(`${ratchetId}: ${baseline.length - 1} recorded violations still in the code, 0 new, 0 gone`);
  });

  it('model ratchet fails on a violation the baseline does not record, and --update never adds it', async () => {
    writeRepoFile(`${np}/token.go`, goFile(['sigs.k8s.io/cluster-api-provider-ibmcloud/api/v1beta2']));
    try {
      const before = readFileSync(join(models, 'ratchets.yaml'), 'utf8');
      expect(await model(['ratchet', '--repo', repo, '--models', models, '--update'])).toBe(1);
      expect(out.join('\n')).toContain(
        `  new:  ${np}/token.go:6 imports "sigs.k8s.io/cluster-api-provider-ibmcloud/api/v1beta2" (not in the baseline: fix the code)`,
      );
      expect(readFileSync(join(models, 'ratchets.yaml'), 'utf8')).toBe(before);
    } finally {
      rmSync(join(repo, np, 'token.go'));
    }
  });
});
