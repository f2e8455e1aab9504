// Tier 1 rows: the pattern library's current entries and every version that was recorded. Which change may
// reach these rows (the repository mirror, a curator's approval) is decided in src/knowledge.
import { asc, eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { knowledgePatterns, knowledgePatternVersions } from './schema/knowledge.js';

export type PatternRow = typeof knowledgePatterns.$inferSelect;
export type PatternValues = Omit<typeof knowledgePatterns.$inferInsert, 'id'>;

/** The fields a version row keeps, so "what did the entry say when this PR merged" stays answerable. */
export interface PatternVersionFields {
  version: number;
  state: string;
  title: string;
  body: string;
  applicability: unknown;
  references: unknown;
  reviewer?: string | null;
}

/** Every entry, in no particular order. */
export async function allPatternRows(db: Database): Promise<PatternRow[]> {
  return db.select().from(knowledgePatterns);
}

/** The entries in one state (or all of them), ordered by id. */
export async function patternRows(db: Database, state?: string): Promise<PatternRow[]> {
  return db
    .select()
    .from(knowledgePatterns)
    .where(state ? eq(knowledgePatterns.state, state) : undefined)
    .orderBy(asc(knowledgePatterns.id));
}

export async function patternRow(db: Database, id: string): Promise<PatternRow | undefined> {
  const [row] = await db.select().from(knowledgePatterns).where(eq(knowledgePatterns.id, id));
  return row;
}

export async function insertPattern(db: Database, id: string, values: PatternValues): Promise<void> {
  await db.insert(knowledgePatterns).values({ id, ...values });
}

/**
 * Inserts the entry unless a row with its id exists; false when one did. The worker and the Slack app both sync
 * the repository's patterns at start, and two processes started together against one database would otherwise
 * race on the same new id and one of them would exit on the unique key.
 */
export async function insertPatternIfAbsent(db: Database, id: string, values: PatternValues): Promise<boolean> {
  const inserted = await db
    .insert(knowledgePatterns)
    .values({ id, ...values })
    .onConflictDoNothing({ target: knowledgePatterns.id })
    .returning({ id: knowledgePatterns.id });
  return inserted.length > 0;
}

export async function updatePattern(db: Database, id: string, values: Partial<PatternValues>): Promise<void> {
  await db.update(knowledgePatterns).set(values).where(eq(knowledgePatterns.id, id));
}

/** Idempotent on (pattern, version, state): a replayed sync or review records the version once. */
export async function recordPatternVersion(db: Database, patternId: string, p: PatternVersionFields, recordedAt: Date): Promise<void> {
  await db
    .insert(knowledgePatternVersions)
    .values({
      patternId,
      version: p.version,
      state: p.state,
      title: p.title,
      body: p.body,
      applicability: p.applicability,
      references: p.references,
      reviewer: p.reviewer ?? null,
      recordedAt,
    })
    .onConflictDoNothing();
}

export async function patternVersionRows(db: Database, patternId: string): Promise<Array<typeof knowledgePatternVersions.$inferSelect>> {
  return db.select().from(knowledgePatternVersions).where(eq(knowledgePatternVersions.patternId, patternId)).orderBy(asc(knowledgePatternVersions.id));
}
