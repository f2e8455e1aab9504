// Rows of the flake decision room: the imported Sippy history, the record of each import, and each test's
// flag and last decision. What goes into them is decided in src/knowledge/flake-decisions.ts.
import { desc, eq, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { ciFlakeStates, ciHistoryImports, ciTestHistory } from './schema/flakes.js';

export type CiTestHistoryRow = typeof ciTestHistory.$inferSelect;
export type CiHistoryImportRow = typeof ciHistoryImports.$inferSelect;
export type CiFlakeStateRow = typeof ciFlakeStates.$inferSelect;

/** Replaces the imported history of a release in one transaction, so a reader never sees half an import. */
export async function replaceTestHistory(
  db: Database,
  release: string,
  rows: ReadonlyArray<Omit<CiTestHistoryRow, 'release' | 'importedAt'>>,
  at: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(ciTestHistory).where(eq(ciTestHistory.release, release));
    // Chunked: one INSERT per 500 rows stays far under PostgreSQL's 65,535 bind parameters.
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, release, importedAt: at }));
      await tx
        .insert(ciTestHistory)
        .values(chunk)
        .onConflictDoUpdate({
          target: ciTestHistory.test,
          set: {
            release,
            runs: sql`excluded.runs`,
            passPercentage: sql`excluded.pass_percentage`,
            flakePercentage: sql`excluded.flake_percentage`,
            importedAt: at,
          },
        });
    }
  });
}

export async function testHistoryRow(db: Database, test: string): Promise<CiTestHistoryRow | undefined> {
  const [row] = await db.select().from(ciTestHistory).where(eq(ciTestHistory.test, test));
  return row;
}

export async function recordHistoryImport(db: Database, row: Omit<CiHistoryImportRow, 'id'>): Promise<void> {
  await db.insert(ciHistoryImports).values(row);
}

export async function latestHistoryImports(db: Database, limit = 1): Promise<CiHistoryImportRow[]> {
  return db.select().from(ciHistoryImports).orderBy(desc(ciHistoryImports.at), desc(ciHistoryImports.id)).limit(limit);
}

export async function flakeStateRow(db: Database, test: string): Promise<CiFlakeStateRow | undefined> {
  const [row] = await db.select().from(ciFlakeStates).where(eq(ciFlakeStates.test, test));
  return row;
}

export async function flakeStateRows(db: Database): Promise<CiFlakeStateRow[]> {
  return db.select().from(ciFlakeStates).orderBy(desc(ciFlakeStates.decidedAt));
}

export async function saveFlakeState(db: Database, row: CiFlakeStateRow): Promise<void> {
  await db
    .insert(ciFlakeStates)
    .values(row)
    .onConflictDoUpdate({
      target: ciFlakeStates.test,
      set: { flagged: row.flagged, lastFailureAt: row.lastFailureAt, decision: row.decision, decidedAt: row.decidedAt },
    });
}
