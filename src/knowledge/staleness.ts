// Staleness: a knowledge entry that points at files, functions or rules the tree no longer has is
// flagged, not silently trusted. Pure. The resolver is injected: the domain model's verifier
// (`sitroom model verify`) when it is wired, or treeResolver over a plain listing of the tree.

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
