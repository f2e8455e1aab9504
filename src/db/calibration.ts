// Storage for calibration: the grades a change merged with and its post-merge outcomes. Idempotent writes,
// because merges and bug links arrive from webhooks that may be delivered more than once. The table computed
// from these records is confidence's rule (calibrationTable in src/confidence/calibration.ts).
import { and, eq, gte, isNotNull } from 'drizzle-orm';
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

  /** Merges of work items (the ones with a ticket) at or after `since`, for the follow-up bug check. */
  async workItemMergesSince(since: Date): Promise<Array<{ prUrl: string; workItemKey: string; mergedAt: Date }>> {
    const rows = await this.db
      .select({ prUrl: mergedChanges.prUrl, workItemKey: mergedChanges.workItemKey, mergedAt: mergedChanges.mergedAt })
      .from(mergedChanges)
      .where(and(isNotNull(mergedChanges.workItemKey), gte(mergedChanges.mergedAt, since)));
    return rows.map((r) => ({ prUrl: r.prUrl, workItemKey: r.workItemKey!, mergedAt: r.mergedAt }));
  }

  /** The outcomes recorded for a PR, so a re-run can tell what is new. */
  async outcomesOf(prUrl: string): Promise<Array<{ kind: string; reference: string }>> {
    return this.db.select({ kind: mergeOutcomes.kind, reference: mergeOutcomes.reference }).from(mergeOutcomes).where(eq(mergeOutcomes.prUrl, prUrl));
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
