// The confidence model for a phase or a PR. Pure: evidence in, assessment out, recomputed from scratch every
// time evidence arrives (the latest evidence per check wins), so the number can never drift from its reasons.
// Four levels, each a fixed list of checks; a level shows what backs it and what is still missing.
import { z } from 'zod';
import { confidenceLevels, type ConfidenceLevel, type Grade } from '../contracts/confidence.js';

// The levels and grades are contracts (stored with every merge, shown on the dashboard); re-exported so this
// room keeps one import for its model.
export { confidenceLevels, type ConfidenceLevel, type Grade } from '../contracts/confidence.js';

export const levelNames: Record<ConfidenceLevel, string> = {
  L1: 'structural',
  L2: 'behavioural',
  L3: 'architectural',
  L4: 'human',
};

export const checkCatalog = {
  'pattern-match': { level: 'L1', label: 'follows a curated pattern' },
  'boundary-check': { level: 'L1', label: 'no abstraction-boundary violations' },
  'codegen-consistent': { level: 'L1', label: 'generated code consistent (make api / make verify)' },
  'api-compatible': { level: 'L1', label: 'API change is compatible' },
  'unit-tests': { level: 'L2', label: 'unit tests pass' },
  'new-code-covered': { level: 'L2', label: 'new code is covered by tests' },
  'ci-green': { level: 'L2', label: 'CI green' },
  'adjacent-suites': { level: 'L2', label: 'adjacent suites pass' },
  'invariants-checked': { level: 'L3', label: 'lifecycle invariants touched are re-checked' },
  'platform-blast-radius': { level: 'L3', label: 'platform blast radius assessed' },
  'version-skew': { level: 'L3', label: 'version skew considered' },
  paired: { level: 'L4', label: 'a person paired on the core logic' },
  approved: { level: 'L4', label: 'approved by a reviewer' },
} as const satisfies Record<string, { level: ConfidenceLevel; label: string }>;

export type CheckId = keyof typeof checkCatalog;
export const checkIds = Object.keys(checkCatalog) as CheckId[];

export const Evidence = z.strictObject({
  check: z.enum(checkIds as [CheckId, ...CheckId[]]),
  /** n/a: the check does not apply to this change (e.g. no API change); it then neither helps nor hurts. */
  status: z.enum(['pass', 'fail', 'n/a']),
  /** What was observed, in one line: "make verify clean at 3f2c1a9", "2 of 14 new lines uncovered". */
  detail: z.string().min(1),
  /** Where to check it: a command, a CI job URL, a Slack thread, a person. */
  source: z.string().min(1),
  at: z.coerce.date(),
});
export type Evidence = z.output<typeof Evidence>;
export type EvidenceInput = z.input<typeof Evidence>;

export type CheckStatus = 'pass' | 'fail' | 'missing' | 'n/a';

export interface CheckAssessment {
  id: CheckId;
  label: string;
  status: CheckStatus;
  detail?: string;
  source?: string;
}

export interface LevelAssessment {
  level: ConfidenceLevel;
  name: string;
  /** Share of applicable checks that pass, 0..1. */
  score: number;
  grade: Grade;
  checks: CheckAssessment[];
  /** Labels of the checks still without evidence: what would raise the grade. */
  missing: string[];
  /** Labels of failing checks: what lowers it. */
  failing: string[];
}

export interface ConfidenceAssessment {
  levels: LevelAssessment[];
  evidenceCount: number;
  /** Newest evidence time, so a surface can say "as of". */
  asOf?: Date;
}

/**
 * Grades: any failing check makes the level "low"; with no evidence at all it is "none"; otherwise "high"
 * when every applicable check passes and "medium" when at least half do.
 */
export function gradeOf(checks: readonly CheckAssessment[]): { score: number; grade: Grade } {
  const applicable = checks.filter((c) => c.status !== 'n/a');
  const passed = applicable.filter((c) => c.status === 'pass').length;
  const score = applicable.length === 0 ? 1 : passed / applicable.length;
  if (checks.every((c) => c.status === 'missing')) return { score: 0, grade: 'none' };
  if (applicable.some((c) => c.status === 'fail')) return { score, grade: 'low' };
  return { score, grade: score === 1 ? 'high' : score >= 0.5 ? 'medium' : 'low' };
}

export function assessConfidence(evidence: readonly EvidenceInput[]): ConfidenceAssessment {
  const parsed = evidence.map((e) => Evidence.parse(e));
  const latest = new Map<CheckId, Evidence>();
  for (const e of parsed) {
    const prev = latest.get(e.check);
    if (!prev || e.at.getTime() >= prev.at.getTime()) latest.set(e.check, e);
  }
  const levels = confidenceLevels.map((level): LevelAssessment => {
    const checks = checkIds
      .filter((id) => checkCatalog[id].level === level)
      .map((id): CheckAssessment => {
        const e = latest.get(id);
        return e
          ? { id, label: checkCatalog[id].label, status: e.status, detail: e.detail, source: e.source }
          : { id, label: checkCatalog[id].label, status: 'missing' };
      });
    const { score, grade } = gradeOf(checks);
    return {
      level,
      name: levelNames[level],
      score,
      grade,
      checks,
      missing: checks.filter((c) => c.status === 'missing').map((c) => c.label),
      failing: checks.filter((c) => c.status === 'fail').map((c) => c.label),
    };
  });
  const times = parsed.map((e) => e.at.getTime());
  return { levels, evidenceCount: parsed.length, ...(times.length > 0 ? { asOf: new Date(Math.max(...times)) } : {}) };
}
