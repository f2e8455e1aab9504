// The domain model on a real-size checkout (issue 18 item 6): `sitroom model verify --repo DIR` and
// `sitroom check --diff FILE --repo DIR`, run through the CLI's own command modules, on a generated tree
// shaped like the pinned HyperShift snapshot: every path of domain-models/snapshot/tree.txt.gz that is not a
// Go file outside vendor/ (vendor, YAML, docs: written empty, as verify reads only their names), plus N Go
// files outside vendor/ taken from the snapshot's list in its order (about 1,900 at the pin), each with an
// import block and a body of the length its directory's files have upstream. Sizes count those Go files
// (`--sizes 200,700,1907`); sizes past the snapshot's count add synthetic files under the same folders.
//
// Baselines, measured in the same run: for verify, walking the same tree and reading every Go file outside
// vendor/ (the I/O verify cannot avoid); for check, reading the diff and the post-images of the files it
// touches (the I/O check --repo cannot avoid).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { figure, growthOf, measure, sizesFor, summarise, type BenchFigure, type BenchSuite, type Stats } from '../lib.js';
import { loadDomainModel, loadTree, scanRepo, verifyAgainstTree, type DomainModel } from '../../src/domain/index.js';
import { matchGlob } from '../../src/domain/glob.js';
import { run as modelCommand } from '../../src/cli/model.js';
import { run as checkCommand } from '../../src/cli/check.js';

const SNAPSHOT_GO_FILES = 1907; // non-vendor Go files at the pinned commit (tree.txt.gz)
const DIFF_FILES = 10;

const isOwnGo = (p: string) => p.endsWith('.go') && !/(^|\/)vendor\//.test(p);

/** A deterministic pseudo-random sequence, so every run generates the same tree. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const IMPORTS_BY_ROOT: Record<string, string[]> = {
  api: ['fmt', 'k8s.io/apimachinery/pkg/apis/meta/v1', 'k8s.io/api/core/v1'],
  'control-plane-operator': [
    'context',
    'fmt',
    'k8s.io/apimachinery/pkg/types',
    'sigs.k8s.io/controller-runtime/pkg/client',
    'github.com/openshift/hypershift/support/upsert',
  ],
  'hypershift-operator': [
    'context',
    'fmt',
    'k8s.io/apimachinery/pkg/api/errors',
    'sigs.k8s.io/controller-runtime/pkg/reconcile',
    'github.com/openshift/hypershift/support/upsert',
  ],
};
const DEFAULT_IMPORTS = ['context', 'fmt', 'strings', 'k8s.io/apimachinery/pkg/util/sets', 'github.com/openshift/hypershift/support/util'];

/** A Go file of `lines` lines: package clause, an import block like its folder's, then plain functions. */
function goSource(path: string, lines: number, rnd: () => number): string {
  const pkg = (dirname(path).split('/').pop() ?? 'main').replace(/[^a-z0-9_]/gi, '_') || 'main';
  const imports = IMPORTS_BY_ROOT[path.split('/')[0]!] ?? DEFAULT_IMPORTS;
  const out = [`package ${pkg}`, '', 'import ('];
  for (const imp of imports) if (rnd() < 0.8) out.push(`\t"${imp}"`);
  out.push(')', '');
  for (let f = 0; out.length < lines; f++) {
    out.push(`// helper${f} keeps the generated file at the length of its folder's files upstream.`, `func helper${f}(name string) string {`);
    for (let i = 0; i < 8 && out.length < lines - 2; i++) out.push(`\tif len(name) > ${i} {`, `\t\tname = name + "${f}-${i}"`, '\t}');
    out.push('\treturn name', '}', '');
  }
  return out.join('\n') + '\n';
}

interface Checkout {
  dir: string;
  goFiles: string[];
  paths: number;
}

/**
 * The Go files (outside vendor/) the model needs for verify to pass: every file it references, a file under
 * every folder it references that has nothing else, and one match for every glob nothing else matches.
 */
