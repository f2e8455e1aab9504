// Model drift check: every code reference resolves in a tree listing, every glob matches something, each
// symbol is declared in its file at the line the model says (per the pinned snapshot), and (with a checkout)
// the boundary rules hold on the real Go imports.
import { checkGoImports, type Violation } from './check.js';
import { platformCoverage, type CoverageReport } from './coverage.js';
import { globToRegExp } from './glob.js';
import { findDeclaration } from './godecl.js';
import type { GoFileImports } from './goimports.js';
import type { DomainModel } from './schema.js';

export interface VerifyIssue {
  kind:
    'missing-path' | 'line-out-of-range' | 'unknown-symbol' | 'symbol-moved' | 'banned-symbol' | 'glob-matches-nothing' | 'boundary-violation' | 'coverage-gap';
  /** model file and line, or the repository file for boundary violations */
  file: string;
  line: number;
  at: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  treePaths: number;
  checked: { refs: number; globs: number; symbols: number; goFiles: number };
  /** each platform × each kind of entry that applies to it (coverage.ts) */
  coverage: CoverageReport;
  /** References and globs into a directory the checkout does not have (see VerifyOptions.absentDirs), per directory. */
  unchecked: Array<{ dir: string; count: number }>;
  issues: VerifyIssue[];
}

/** Sorted paths plus the set of directories, for exact and prefix look-ups. */
export interface TreeIndex {
  sorted: string[];
  files: Set<string>;
  dirs: Set<string>;
}

export function indexTree(paths: readonly string[]): TreeIndex {
  const sorted = [...paths].sort();
  const files = new Set(sorted);
  const dirs = new Set<string>();
  for (const p of sorted) {
    let i = p.lastIndexOf('/');
    while (i > 0) {
      const d = p.slice(0, i);
      if (dirs.has(d)) break; // parents already added by an earlier sibling
      dirs.add(d);
      i = p.lastIndexOf('/', i - 1);
    }
  }
  return { sorted, files, dirs };
}

