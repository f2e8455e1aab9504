// Calibration: was the confidence right? For every merged change we keep the grades it merged with and
// what happened afterwards (a revert, a follow-up bug linked to the PR, an incident). Per level and grade the
// table says how often merged work needed a fix. Pure; the store is src/db/calibration.ts.
import { confidenceLevels, outcomeKinds, type CalibrationRow, type ConfidenceLevel, type Grade, type MergedChangeRecord, type OutcomeKind } from '../contracts/confidence.js';

export { outcomeKinds, type CalibrationRow, type MergedChangeRecord, type OutcomeKind } from '../contracts/confidence.js';

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