function goFilesTheModelNeeds(model: DomainModel, tree: readonly string[]): string[] {
  const snapshotGo = tree.filter(isOwnGo);
  const others = tree.filter((p) => !isOwnGo(p));
  const need = new Set<string>();
  for (const r of model.refs) {
    if (r.path.endsWith('/')) {
      if (!others.some((p) => p.startsWith(r.path))) {
        const first = snapshotGo.find((p) => p.startsWith(r.path));
        if (first) need.add(first);
      }
    } else if (isOwnGo(r.path)) need.add(r.path);
  }
  for (const g of model.globs) {
    if ([...others, ...need].some((p) => matchGlob(g.glob, p))) continue;
    const first = snapshotGo.find((p) => matchGlob(g.glob, p));
    if (first) need.add(first);
  }
  return [...need].sort();
}

/** Writes the tree for `goCount` Go files outside vendor/ and returns where it is. */
function generateCheckout(goCount: number, model: DomainModel): Checkout {
  const lineCounts = model.snapshot?.lineCounts ?? {};
  const tree = loadTree();
  const rnd = seeded(goCount);
  const dir = mkdtempSync(join(tmpdir(), `sitroom-bench-checkout-${goCount}-`));
  const snapshotGo = tree.filter(isOwnGo);
  // the files the model needs come first, so verify passes at every size; the rest in the snapshot's order
  const needed = goFilesTheModelNeeds(model, tree);
  if (goCount < needed.length) throw new Error(`bench checkout: the model needs ${needed.length} Go files; sizes must be at least that`);
  const neededSet = new Set(needed);
  const goFiles = [...needed, ...snapshotGo.filter((p) => !neededSet.has(p))].slice(0, goCount);
  for (let i = 0; goFiles.length < goCount; i++) {
    const base = snapshotGo[i % snapshotGo.length]!;
    goFiles.push(base.replace(/\.go$/, `_generated${Math.floor(i / snapshotGo.length)}.go`));
  }
  const made = new Set<string>();
  const write = (rel: string, text: string) => {
    const d = dirname(rel);
    if (!made.has(d)) {
      mkdirSync(join(dir, d), { recursive: true });
      made.add(d);
    }
    writeFileSync(join(dir, rel), text);
  };
  let paths = 0;
  for (const p of tree) {
    if (isOwnGo(p)) continue;
    write(p, '');
    paths++;
  }
  for (const p of goFiles) {
    // HyperShift's Go files outside vendor/ average a little under 300 lines; pinned files keep their own count
    const lines = lineCounts[p] ?? 40 + Math.floor(rnd() * 500);
    write(p, goSource(p, lines, rnd));
    paths++;
  }
  return { dir, goFiles, paths };
}

/** The baseline of verify: a walk of the tree that reads every Go file outside vendor/. */
function walkAndRead(root: string): number {
  let bytes = 0;
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) stack.push(r);
      else if (isOwnGo(r)) bytes += readFileSync(join(root, r)).length;
    }
  }
  return bytes;
}

/** A unified diff adding a condition update and an import to `files` (all present in the checkout). */
function diffOver(files: readonly string[]): string {
  const out: string[] = [];
  for (const file of files) {
    out.push(
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -3,3 +3,5 @@',
      ' import (',
      '+\t"k8s.io/apimachinery/pkg/util/sets"',
      ' \t"fmt"',
      ' )',
    );
    out.push(
      '@@ -20,2 +22,4 @@ func helper0(name string) string {',
      ' \tif len(name) > 0 {',
      '+\t\tname = strings.TrimSpace(name)',
      '+\t\tname = fmt.Sprintf("%s", name)',
      ' \t}',
    );
  }
  return out.join('\n') + '\n';
}

/** Runs a CLI command module with its printing captured; returns the exit code and what it printed. */
async function quietly(command: () => Promise<number>): Promise<{ code: number; printed: string }> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    return { code: await command(), printed: printed.join('\n') };
  } finally {
    console.log = log;
  }
}

async function timed(fn: () => Promise<unknown>, iterations: number): Promise<Stats> {
  await fn();
  const ds: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await fn();
    ds.push(performance.now() - start);
  }
  return summarise(ds);
}

