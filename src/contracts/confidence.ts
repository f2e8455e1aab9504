// The words of the confidence model that other rooms store and show: its four levels, the grades, and what
// happened to a change after it merged. src/confidence holds the rules that compute them; src/db stores them;
// the dashboard shows the calibration table.

export const confidenceLevels = ['L1', 'L2', 'L3', 'L4'] as const;
export type ConfidenceLevel = (typeof confidenceLevels)[number];

export type Grade = 'high' | 'medium' | 'low' | 'none';

/** A level's grade, as a change merged with it; the shape an assessment is stored in. */
export interface LevelGrade {
  level: ConfidenceLevel;
  grade: Grade;
}

/** What can happen to merged work that says its confidence was wrong. */
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
