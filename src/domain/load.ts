// The only module of the domain engine that touches the file system: it reads the model YAML, the OWNERS
// copies, the shared tree and Go files, and hands texts to the pure functions.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { parseGoImports, type GoFileImports } from './goimports.js';
import { buildOwnersIndex, type OwnersIndex } from './owners.js';
import { parseModels, type ModelSource } from './parse.js';
import type { DomainModel } from './schema.js';
import { repoRoot } from '../paths.js';

export { repoRoot };
export const defaultModelsDir = join(repoRoot, 'domain-models');

/** ../shared/hypershift next to the repo, or the given directory (HYPERSHIFT_SNAPSHOT_DIR). May not exist. */
export function snapshotDir(configured?: string): string {
  return configured ?? resolve(repoRoot, '../shared/hypershift');
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
}

/** Reads every *.yaml in dir (and snapshot/index.yaml) and parses them. File names in errors are relative to dir. */
export function readModelSources(dir = defaultModelsDir): ModelSource[] {
  if (!existsSync(dir)) throw new UserError(`${dir}: domain-models directory not found`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
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

/** OWNERS and OWNERS_ALIASES files under dir (defaults to the copies in domain-models/snapshot/owners). */
export function loadOwnersIndex(dir = join(defaultModelsDir, 'snapshot', 'owners')): OwnersIndex {
  const sources: { path: string; text: string }[] = [];
  walkFiles(dir, (rel) => rel.startsWith('vendor/') || rel === '.git', (rel) => {
    const base = rel.split('/').pop();
    if (base === 'OWNERS' || base === 'OWNERS_ALIASES') sources.push({ path: rel.split(sep).join('/'), text: read(join(dir, rel)) });
  });
  return buildOwnersIndex(sources);
}

/** tree.txt: one repository path per line. */
export function loadTree(file = join(snapshotDir(), 'tree.txt')): string[] {
  if (!existsSync(file)) throw new UserError(`${file}: tree file not found (set --tree or HYPERSHIFT_SNAPSHOT_DIR)`, { file });
  return read(file).split('\n').filter((l) => l.length > 0);
}

export function readTextFile(file: string): string {
  return read(file);
}

// vendor/ stays in the path list (tree.txt includes it) but its Go files are not scanned for imports.
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Every path of a checkout (for drift checks) and the imports of its non-vendor Go files. */
export function scanRepo(dir: string): { paths: string[]; goFiles: GoFileImports[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory`);
  const paths: string[] = [];
  const goFiles: GoFileImports[] = [];
  walkFiles(dir, (rel) => SKIP_DIRS.has(rel.split('/').pop() ?? ''), (rel) => {
    paths.push(rel);
    if (rel.endsWith('.go') && !/(^|\/)vendor\//.test(rel)) goFiles.push(parseGoImports(rel, read(join(dir, rel))));
  });
  return { paths: paths.sort(), goFiles };
}

/** Reads the post-image of each file a diff touches, when a checkout is given to `check --repo`. */
export function readRepoFiles(dir: string, files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    const p = join(dir, f);
    if (existsSync(p)) out[relative(dir, p).split(sep).join('/')] = read(p);
  }
  return out;
}