const suite: BenchSuite = async (opts) => {
  const sizes = sizesFor(opts, [200, 700, SNAPSHOT_GO_FILES]);
  const model = loadDomainModel(); // warms the CLI's model cache: the figures time the commands, not YAML parsing
  const coldModelLoad = await measure(() => loadDomainModel(undefined, { fresh: true }), 5, 1);
  loadDomainModel();

  const verifyAt: { size: number; subject: Stats; base: Stats; paths: number; printed: string; scanMs: number; checksMs: number }[] = [];
  const checkAt: { size: number; subject: Stats; base: Stats }[] = [];
  for (const size of sizes) {
    process.stderr.write(`bench checkout: generating ${size} Go files\n`);
    const co = generateCheckout(size, model);
    try {
      let printed = '';
      const verifyRuns = size >= 1000 ? 5 : 8;
      const base = await timed(async () => walkAndRead(co.dir), verifyRuns);
      const subject = await timed(async () => {
        const r = await quietly(() => modelCommand(['verify', '--repo', co.dir]));
        // a figure of a failing verify would time the wrong path: stop the suite with what it printed
        if (r.code !== 0) throw new Error(`model verify --repo on the generated checkout failed:\n${r.printed}`);
        printed = r.printed;
      }, verifyRuns);
      // where verify's time goes: the scan (walk, read, parse imports) against the checks on what it found
      const scanStats = await timed(async () => scanRepo(co.dir), 3);
      const scan = scanRepo(co.dir);
      const checks = await timed(async () => verifyAgainstTree(model, scan.paths, { goFiles: scan.goFiles }), 3);
      verifyAt.push({ size, subject, base, paths: co.paths, printed, scanMs: scanStats.medianMs, checksMs: checks.medianMs });

      const touched = co.goFiles.filter((p) => p.startsWith('hypershift-operator/') || p.startsWith('control-plane-operator/')).slice(0, DIFF_FILES);
      const diffFile = join(co.dir, '..', `${co.dir.split('/').pop()}.diff`);
      writeFileSync(diffFile, diffOver(touched));
      try {
        const checkBase = await timed(async () => {
          readFileSync(diffFile, 'utf8').split('\n');
          for (const f of touched) readFileSync(join(co.dir, f), 'utf8');
        }, 50);
        const check = await timed(async () => {
          const r = await quietly(() => checkCommand(['--diff', diffFile, '--repo', co.dir]));
          if (r.code !== 0 || !r.printed.startsWith('check: ok')) throw new Error(`check --diff on the generated change failed:\n${r.printed}`);
        }, 50);
        checkAt.push({ size, subject: check, base: checkBase });
      } finally {
        rmSync(diffFile, { force: true });
      }
    } finally {
      rmSync(co.dir, { recursive: true, force: true });
    }
  }

  const figures: BenchFigure[] = [];
  const vTop = verifyAt[verifyAt.length - 1]!;
  figures.push(
    figure({
      suite: 'checkout',
      name: `model verify --repo, ${vTop.size} Go files`,
      baseline: 'walking the tree, reading its Go files',
      subject: vTop.subject,
      base: vTop.base,
      target: 'median < 1000 ms',
      met: vTop.subject.medianMs < 1000,
      extra: {
        treePaths: vTop.paths,
        scanMs: Math.round(vTop.scanMs),
        checksMs: Math.round(vTop.checksMs),
        loadAvg1m: Number(loadavg()[0]!.toFixed(1)),
        printed: vTop.printed.replace(/\s+/g, ' ').slice(0, 160),
      },
      growth: growthOf(
        'Go files',
        verifyAt.map((v) => v.size),
        verifyAt.map((v) => v.subject.medianMs),
      ),
    }),
  );
  const cTop = checkAt[checkAt.length - 1]!;
  figures.push(
    figure({
      suite: 'checkout',
      name: `check --diff --repo, ${DIFF_FILES} files, ${cTop.size} Go files`,
      baseline: 'reading the diff and its post-images',
      subject: cTop.subject,
      base: cTop.base,
      target: 'median < 20 ms',
      met: cTop.subject.medianMs < 20,
      extra: { coldModelLoadMs: Number(coldModelLoad.medianMs.toFixed(1)) },
      growth: growthOf(
        'Go files in the checkout',
        checkAt.map((c) => c.size),
        checkAt.map((c) => c.subject.medianMs),
      ),
    }),
  );
  return figures;
};

export default suite;