function lowerBound(sorted: readonly string[], prefix: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function globMatchesTree(tree: TreeIndex, glob: string): boolean {
  const wild = glob.search(/[*?]/);
  if (wild < 0 && !glob.endsWith('/')) return tree.files.has(glob) || tree.dirs.has(glob);
  const prefix = wild < 0 ? glob : glob.slice(0, wild);
  const re = globToRegExp(glob);
  for (let i = lowerBound(tree.sorted, prefix); i < tree.sorted.length; i++) {
    const p = tree.sorted[i]!;
    if (!p.startsWith(prefix)) break;
    if (re.test(p)) return true;
  }
  return false;
}

export interface VerifyOptions {
  /** Go imports of a checkout (from scanRepo) to check the boundary rules against */
  goFiles?: readonly GoFileImports[];
  /**
   * Top-level directories the checkout lacks as a whole, e.g. "vendor" when a clone keeps its dependencies in
   * the module cache: references into them cannot be checked there, so they are counted, not reported as drift.
   */
  absentDirs?: readonly string[];
}

export function verifyAgainstTree(model: DomainModel, tree: readonly string[] | TreeIndex, opts: VerifyOptions = {}): VerifyReport {
  const idx = Array.isArray(tree) ? indexTree(tree) : (tree as TreeIndex);
  const issues: VerifyIssue[] = [];
  const snap = model.snapshot;
  const banned = new Set(snap?.bannedSymbols ?? []);
  const pin = snap ? ` at ${snap.commit.slice(0, 7)}` : '';
  let symbolsChecked = 0;
  const unchecked = new Map<string, number>();
  /** The absent directory a path or glob lies in, counted; undefined when it can be checked. */
  const inAbsentDir = (path: string): string | undefined => {
    const dir = opts.absentDirs?.find((d) => path === d || path.startsWith(`${d}/`));
    if (dir) unchecked.set(dir, (unchecked.get(dir) ?? 0) + 1);
    return dir;
  };

  /** The symbol is declared in the file, at the line given (when one is). Vendor symbols are upstream names: path only. */
  const checkSymbol = (site: { file: string; line: number; at: string }, path: string, symbol: string, lineNo: number | undefined, label: string): void => {
    symbolsChecked++;
    const bannedParts = symbol.split('.').filter((part) => banned.has(part));
    for (const part of bannedParts) {
      issues.push({ kind: 'banned-symbol', ...site, message: `"${part}" does not exist in HyperShift (listed in the snapshot's bannedSymbols)` });
    }
    if (bannedParts.length > 0 || !snap || path.startsWith('vendor/')) return;
    // a line past the end is reported on its own; the declaration is then looked up by name only
    if (lineNo !== undefined && lineNo > (snap.lineCounts[path] ?? Infinity)) lineNo = undefined;
    const decls = snap.declarations[path];
    if (!decls) {
      issues.push({
        kind: 'unknown-symbol',
        ...site,
        message: `${label} "${symbol}": the snapshot has no declarations of ${path}; regenerate it with sitroom model snapshot --repo <checkout>`,
      });
      return;
    }
    const declared = findDeclaration(decls, symbol, lineNo);
    if (declared === undefined) {
      issues.push({ kind: 'unknown-symbol', ...site, message: `${label} "${symbol}" is not declared in ${path}${pin}` });
    } else if (lineNo !== undefined && declared !== lineNo) {
      issues.push({ kind: 'symbol-moved', ...site, message: `${label} "${symbol}" is declared at ${path}:${declared}${pin}, not line ${lineNo}` });
    }
  };

  for (const r of model.refs) {
    const isDir = r.path.endsWith('/');
    const p = isDir ? r.path.slice(0, -1) : r.path;
    const site = { file: r.file, line: r.line, at: r.at };
    if (inAbsentDir(p)) continue;
    if (!(idx.files.has(p) || idx.dirs.has(p))) {
      issues.push({ kind: 'missing-path', ...site, message: `path "${r.path}" is not in the tree${pin}` });
      continue;
    }
    const count = snap?.lineCounts[p];
    if (r.lineNo !== undefined && count !== undefined && r.lineNo > count) {
      issues.push({ kind: 'line-out-of-range', ...site, message: `${r.path}:${r.lineNo} is past the end of the file (${count} lines)` });
    }
    if (r.symbol) checkSymbol(site, p, r.symbol, r.lineNo, 'symbol');
  }
  model.lifecycle.conditionCatalog.forEach((c, i) => {
    const site = model.refs.find((r) => r.at === `conditionCatalog[${i}].ref`);
    const path = site?.path ?? c.ref.split(':')[0]!;
    // a catalog entry whose path is missing is already reported by its ref
    if (!idx.files.has(path)) return;
    checkSymbol({ file: model.files.lifecycle, line: site?.line ?? 1, at: `conditionCatalog[${i}].const` }, path, c.const, site?.lineNo, 'condition constant');
  });
  for (const g of model.globs) {
    if (inAbsentDir(g.glob)) continue;
    if (!globMatchesTree(idx, g.glob))
      issues.push({ kind: 'glob-matches-nothing', file: g.file, line: g.line, at: g.at, message: `glob "${g.glob}" matches no path in the tree` });
  }
  // the same depth for every platform: a missing cell is drift of the model against its own matrix
  const coverage = platformCoverage(model);
  for (const gap of coverage.gaps) {
    const site = model.refs.find((r) => r.file === model.files.matrix && r.at === `platforms.${gap.platform}.constRef`);
    issues.push({ kind: 'coverage-gap', file: model.files.matrix, line: site?.line ?? 1, at: `platforms.${gap.platform}`, message: gap.message });
  }
  let violations: Violation[] = [];
  if (opts.goFiles) {
    violations = checkGoImports(model, opts.goFiles);
    for (const v of violations) issues.push({ kind: 'boundary-violation', file: v.file, line: v.line, at: v.ruleId, message: v.message });
  }
  return {
    ok: issues.length === 0,
    treePaths: idx.sorted.length,
    checked: { refs: model.refs.length, globs: model.globs.length, symbols: symbolsChecked, goFiles: opts.goFiles?.length ?? 0 },
    coverage,
    unchecked: [...unchecked].map(([dir, count]) => ({ dir, count })),
    issues,
  };
}

export function formatVerifyIssue(i: VerifyIssue): string {
  return `${i.file}:${i.line} ${i.at}: ${i.message}`;
}
