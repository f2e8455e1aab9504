// The only module of the domain engine that touches the file system (and git): it reads the model YAML, the
// pinned snapshot beside it (index, tree, OWNERS), checkouts and Go files, hands texts to the pure functions,
// and writes a regenerated snapshot.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { confinedPath, PathRefused, readRegularFile } from '../fs/confine.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../contracts/failures.js';
import { parseGoImports, type GoFileImports } from './goimports.js';
import { buildOwnersIndex, type OwnersIndex } from './owners.js';
import { parseModels, type ModelSource } from './parse.js';
import type { DomainModel } from './schema.js';
import { renderSnapshotIndex, type Snapshot } from './snapshot.js';
import { repoRoot } from '../paths.js';

export { repoRoot };
export const defaultModelsDir = join(repoRoot, 'domain-models');

/** The pinned HyperShift snapshot of a models directory (domain-models/snapshot by default). */
export function snapshotDir(modelsDir = defaultModelsDir): string {
  return join(modelsDir, 'snapshot');
}

/** Every path of the pinned commit, one per line, gzipped (2.2 MB of text, 0.2 MB stored). */
export const snapshotTreeFile = (modelsDir = defaultModelsDir): string => join(snapshotDir(modelsDir), 'tree.txt.gz');

/** Every file the domain engine reads is a regular file of bounded size (a FIFO would hang the reader). */
function read(file: string): string {
  try {
    return readRegularFile(file);
  } catch (err) {
    throw new UserError(`${file}: cannot read: ${err instanceof PathRefused ? err.message.slice(file.length + 2) : errnoCode(err)}`, { file });
  }
}

const errnoCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** Reads every *.yaml in dir (and snapshot/index.yaml) and parses them. File names in errors are relative to dir. */
export function readModelSources(dir = defaultModelsDir): ModelSource[] {
  if (!existsSync(dir)) throw new UserError(`${dir}: domain-models directory not found`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const sources = files.map((f) => ({ file: f, text: read(join(dir, f)) }));
  const index = join(dir, 'snapshot', 'index.yaml');
  if (existsSync(index)) sources.push({ file: 'snapshot/index.yaml', text: read(index) });
  return sources;
}

const modelCache = new Map<string, DomainModel>();

export function loadDomainModel(dir = defaultModelsDir, opts: { fresh?: boolean } = {}): DomainModel {
  const hit = modelCache.get(dir);
  if (hit && !opts.fresh) return hit;
  const model = parseModels(readModelSources(dir));
  modelCache.set(dir, model);
  return model;
}

function walkFiles(root: string, skip: (rel: string) => boolean, onFile: (rel: string) => void): void {
  const stack = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    for (const entry of readdirSync(join(root, relDir), { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (skip(rel)) continue;
      if (entry.isDirectory()) stack.push(rel);
      else if (entry.isFile()) onFile(rel);
    }
  }
}

function readOwnersFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  walkFiles(
    dir,
    (rel) => rel.startsWith('vendor/') || rel === '.git',
    (rel) => {
      const base = rel.split('/').pop();
      if (base === 'OWNERS' || base === 'OWNERS_ALIASES') out[rel.split(sep).join('/')] = read(join(dir, rel));
    },
  );
  return out;
}

/** OWNERS and OWNERS_ALIASES files under dir (defaults to the copies in domain-models/snapshot/owners). */
export function loadOwnersIndex(dir = join(snapshotDir(), 'owners')): OwnersIndex {
  return buildOwnersIndex(Object.entries(readOwnersFiles(dir)).map(([path, text]) => ({ path, text })));
}

/** A tree listing: one repository path per line, plain or gzipped (*.gz). Defaults to the pinned snapshot's. */
export function loadTree(file = snapshotTreeFile()): string[] {
  if (!existsSync(file)) throw new UserError(`${file}: tree file not found (pass --tree FILE or --repo DIR)`, { file });
  let text: string;
  try {
    text = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString('utf8') : read(file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read: ${(err as Error).message}`, { file });
  }
  return text.split('\n').filter((l) => l.length > 0);
}

export function readTextFile(file: string): string {
  return read(file);
}

// vendor/ stays in the path list (tree.txt includes it) but its Go files are not scanned for imports.
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Every path of a checkout (for drift checks) and the imports of its non-vendor Go files. */
/**
 * Paths and Go imports of a checkout. `absentDirs` names "vendor" when the checkout is a Go module whose
 * dependencies are not vendored (no vendor/modules.txt, which is what the go command looks for; a clone that
 * builds from the module cache, or a sparse one): the model's vendor references cannot be checked there.
 */
export function scanRepo(dir: string): { paths: string[]; goFiles: GoFileImports[]; absentDirs: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory`);
  const paths: string[] = [];
  const goFiles: GoFileImports[] = [];
  walkFiles(
    dir,
    (rel) => SKIP_DIRS.has(rel.split('/').pop() ?? ''),
    (rel) => {
      paths.push(rel);
      if (rel.endsWith('.go') && !/(^|\/)vendor\//.test(rel)) goFiles.push(parseGoImports(rel, read(join(dir, rel))));
    },
  );
  const absentDirs = existsSync(join(dir, 'go.mod')) && !existsSync(join(dir, 'vendor', 'modules.txt')) ? ['vendor'] : [];
  return { paths: paths.sort(), goFiles, absentDirs };
}

/**
 * Reads the post-image of each file a diff touches, when a checkout is given to `check --repo`. The paths
 * come from the diff, so each is confined to the checkout: `..`, absolute paths and symbolic links that
 * lead out are refused, as are FIFOs and devices. A path missing from the checkout (deleted) is skipped.
 */
export function readRepoFiles(dir: string, files: readonly string[]): Record<string, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory`, { file: dir });
  const out: Record<string, string> = {};
  for (const f of files) {
    if (isAbsolute(f) || f.split(/[\\/]/).includes('..')) throw new PathRefused(f, 'outside-root', `a diff path must stay inside ${dir}`);
    let real: string;
    try {
      real = confinedPath(dir, f);
    } catch (err) {
      if (err instanceof PathRefused && err.reason === 'unreadable' && err.message.endsWith('no such file')) continue;
      throw err;
    }
    out[relative(dir, join(dir, f)).split(sep).join('/')] = readRegularFile(real, { display: f });
  }
  return out;
}

// ------------------------------------------------------------------------------ the pinned snapshot and checkouts

/** The snapshot files of a models directory, or null when it has none yet. The index comes from the model. */
export function readSnapshot(model: DomainModel, modelsDir = defaultModelsDir): Snapshot | null {
  if (!model.snapshot) return null;
  const { symbols: _derived, ...index } = model.snapshot;
  const tree = snapshotTreeFile(modelsDir);
  return { index, paths: existsSync(tree) ? loadTree(tree) : [], owners: readOwnersFiles(join(snapshotDir(modelsDir), 'owners')) };
}

/** Writes index.yaml, tree.txt.gz and owners/ (removing OWNERS files the checkout no longer has). */
export function writeSnapshot(snap: Snapshot, modelsDir = defaultModelsDir): void {
  const dir = snapshotDir(modelsDir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.yaml'), renderSnapshotIndex(snap.index));
  modelCache.delete(modelsDir);
  const tree = snapshotTreeFile(modelsDir);
  const listing = `${snap.paths.join('\n')}\n`;
  // gzip bytes differ between zlib builds; rewrite only when the listing itself changed
  if (!existsSync(tree) || gunzipSync(readFileSync(tree)).toString('utf8') !== listing) writeFileSync(tree, gzipSync(listing, { level: 9 }));
  const ownersDir = join(dir, 'owners');
  for (const stale of Object.keys(readOwnersFiles(ownersDir))) if (snap.owners[stale] === undefined) rmSync(join(ownersDir, stale));
  for (const [path, text] of Object.entries(snap.owners)) {
    mkdirSync(dirname(join(ownersDir, path)), { recursive: true });
    writeFileSync(join(ownersDir, path), text);
  }
}

function git(dir: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', ['-C', dir, ...args], { input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { status?: number; stderr?: Buffer; message: string };
    throw Object.assign(new UserError(`${dir}: git ${args[0]} failed: ${(e.stderr?.toString().trim() || e.message).split('\n')[0]}`), { status: e.status });
  }
}

/** Commit, date and every path at HEAD of a git checkout (git ls-tree, so uncommitted edits do not count). */
export function readCheckoutTree(dir: string): { commit: string; date: string; paths: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory`);
  const commit = git(dir, ['rev-parse', '--verify', 'HEAD^{commit}']).toString().trim();
  const date = git(dir, ['show', '-s', '--format=%cI', 'HEAD']).toString().trim();
  const paths = git(dir, ['ls-tree', '-r', '-z', '--name-only', 'HEAD']).toString('utf8').split('\0').filter(Boolean);
  return { commit, date, paths };
}

/** Texts of files at HEAD, read in one `git cat-file --batch`. A file git cannot produce is an error naming it. */
export function readCheckoutFiles(dir: string, paths: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (paths.length === 0) return out;
  const buf = git(dir, ['cat-file', '--batch'], paths.map((p) => `HEAD:${p}\n`).join(''));
  let at = 0;
  for (const path of paths) {
    const eol = buf.indexOf(0x0a, at);
    const header = buf.subarray(at, eol).toString('utf8');
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m || m[1] !== 'blob') throw new UserError(`${dir}: cannot read ${path} at HEAD (git: ${header})`, { file: path });
    const size = Number(m[2]);
    out[path] = buf.subarray(eol + 1, eol + 1 + size).toString('utf8');
    at = eol + 1 + size + 1;
  }
  return out;
}

/** Where each name appears as a whole word at HEAD, outside vendored code ("path:line"). */
export function grepCheckout(dir: string, names: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  if (names.length === 0) return out;
  let text = '';
  try {
    text = git(dir, [
      'grep',
      '-n',
      '-o',
      '-w',
      '-F',
      '-I',
      ...names.flatMap((n) => ['-e', n]),
      'HEAD',
      '--',
      '.',
      ':(exclude)vendor',
      ':(exclude,glob)**/vendor/**',
    ]).toString('utf8');
  } catch (err) {
    if ((err as { status?: number }).status !== 1) throw err; // 1: no match
  }
  for (const line of text.split('\n')) {
    const m = /^HEAD:(.+?):(\d+):(.+)$/.exec(line);
    if (!m || m[1]!.split('/').includes('vendor')) continue;
    out[m[3]!]?.push(`${m[1]}:${m[2]}`);
  }
  return out;
}
