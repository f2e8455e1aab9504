// Ratchets: rules the real code already breaks. Each records the violations it had when written down (the
// baseline, file and import); a change that adds one more is flagged, one that removes one is praised, and
// `sitroom model ratchet --update` shrinks the baseline to what the code still has. Pure: texts in, data out.
import { parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { matchAny } from './glob.js';
import type { GoFileImports } from './goimports.js';

export const RatchetEntry = z.object({ file: z.string().min(1), import: z.string().min(1) }).strict();
export type RatchetEntry = z.infer<typeof RatchetEntry>;

export const Ratchet = z
  .object({
    id: z.string().min(1),
    description: z.string().min(1),
    /** Globs of the files the rule covers, and those it leaves out. */
    paths: z.array(z.string()).min(1),
    except: z.array(z.string()).default([]),
    /** Import path prefixes the covered files must not import. */
    forbidImports: z.array(z.string()).min(1),
    reason: z.string().min(1),
    insteadDo: z.string().min(1),
    baseline: z.array(RatchetEntry).default([]),
  })
  .strict();
export type Ratchet = z.infer<typeof Ratchet>;

export const Ratchets = z.object({ kind: z.literal('Ratchets'), ratchets: z.array(Ratchet) }).strict();
export type Ratchets = z.infer<typeof Ratchets>;

export const ratchetCovers = (r: Ratchet, file: string): boolean => matchAny(r.paths, file) && !matchAny(r.except, file);
export const forbiddenBy = (r: Ratchet, importPath: string): boolean => r.forbidImports.some((p) => importPath === p || importPath.startsWith(p));
export const inBaseline = (r: Ratchet, file: string, importPath: string): boolean => r.baseline.some((e) => e.file === file && e.import === importPath);

export interface RatchetStatus {
  id: string;
  /** Violations in the code that the baseline does not record: each one is a regression. */
  added: Array<RatchetEntry & { line: number }>;
  /** Baseline entries the code no longer has: the baseline can shrink. */
  removed: RatchetEntry[];
  /** Violations the code still has. */
  kept: number;
}

/** Each ratchet against the Go imports of a whole checkout. */
export function ratchetStatus(ratchets: readonly Ratchet[], goFiles: readonly GoFileImports[]): RatchetStatus[] {
  return ratchets.map((r) => {
    const current: Array<RatchetEntry & { line: number }> = [];
    for (const f of goFiles) {
      if (!ratchetCovers(r, f.file)) continue;
      for (const imp of f.imports) if (forbiddenBy(r, imp.path)) current.push({ file: f.file, import: imp.path, line: imp.line });
    }
    const added = current.filter((c) => !inBaseline(r, c.file, c.import));
    const removed = r.baseline.filter((e) => !current.some((c) => c.file === e.file && c.import === e.import));
    return { id: r.id, added, removed, kept: current.length - added.length };
  });
}

/**
 * The ratchets file with the removed entries dropped from each baseline, comments and order kept. It never
 * adds an entry: a new violation is fixed in the code, or recorded by a person in review.
 */
export function shrinkBaselines(text: string, removed: ReadonlyMap<string, readonly RatchetEntry[]>): string {
  const doc: Document = parseDocument(text);
  const list = doc.get('ratchets') as { items: Array<{ get(k: string): unknown }> } | undefined;
  for (const item of list?.items ?? []) {
    const gone = removed.get(String(item.get('id')));
    const baseline = item.get('baseline') as { items: Array<{ get(k: string): unknown }> } | undefined;
    if (!gone?.length || !baseline) continue;
    baseline.items = baseline.items.filter((e) => !gone.some((g) => g.file === e.get('file') && g.import === e.get('import')));
  }
  return doc.toString({ lineWidth: 0 });
}
