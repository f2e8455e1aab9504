// The proposal queue's rows: entries offered to a developer after a resolved work item, promotions from
// tier 2 and retirements, each waiting for an answer or a curator's review. The rules of the queue (who may
// answer or review, what approval writes) live in src/knowledge/proposal-queue.ts.
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { knowledgeProposals } from './schema/knowledge.js';

export type ProposalRow = typeof knowledgeProposals.$inferSelect;
export type ProposalValues = typeof knowledgeProposals.$inferInsert;

/** Inserts the proposal unless its dedupe key is taken; either way returns the stored row, so a replayed activity proposes once. */
export async function insertProposalOnce(db: Database, values: ProposalValues): Promise<ProposalRow> {
  const [row] = await db.insert(knowledgeProposals).values(values).onConflictDoNothing().returning();
  if (row) return row;
  const [existing] = await db.select().from(knowledgeProposals).where(eq(knowledgeProposals.dedupeKey, values.dedupeKey));
  return existing!;
}

export async function proposalRow(db: Database, id: number): Promise<ProposalRow | undefined> {
  const [row] = await db.select().from(knowledgeProposals).where(eq(knowledgeProposals.id, id));
  return row;
}

/** Proposals in one status, oldest first. */
export async function proposalRowsInStatus(db: Database, status: string): Promise<ProposalRow[]> {
  return db
    .select()
    .from(knowledgeProposals)
    .where(eq(knowledgeProposals.status, status))
    .orderBy(asc(knowledgeProposals.createdAt), asc(knowledgeProposals.id));
}

export async function proposalRowsOf(db: Database, developerId: string, status: string): Promise<ProposalRow[]> {
  return db
    .select()
    .from(knowledgeProposals)
    .where(and(eq(knowledgeProposals.developerId, developerId), eq(knowledgeProposals.status, status)));
}

/**
 * Moves a proposal on only while it is still in `from`; undefined when it was not (another answer or
 * review got there first), so two taps at once cannot both win.
 */
export async function moveProposal(db: Database, id: number, from: string, values: Partial<ProposalValues>): Promise<ProposalRow | undefined> {
  const [row] = await db
    .update(knowledgeProposals)
    .set(values)
    .where(and(eq(knowledgeProposals.id, id), eq(knowledgeProposals.status, from)))
    .returning();
  return row;
}
