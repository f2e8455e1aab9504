// `sitroom model snapshot --repo DIR` against a HyperShift-shaped git repository this test builds from the
// committed snapshot itself: every path of the pin, the referenced files with their declarations at the
// recorded lines, the OWNERS files. Regenerating from it must reproduce the committed snapshot; a second
// commit then moves a symbol, deletes a referenced file, drops a symbol and edits OWNERS.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { run as model } from '../../src/cli/model.js';
import { defaultModelsDir, findDeclaration, goDeclarations, loadDomainModel, loadTree, snapshotDir } from '../../src/domain/index.js';
import type { SnapshotFile } from '../../src/domain/index.js';
import { UserError } from '../../src/contracts/failures.js';

const committedIndexText = readFileSync(join(snapshotDir(), 'index.yaml'), 'utf8');
const committed = parse(committedIndexText) as SnapshotFile;
const ownersDir = join(snapshotDir(), 'owners');
const ownersFiles = ['OWNERS', 'OWNERS_ALIASES', 'api/OWNERS', 'control-plane-operator/controllers/openshiftmanager/OWNERS', 'test/e2e/OWNERS'];

const CAPI = 'hypershift-operator/controllers/nodepool/capi.go';
const KUBEVIRT = 'hypershift-operator/controllers/nodepool/kubevirt.go';
const AGENT = 'hypershift-operator/controllers/nodepool/agent.go';

/** A Go file with a stub of each declaration at its recorded line, comments elsewhere. */
function syntheticGo(decls: Record<string, number>, lines: number): string[] {
  const out = Array.from({ length: lines }, (_, i) => `// line ${i + 1}`);
  const byLine = new Map<number, string[]>();
  for (const [name, line] of Object.entries(decls)) byLine.set(line, [...(byLine.get(line) ?? []), name]);
  for (const [line, names] of byLine) {
    const method = names.find((n) => n.includes('.'));
    if (method) {
      const [recv, name] = method.split('.');
      out[line - 1] = `func (x *${recv}) ${name}() {}`;
    } else out[line - 1] = names.length === 1 ? `func ${names[0]}() {}` : `var ${names.join(', ')} int`;
  }
  return out;
}

let work: string;
let repo: string;
let models: string;
let out: string[] = [];

function git(...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_COMMITTER_DATE: '2026-09-01T10:00:00+00:00',
      GIT_AUTHOR_DATE: '2026-09-01T10:00:00+00:00',
    },
  });
}

