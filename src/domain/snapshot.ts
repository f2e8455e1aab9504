// Builds the compact snapshot index (domain-models/snapshot/index.yaml) from the shared facts, so the
// product can check symbol names without the 2 MB tree or facts.yaml at hand. Pure: texts in, data out.
import { parse } from 'yaml';
import type { SnapshotIndex } from './schema.js';

export interface SnapshotInputs {
  factsText: string;
  adaptFunctionsText: string;
  treePathCount: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

export function buildSnapshotIndex(input: SnapshotInputs): SnapshotIndex {
  const facts = parse(input.factsText) as Record<string, unknown>;
  const snap = facts['snapshot'] as { repo: string; commit: string };
  const checked = (facts['names_checked'] ?? {}) as Record<string, { exists?: boolean }>;
  // names_checked keys are names (or name_suffix labels); those marked exists:false are banned.
  const banned = Object.entries(checked)
    .filter(([, v]) => v.exists === false)
    .map(([k]) => k.replace(/_condition$/, ''))
    .filter((k) => /^[A-Za-z_]\w*$/.test(k));
  const symbols = new Set<string>();
  // Identifiers with an upper-case letter (Go exported names, camelCase funcs) anywhere in the facts, plus
  // lower-case names that facts list as `name:`/`func:`/`builder:` values (e.g. NodePoolReconciler.delete).
  for (const m of input.factsText.matchAll(IDENT)) if (/[A-Z]/.test(m[0]) && m[0].length > 2) symbols.add(m[0]);
  for (const m of input.factsText.matchAll(/\b(?:name|func|builder|receiver):\s*"?\*?([A-Za-z_]\w*)/g)) if (m[1]) symbols.add(m[1]);
  for (const m of input.factsText.matchAll(/\b([a-z][A-Za-z0-9]+) \(line \d+\)|\b([a-z][A-Za-z0-9]+) \(\d+\)/g)) symbols.add((m[1] ?? m[2])!);
  for (const line of input.adaptFunctionsText.split('\n')) {
    const fn = /^\S+:\d+\s+(\w+)$/.exec(line.trim())?.[1];
    if (fn) symbols.add(fn);
  }
  for (const b of banned) symbols.delete(b);

  const lineCounts: Record<string, number> = {};
  const np = facts['nodepool_controller'] as { main_files_non_test?: { path: string; lines: number }[] } | undefined;
  for (const f of np?.main_files_non_test ?? []) lineCounts[f.path] = f.lines;

  return {
    kind: 'SnapshotIndex',
    repo: snap.repo,
    commit: snap.commit,
    treePaths: input.treePathCount,
    symbols: [...symbols].sort(),
    bannedSymbols: banned.sort(),
    lineCounts,
  };
}
