// Tier 3 rows: one memory row per developer and their session notes. These functions do not check who is
// asking; src/knowledge/personal-memory.ts does, and every surface goes through it.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { personalMemory, personalSessionNotes } from './schema/knowledge.js';

export type MemoryRow = typeof personalMemory.$inferSelect;
export type MemoryValues = typeof personalMemory.$inferInsert;

export async function memoryRow(db: Database, developerId: string): Promise<MemoryRow | undefined> {
  const [row] = await db.select().from(personalMemory).where(eq(personalMemory.developerId, developerId));
  return row;
}

/** Inserts the row unless the developer has one already; undefined when they had. */
export async function insertMemoryOnce(db: Database, values: MemoryValues): Promise<MemoryRow | undefined> {
  const [created] = await db.insert(personalMemory).values(values).onConflictDoNothing().returning();
  return created;
}

export async function updateMemoryRow(db: Database, developerId: string, values: Partial<MemoryValues>): Promise<void> {
  await db.update(personalMemory).set(values).where(eq(personalMemory.developerId, developerId));
}

/** Sets the orientation's completion time unless it is set already; true when this call set it. */
export async function markOrientationCompleted(db: Database, developerId: string, at: Date): Promise<boolean> {
  const updated = await db
    .update(personalMemory)
    .set({ orientationCompletedAt: at, updatedAt: at })
    .where(and(eq(personalMemory.developerId, developerId), isNull(personalMemory.orientationCompletedAt)))
    .returning({ developerId: personalMemory.developerId });
  return updated.length > 0;
}

/**
 * Adds one to each concept's explanation count in a single statement, so two deliveries at once cannot lose a
 * count. Takes any Database (or transaction) so the caller can make it part of the write that proves the
 * explanation was delivered: the outbox dispatcher counts a briefing's concepts in the transaction that marks
 * that briefing's dedupe key delivered, which happens once per key. A developer without a memory row (it is
 * created, seeded from the role file, when their briefing is assembled) is left alone.
 */
export async function countExplained(db: Database, developerId: string, concepts: readonly string[], at: Date = new Date()): Promise<void> {
  const unique = [...new Set(concepts)];
  if (unique.length === 0) return;
  const pairs = sql.join(
    unique.map((c) => sql`${c}::text, COALESCE((${personalMemory.conceptExposure} ->> ${c}::text)::int, 0) + 1`),
    sql`, `,
  );
  await db
    .update(personalMemory)
    .set({ conceptExposure: sql`${personalMemory.conceptExposure} || jsonb_build_object(${pairs})`, updatedAt: at })
    .where(eq(personalMemory.developerId, developerId));
}

export async function insertSessionNote(
  db: Database,
  note: { developerId: string; workItemKey: string | null; summary: string; createdAt: Date },
): Promise<void> {
  await db.insert(personalSessionNotes).values(note);
}

/** A developer's latest session notes, newest first. */
export async function sessionNoteRows(db: Database, developerId: string, limit: number): Promise<Array<typeof personalSessionNotes.$inferSelect>> {
  return db
    .select()
    .from(personalSessionNotes)
    .where(eq(personalSessionNotes.developerId, developerId))
    .orderBy(desc(personalSessionNotes.createdAt), desc(personalSessionNotes.id))
    .limit(limit);
}
