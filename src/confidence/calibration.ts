// Calibration: was the confidence right? For every merged change we keep the grades it merged with and
// what happened afterwards (a revert, a follow-up bug linked to the PR, an incident). Per level and grade the
// table says how often merged work needed a fix. Pure; the store is src/db/calibration.ts.
import {
  confidenceLevels,
  outcomeKinds,
  type CalibrationRow,
  type ConfidenceLevel,
  type Grade,
  type MergedChangeRecord,
  type OutcomeKind,
} from '../contracts/confidence.js';

export { outcomeKinds, type CalibrationRow, type MergedChangeRecord, type OutcomeKind } from '../contracts/confidence.js';

const gradeOrder: Grade[] = ['high', 'medium', 'low', 'none'];

export function calibrationTable(records: readonly MergedChangeRecord[]): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const level of confidenceLevels) {
    for (const grade of gradeOrder) {
      const merged = records.filter((r) => r.grades[level] === grade);
      if (merged.length === 0) continue;
      const needed = merged.filter((r) => r.outcomes.length > 0);
      const byKind = Object.fromEntries(outcomeKinds.map((k) => [k, merged.filter((r) => r.outcomes.some((o) => o.kind === k)).length])) as Record<
        OutcomeKind,
        number
      >;
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

/**
 * What each grade promises: at most this share of the changes merged at that grade need a fix afterwards.
 * "low" and "none" promise nothing.
 */
export const gradePromise: Partial<Record<Grade, number>> = { high: 0.1, medium: 0.3 };

export interface LevelCalibration {
  /** "before: 3 of 7 merged at high needed a fix", when the table has merges at this level and grade. */
  note?: string;
  /** The grade shown cannot be taken at its word: see `why`. */
  miscalibrated: boolean;
  why?: string;
}

/**
 * How far to trust a level's grade, from the calibration table: miscalibrated when merged changes at this grade
 * needed fixes more often than the grade promises, or when the level's "high" has not been safer than its lower
 * grades (`miscalibratedLevels`), each with at least `minSamples` merges.
 */
export function levelCalibration(rows: readonly CalibrationRow[], level: ConfidenceLevel, grade: Grade, minSamples = 5): LevelCalibration {
  const row = rows.find((r) => r.level === level && r.grade === grade);
  const note = row ? `before: ${row.neededFix} of ${row.merged} merged at ${grade} needed a fix` : undefined;
  const promise = gradePromise[grade];
  if (row && promise !== undefined && row.merged >= minSamples && (row.fixRate ?? 0) > promise) {
    const why = `${level} ${grade} promises fixes in at most ${Math.round(promise * 100)}% of merges; ${row.neededFix} of ${row.merged} (${Math.round((row.fixRate ?? 0) * 100)}%) needed one`;
    return { note: `miscalibrated: ${why}`, miscalibrated: true, why };
  }
  if (grade === 'high' && miscalibratedLevels(rows, minSamples).includes(level)) {
    const why = `${level} high has needed fixes more often than its lower grades`;
    return { note: `${note ? `${note}; ` : ''}miscalibrated: ${why}`, miscalibrated: true, why };
  }
  return { ...(note ? { note } : {}), miscalibrated: false };
}
