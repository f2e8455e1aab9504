// Tier 2 rows: experience written automatically (CI statistics, plan-execution slips, resolved tickets), and
// the raw CI test runs the CI statistics are computed from. What goes into an entry is decided in
// src/knowledge/experience.ts.
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { ciTestRuns, experienceEntries } from './schema/knowledge.js';

export type ExperienceRow = typeof experienceEntries.$inferSelect;
export type TestRunRow = typeof ciTestRuns.$inferSelect;

export interface ExperienceFields {
  key: string;
  kind: string;
  title: string;
  body: string;
  applicability: unknown;
  topics: unknown;
  data: unknown;
}

export async function experienceRow(db: Database, key: string): Promise<ExperienceRow | undefined> {
  const [row] = await db.select().from(experienceEntries).where(eq(experienceEntries.key, key));
  return row;
}

/** Entries of one kind (or all), most recently seen first. */
export async function experienceRows(db: Database, kind?: string): Promise<ExperienceRow[]> {
  return db
    .select()
    .from(experienceEntries)
    .where(kind ? eq(experienceEntries.kind, kind) : undefined)
    .orderBy(desc(experienceEntries.lastSeen));
}

export async function experienceRowsByKeys(db: Database, keys: readonly string[]): Promise<ExperienceRow[]> {
  return db
    .select()
    .from(experienceEntries)
    .where(inArray(experienceEntries.key, [...keys]));
}

/**
 * Writes the entry, or rewrites it when the key exists. With `countOccurrence` a rewrite adds one to its
 * occurrences in the same statement, so two recurrences at once both count.
 */
export async function upsertExperienceRow(db: Database, e: ExperienceFields, at: Date, countOccurrence: boolean): Promise<ExperienceRow> {
  const [row] = await db
    .insert(experienceEntries)
    .values({ ...e, firstSeen: at, lastSeen: at })
    .onConflictDoUpdate({
      target: experienceEntries.key,
      set: {
        title: e.title,
        body: e.body,
        applicability: e.applicability,
        topics: e.topics,
        data: e.data,
        lastSeen: at,
        ...(countOccurrence ? { occurrences: sql`${experienceEntries.occurrences} + 1` } : {}),
      },
    })
    .returning();
  return row!;
}

/** Marks a tier 2 entry as promoted into the pattern library. */
export async function markExperiencePromoted(db: Database, key: string, patternId: string): Promise<void> {
  await db.update(experienceEntries).set({ promotedTo: patternId }).where(eq(experienceEntries.key, key));
}

/** One CI attempt. Idempotent on (test, runId, attempt): a redelivered webhook records it once. */
export async function insertTestRun(db: Database, run: Omit<typeof ciTestRuns.$inferInsert, 'id'>): Promise<void> {
  await db.insert(ciTestRuns).values(run).onConflictDoNothing();
}

/** A test's most recent attempts, newest first. */
export async function latestTestRunRows(db: Database, test: string, limit: number): Promise<TestRunRow[]> {
  return db.select().from(ciTestRuns).where(eq(ciTestRuns.test, test)).orderBy(desc(ciTestRuns.occurredAt), desc(ciTestRuns.attempt)).limit(limit);
}
