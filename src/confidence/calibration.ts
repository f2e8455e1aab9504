// Calibration: was the confidence right? For every merged change we keep the grades it merged with and
// what happened afterwards (a revert, a follow-up bug linked to the PR, an incident). Per level and grade the
// table says how often merged work needed a fix. Pure; the store is src/db/calibration.ts.
import { confidenceLevels, type ConfidenceLevel, type Grade } from './model.js';

export const outcomeKinds = ['revert', 'follow-up-bug', 'incident'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

export interface MergedChangeRecord {
  prUrl: string;
  grades: Partial<Record<ConfidenceLevel, Grade>>;
  outcomes: Array<{ kind: OutcomeKind }>;
}

export interface CalibrationRow {
  level: ConfidenceLevel;
  grade: Grade;
  merged: number;
  neededFix: number;
  /** neededFix / merged, or undefined with no merges: an empty cell is not a 0% fix rate. */
  fixRate?: number;
  byKind: Record<OutcomeKind, number>;
}

const gradeOrder: Grade[] = ['high', 'medium', 'low', 'none'];

export function calibrationTable(records: readonly MergedChangeRecord[]): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const level of confidenceLevels) {
    for (const grade of gradeOrder) {
      const merged = records.filter((r) => r.grades[level] === grade);
      if (merged.length === 0) continue;
      const needed = merged.filter((r) => r.outcomes.length > 0);
      const byKind = Object.fromEntries(outcomeKinds.map((k) => [k, merged.filter((r) => r.outcomes.some((o) => o.kind === k)).length])) as Record<OutcomeKind, number>;
      rows.push({ level, grade, merged: merged.length, neededFix: needed.length, fixRate: needed.length / merged.length, byKind });
    }
  }
  return rows;
}

/**
 * A level is miscalibrated when its "high" grade needed fixes more often than its "medium" or "low" grade
 * did, with at least `minSamples` merges on both sides: then the grade is not telling people anything.
 */
export function miscalibratedLevels(rows: readonly CalibrationRow[], minSamples = 5): ConfidenceLevel[] {
  const out: ConfidenceLevel[] = [];
  for (const level of confidenceLevels) {
    const high = rows.find((r) => r.level === level && r.grade === 'high');
    if (!high || high.merged < minSamples) continue;
    const lower = rows.filter((r) => r.level === level && (r.grade === 'medium' || r.grade === 'low') && r.merged >= minSamples);
    if (lower.some((r) => (r.fixRate ?? 0) < (high.fixRate ?? 0))) out.push(level);
  }
  return out;
}
