// Storage for calibration: the grades a change merged with and its post-merge outcomes. Idempotent writes,
// because merges and bug links arrive from webhooks that may be delivered more than once. The table computed
// from these records is confidence's rule (calibrationTable in src/confidence/calibration.ts).
import { eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { mergedChanges, mergeOutcomes } from './schema/knowledge.js';
import type { ConfidenceLevel, Grade, LevelGrade, MergedChangeRecord, OutcomeKind } from '../contracts/confidence.js';

export class CalibrationStore {
  constructor(private readonly db: Database) {}

  /** Keeps the grade of each level of the assessment the change merged with (the first record of a PR wins). */
  async recordMerge(input: {
    prUrl: string;
    workItemKey?: string;
    phaseId?: string;
    assessment: { levels: readonly LevelGrade[] };
    mergedAt: Date;
  }): Promise<void> {
    const grades = Object.fromEntries(input.assessment.levels.map((l) => [l.level, l.grade])) as Partial<Record<ConfidenceLevel, Grade>>;
    await this.db
      .insert(mergedChanges)
      .values({ prUrl: input.prUrl, workItemKey: input.workItemKey ?? null, phaseId: input.phaseId ?? null, grades, mergedAt: input.mergedAt })
      .onConflictDoNothing();
  }

  /** A revert, a follow-up bug linked to the PR, or an incident traced to it. Unknown PRs are rejected. */
  async recordOutcome(input: { prUrl: string; kind: OutcomeKind; reference: string; detail?: string; at?: Date }): Promise<void> {
    const [merged] = await this.db.select({ prUrl: mergedChanges.prUrl }).from(mergedChanges).where(eq(mergedChanges.prUrl, input.prUrl));
    if (!merged) throw new Error(`no merged change recorded for ${input.prUrl}; record the merge first`);
    await this.db
      .insert(mergeOutcomes)
      .values({ prUrl: input.prUrl, kind: input.kind, reference: input.reference, detail: input.detail ?? '', ...(input.at ? { recordedAt: input.at } : {}) })
      .onConflictDoNothing();
  }

  async records(): Promise<MergedChangeRecord[]> {
    const merges = await this.db.select().from(mergedChanges);
    const outcomes = await this.db.select().from(mergeOutcomes);
    return merges.map((m) => ({
      prUrl: m.prUrl,
      grades: m.grades as Partial<Record<ConfidenceLevel, Grade>>,
      outcomes: outcomes.filter((o) => o.prUrl === m.prUrl).map((o) => ({ kind: o.kind as OutcomeKind })),
    }));
  }
}
