// Model drift on the target's default branch: which model references resolved at the last verified commit
// and no longer do at the new one, each with its likely new place (the symbol's new line, the file it now
// lives in, the path a file was renamed to). Pure: the caller reads both commits and the candidate files.
import { findDeclaration, goDeclarations } from './godecl.js';
import { diffSnapshots, type Snapshot } from './snapshot.js';
import type { DomainModel } from './schema.js';

export interface BrokenReference {
  /** model file, line and field that hold the reference */
  where: string;
  /** `path#Symbol`, or the path alone */
  ref: string;
  problem: 'symbol-moved' | 'symbol-missing' | 'file-gone';
  /** `path:line` or a path; absent when nothing plausible was found */
  likelyNewPlace?: string;
}

export interface DriftInput {
  model: DomainModel;
  /** the target at the last commit the model verified against */
  previous: Snapshot;
  /** the target at the fetched head of its default branch */
  next: Snapshot;
  /** old path -> new path, from rename detection between the two commits */
  renames: Readonly<Record<string, string>>;
  /** texts of Go files at the new commit that mention a missing symbol (where to look for its new home) */
  candidates: Readonly<Record<string, string>>;
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** The declaration of `symbol` in the candidate files: same directory first, then the nearest path by name. */
export function findNewHome(symbol: string, formerPath: string, candidates: Readonly<Record<string, string>>): string | undefined {
  const dir = dirOf(formerPath);
  const ordered = Object.keys(candidates)
    .filter((p) => p !== formerPath)
    .sort((a, b) => Number(dirOf(b) === dir) - Number(dirOf(a) === dir) || (a < b ? -1 : 1));
  for (const path of ordered) {
    const line = findDeclaration(goDeclarations(candidates[path]!), symbol, undefined);
    if (line !== undefined) return `${path}:${line}`;
  }
  return undefined;
}

/** The line the model writes at a site ("file:line field"); a catalog constant's line is its ref's. */
function modelLineAt(model: DomainModel, where: string): number | undefined {
  const site = where.replace(/\.const$/, '.ref');
  return model.refs.find((r) => `${r.file}:${r.line} ${r.at}` === site)?.lineNo;
}

/** True when the model's own reference (path, line, symbol) already resolves at the new commit: the owners fixed it. */
function modelResolves(model: DomainModel, next: Snapshot, change: { path: string; symbol: string; where: string }): boolean {
  const decls = next.index.declarations[change.path];
  if (!decls) return false;
  const lineNo = modelLineAt(model, change.where);
  const declared = findDeclaration(decls, change.symbol, lineNo);
  return declared !== undefined && (lineNo === undefined || declared === lineNo);
}

export function findDrift(input: DriftInput): BrokenReference[] {
  const { model, previous, next, renames, candidates } = input;
  const diff = diffSnapshots(model, previous, next);
  const broken: BrokenReference[] = [];
  for (const gone of diff.paths.referencedGone) {
    const renamed = renames[gone.path];
    broken.push({ where: gone.where, ref: gone.path, problem: 'file-gone', ...(renamed ? { likelyNewPlace: renamed } : {}) });
  }
  for (const m of diff.symbols.moved) {
    if (modelResolves(model, next, m)) continue;
    broken.push({ where: m.where, ref: `${m.path}#${m.symbol}`, problem: 'symbol-moved', likelyNewPlace: `${m.path}:${m.to}` });
  }
  for (const m of diff.symbols.missing) {
    // a file that went away is already listed once above; its symbols follow the file when it was renamed
    const home = findNewHome(m.symbol, m.path, candidates) ?? (renames[m.path] ? renames[m.path] : undefined);
    broken.push({ where: m.where, ref: `${m.path}#${m.symbol}`, problem: 'symbol-missing', ...(home ? { likelyNewPlace: home } : {}) });
  }
  return broken;
}

/** Symbols to look for at the new commit: those of references that no longer resolve in their file. */
export function missingSymbols(model: DomainModel, previous: Snapshot, next: Snapshot): string[] {
  return [...new Set(diffSnapshots(model, previous, next).symbols.missing.map((m) => m.symbol.split('.').pop()!))].sort();
}

/** Repository paths a drift touches (for the target's OWNERS of those paths). */
export function driftPaths(broken: readonly BrokenReference[]): string[] {
  return [...new Set(broken.map((b) => b.ref.split('#')[0]!))].sort();
}
