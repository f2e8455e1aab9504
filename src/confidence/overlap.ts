// Overlap between work items: two items overlap only when they touch the same files or the same lifecycle
// invariant of the domain model; sharing a component alone is not worth interrupting anyone for. Pure. A work
// item's footprint is what its phase branches really change (src/integrations/phase-change.ts) and, for phases
// without a branch yet, the files the plan names.
import { impactOf, type DomainModel } from '../domain/index.js';

export interface Footprint {
  workItemKey: string;
  ownerId: string;
  files: string[];
  /** Lifecycle invariants the files touch, per the domain model. */
  invariants: Array<{ id: string; statement: string }>;
}

export interface Overlap {
  files: string[];
  invariants: Array<{ id: string; statement: string }>;
}

export function footprintOf(model: DomainModel, item: { workItemKey: string; ownerId: string; files: readonly string[] }): Footprint {
  const files = [...new Set(item.files)].sort();
  const invariants = files.length ? impactOf(model, files).invariants.map((i) => ({ id: i.id, statement: i.statement })) : [];
  return { workItemKey: item.workItemKey, ownerId: item.ownerId, files, invariants };
}

/** The shared part of two footprints, or undefined when they share neither a file nor an invariant. */
export function overlapOf(a: Footprint, b: Footprint): Overlap | undefined {
  const theirs = new Set(b.files);
  const files = a.files.filter((f) => theirs.has(f));
  const theirInvariants = new Set(b.invariants.map((i) => i.id));
  const invariants = a.invariants.filter((i) => theirInvariants.has(i.id));
  return files.length || invariants.length ? { files, invariants } : undefined;
}

/** How the shared part is named to both owners: the files, then each invariant with what it guarantees. */
export function describeOverlap(o: Overlap): string[] {
  return [...o.files, ...o.invariants.map((i) => `invariant ${i.id}: ${i.statement}`)];
}
