// Staleness: a knowledge entry that points at files, functions or rules the tree no longer has is
// flagged, not silently trusted. Pure. The resolver is injected: the domain model's verification
// rules (modelVerifyResolver, the checks of `sitroom model verify`), or treeResolver over a plain listing.
import { indexTree, type SnapshotIndex, type TreeIndex } from '../domain/index.js';
import { parseRef } from '../domain/schema.js';

/** True when a "path[:line][#Symbol]" reference (or a rule id such as "rule:..." ) still resolves. */
export type RefResolver = (ref: string) => boolean;

export function splitRef(ref: string): { path: string; line?: number; symbol?: string } {
  const hash = ref.indexOf('#');
  const symbol = hash >= 0 ? ref.slice(hash + 1) : undefined;
  const beforeHash = hash >= 0 ? ref.slice(0, hash) : ref;
  const m = /^(.*?):(\d+)$/.exec(beforeHash);
  return { path: m ? m[1]! : beforeHash, ...(m ? { line: Number(m[2]) } : {}), ...(symbol ? { symbol } : {}) };
}

/**
 * Resolves references by path against a listing of the repository (one path per entry, as `git ls-files`
 * prints). A path ending in "/" is a directory and resolves when any file lives under it. Lines and
 * symbols cannot be checked from a listing; the domain model verifier does that when it is injected instead.
 */
export function treeResolver(paths: Iterable<string>): RefResolver {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const p of paths) {
    const clean = p.trim();
    if (!clean) continue;
    files.add(clean);
    const parts = clean.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  return (ref) => {
    const { path } = splitRef(ref);
    return path.endsWith('/') ? dirs.has(path) : files.has(path) || dirs.has(`${path}/`);
  };
}

export interface StalenessInput {
  references: readonly string[];
  /** Literal file paths in the applicability (globs are skipped: they describe areas, not things). */
  files?: readonly string[];
}

export interface StalenessReport {
  stale: boolean;
  missing: string[];
}

const isGlob = (s: string) => /[*?[\]]/.test(s);

export function checkStaleness(entry: StalenessInput, resolve: RefResolver): StalenessReport {
  const candidates = [...entry.references, ...(entry.files ?? []).filter((f) => !isGlob(f))];
  const missing = [...new Set(candidates)].filter((ref) => !resolve(ref));
  return { stale: missing.length > 0, missing };
}

/**
 * The same rules `sitroom model verify` applies to the domain models, for one reference at a time: the path
 * is in the tree, the line is within the file, and every symbol part is known at the snapshot and is not one
 * of the names facts.yaml lists as non-existent. Vendor symbols are upstream names, so only their path counts.
 */
export function modelVerifyResolver(
  tree: readonly string[] | TreeIndex,
  snapshot?: Pick<SnapshotIndex, 'symbols' | 'bannedSymbols' | 'lineCounts'> | null,
): RefResolver {
  const idx = Array.isArray(tree) ? indexTree(tree) : (tree as TreeIndex);
  const symbols = new Set(snapshot?.symbols ?? []);
  const banned = new Set(snapshot?.bannedSymbols ?? []);
  return (ref) => {
    const { path, line, symbol } = parseRef(ref);
    const p = path.endsWith('/') ? path.slice(0, -1) : path;
    if (!(idx.files.has(p) || idx.dirs.has(p))) return false;
    const count = snapshot?.lineCounts[p];
    if (line !== undefined && count !== undefined && line > count) return false;
    if (symbol) {
      for (const part of symbol.split('.')) {
        if (banned.has(part)) return false;
        if (snapshot && !p.startsWith('vendor/') && !symbols.has(part)) return false;
      }
    }
    return true;
  };
}