function writeRepoFile(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sitroom-snapshot-'));
  repo = join(work, 'hypershift');
  models = join(work, 'domain-models');
  cpSync(defaultModelsDir, models, { recursive: true });
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  const written = new Set<string>();
  for (const [path, lines] of Object.entries(committed.lineCounts)) {
    const decls = committed.declarations[path];
    if (ownersFiles.includes(path)) continue;
    writeRepoFile(path, `${(decls ? syntheticGo(decls, lines) : Array.from({ length: lines }, () => 'x')).join('\n')}\n`);
    written.add(path);
  }
  for (const path of ownersFiles) {
    writeRepoFile(path, readFileSync(join(ownersDir, path), 'utf8'));
    written.add(path);
  }
  git('add', '-A');
  // every other path of the pin as an empty file, straight into the index
  const empty = git('hash-object', '-w', '-t', 'blob', '--stdin').trim();
  const rest = loadTree().filter((p) => !written.has(p));
  execFileSync('git', ['-C', repo, 'update-index', '--index-info'], { input: rest.map((p) => `100644 ${empty}\t${p}\n`).join('') });
  git('commit', '-q', '-m', 'pin');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('sitroom model snapshot --repo', () => {
  it('reproduces the committed snapshot from a checkout with the same content, and reports no change', async () => {
    expect(await model(['snapshot', '--repo', repo, '--models', models])).toBe(0);
    const commit = git('rev-parse', 'HEAD').trim();
    expect(out.join('\n').split('\n')).toEqual([
      `model snapshot: 3ee9615 (2026-08-22) -> ${commit.slice(0, 7)} (2026-09-01)`,
      'paths: 29460 -> 29460 (+0, -0); 0 referenced by the models gone',
      'referenced symbols: 0 moved, 0 missing',
      'other declarations in referenced files: 0 moved, 0 gone, 0 new',
      'OWNERS: unchanged',
      expect.stringMatching(/^model verify at the new pin: ok \(\d+ references, \d+ symbols\)$/),
      `wrote ${join(models, 'snapshot')} (index.yaml, tree.txt.gz, 5 OWNERS files)`,
    ]);
    const regenerated = readFileSync(join(models, 'snapshot', 'index.yaml'), 'utf8');
    expect(regenerated.replace(/^commit: .*$/m, '').replace(/^date: .*$/m, '')).toBe(
      committedIndexText.replace(/^commit: .*$/m, '').replace(/^date: .*$/m, ''),
    );
    expect(parse(regenerated)).toMatchObject({ commit, date: '2026-09-01T10:00:00+00:00' });
    expect(loadTree(join(models, 'snapshot', 'tree.txt.gz'))).toEqual(loadTree());
    expect(await model(['verify', '--models', models])).toBe(0);
  });

  it('prints what a new commit changed, exits 1 because model references broke, and writes the new pin', async () => {
    // move one referenced declaration to a free line, drop another, delete a referenced file, edit OWNERS
    const capi = readFileSync(join(repo, CAPI), 'utf8').split('\n');
    const from = committed.declarations[CAPI]!['CAPI.reconcileMachineDeployment']!;
    const taken = new Set(Object.values(committed.declarations[CAPI]!));
    let to = from + 1;
    while (taken.has(to)) to++;
    [capi[from - 1], capi[to - 1]] = [capi[to - 1]!, capi[from - 1]!];
    writeRepoFile(CAPI, capi.join('\n'));
    expect(goDeclarations(capi.join('\n'))['CAPI.reconcileMachineDeployment']).toBe(to);
    const kubevirtLine = findDeclaration(committed.declarations[KUBEVIRT]!, 'setKubevirtConditions')!;
    const kubevirt = readFileSync(join(repo, KUBEVIRT), 'utf8').split('\n');
    expect(kubevirt[kubevirtLine - 1]).toMatch(/^func \(x \*\w+\) setKubevirtConditions\(\)/);
    kubevirt[kubevirtLine - 1] = '// gone';
    writeRepoFile(KUBEVIRT, kubevirt.join('\n'));
    git('rm', '-q', '--cached', AGENT);
    writeRepoFile('api/OWNERS', readFileSync(join(repo, 'api/OWNERS'), 'utf8').replace('- api-approvers\n', '- api-approvers\n- newcomer-approver\n'));
    writeRepoFile(
      'OWNERS_ALIASES',
      readFileSync(join(repo, 'OWNERS_ALIASES'), 'utf8').replace(
        '  e2e-approvers:\n    - ironcladlou\n',
        '  e2e-approvers:\n    - ironcladlou\n    - somebody-new\n',
      ),
    );
    git('add', CAPI, KUBEVIRT, 'api/OWNERS', 'OWNERS_ALIASES');
    git('commit', '-q', '-m', 'move');
    const before = git('rev-parse', 'HEAD~1').trim();
    const after = git('rev-parse', 'HEAD').trim();

    expect(await model(['snapshot', '--repo', repo, '--models', models])).toBe(1);
    const text = out.join('\n');
    const m = loadDomainModel(models, { fresh: true });
    const site = (pred: (r: (typeof m.refs)[number]) => boolean) => {
      const r = m.refs.find(pred)!;
      return `${r.file}:${r.line} ${r.at}`;
    };
    expect(text).toContain(`model snapshot: ${before.slice(0, 7)} (2026-09-01) -> ${after.slice(0, 7)} (2026-09-01)`);
    expect(text).toContain('paths: 29460 -> 29459 (+0, -1); 1 referenced by the models gone');
    expect(text).toContain(`  gone: ${AGENT}   (${site((r) => r.path === AGENT)})`);
    expect(text).toContain('referenced symbols: 1 moved, 2 missing');
    expect(text).toContain(
      `  moved: ${CAPI}#CAPI.reconcileMachineDeployment line ${from} -> ${to}   (${site((r) => r.symbol === 'CAPI.reconcileMachineDeployment')})`,
    );
    expect(text).toContain(`  missing: ${KUBEVIRT}#setKubevirtConditions (was line ${kubevirtLine})   (${site((r) => r.symbol === 'setKubevirtConditions')})`);
    expect(text).toContain(`  missing: ${AGENT}#agentMachineTemplate (was line 11; file gone)`);
    expect(text).toContain('OWNERS: 0 added, 0 removed, 2 changed');
    expect(text).toContain('  OWNERS_ALIASES alias e2e-approvers members: +somebody-new');
    expect(text).toContain('  api/OWNERS approvers: +newcomer-approver');
    expect(text).toMatch(/model verify at the new pin: \d+ problems; update the models in the same commit/);
    expect(text).toContain(`symbol "CAPI.reconcileMachineDeployment" is declared at ${CAPI}:${to} at ${after.slice(0, 7)}, not line ${from}`);
    expect(text).toContain(`symbol "setKubevirtConditions" is not declared in ${KUBEVIRT} at ${after.slice(0, 7)}`);
    expect(text).toContain(`path "${AGENT}" is not in the tree at ${after.slice(0, 7)}`);

    const written = parse(readFileSync(join(models, 'snapshot', 'index.yaml'), 'utf8')) as SnapshotFile;
    expect(written.commit).toBe(after);
    expect(written.declarations[CAPI]!['CAPI.reconcileMachineDeployment']).toBe(to);
    expect(written.declarations[AGENT]).toBeUndefined();
    expect(loadTree(join(models, 'snapshot', 'tree.txt.gz'))).not.toContain(AGENT);
    expect(readFileSync(join(models, 'snapshot', 'owners', 'api', 'OWNERS'), 'utf8')).toContain('- newcomer-approver');

    // the model is now out of step with its pin: verify says so, precisely
    out = [];
    expect(await model(['verify', '--models', models])).toBe(1);
    expect(out.join('\n')).toContain(`symbol "CAPI.reconcileMachineDeployment" is declared at ${CAPI}:${to}`);
  });

  it('--dry-run prints the same report and writes nothing', async () => {
    const index = readFileSync(join(models, 'snapshot', 'index.yaml'), 'utf8');
    git('commit', '-q', '--allow-empty', '-m', 'empty');
    expect(await model(['snapshot', '--repo', repo, '--models', models, '--dry-run'])).toBe(1);
    expect(out.join('\n')).toContain('paths: 29459 -> 29459 (+0, -0); 0 referenced by the models gone');
    expect(out.join('\n')).toMatch(/\ndry run: nothing written$/);
    expect(readFileSync(join(models, 'snapshot', 'index.yaml'), 'utf8')).toBe(index);
  });

  it('needs --repo, and a git checkout there', async () => {
    await expect(model(['snapshot', '--models', models])).rejects.toThrow('model snapshot needs --repo DIR');
    const plain = join(work, 'plain');
    mkdirSync(plain);
    await expect(model(['snapshot', '--repo', plain, '--models', models])).rejects.toThrow(UserError);
    await expect(model(['snapshot', '--repo', plain, '--models', models])).rejects.toThrow(`${plain}: git rev-parse failed`);
  });
});
