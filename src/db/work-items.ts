// Repositories for developers, work items, phases and the audit log. Every write is idempotent so an
// activity retried by Temporal (or replayed after a worker crash) leaves one row, not two.
import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { decisions, developers, phases, workItems } from './schema/core.js';
import type { RoleFile } from '../config/schema.js';
import type { Plan } from '../plan/schema.js';
import type { PhaseState } from '../plan/state.js';

export interface DecisionRecord {
  idempotencyKey: string;
  workItemKey: string | null;
  phaseId: string | null;
  kind: string;
  actor: string;
  surface: string;
  detail: Record<string, unknown>;
}

export async function upsertDevelopers(db: Database, roles: Iterable<RoleFile>): Promise<void> {
  for (const role of roles) {
    await db
      .insert(developers)
      .values({ id: role.developer, displayName: role.display_name, slackUserId: role.slack_user_id ?? null, timeZone: role.time_zone, role })
      .onConflictDoUpdate({
        target: developers.id,
        set: { displayName: role.display_name, slackUserId: role.slack_user_id ?? null, timeZone: role.time_zone, role, updatedAt: sql`now()` },
      });
  }
}

export async function upsertWorkItem(
  db: Database,
  item: { key: string; ownerId: string; title: string; intention: string; workflowId: string; status: string },
): Promise<void> {
  await db
    .insert(workItems)
    .values(item)
    .onConflictDoUpdate({ target: workItems.key, set: { title: item.title, intention: item.intention, workflowId: item.workflowId, status: item.status, updatedAt: sql`now()` } });
}

export async function savePlan(
  db: Database,
  args: { key: string; plan: Plan; version: number; status: string; phases: PhaseState[] },
  options: { inTransaction?: boolean } = {},
): Promise<void> {
  // Three statements whatever the plan's size: the work item, the phases that no longer exist, the rest upserted.
  const write = async (tx: Database) => {
    await tx.update(workItems).set({ plan: args.plan, planVersion: args.version, status: args.status, updatedAt: sql`now()` }).where(eq(workItems.key, args.key));
    const ids = args.phases.map((p) => p.id);
    await tx.delete(phases).where(ids.length ? and(eq(phases.workItemKey, args.key), notInArray(phases.phaseId, ids)) : eq(phases.workItemKey, args.key));
    if (args.phases.length === 0) return;
    await tx
      .insert(phases)
      .values(args.phases.map((p, i) => phaseRow(args.key, p, i + 1)))
      .onConflictDoUpdate({
        target: [phases.workItemKey, phases.phaseId],
        set: { title: sql`excluded.title`, ordinal: sql`excluded.ordinal`, mode: sql`excluded.mode`, status: sql`excluded.status`, prUrl: sql`excluded.pr_url`, branch: sql`excluded.branch`, updatedAt: sql`now()` },
      });
  };
  if (options.inTransaction) await write(db);
  else await db.transaction((tx) => write(tx as unknown as Database));
}

/**
 * The status a phase row shows. The work item workflow keeps "a CI failure / the token budget waits for the
 * owner" as flags beside the phase status; the row folds them into the status, because that is the decision a
 * reader of the store (dashboard, briefing) must see.
 */
export function storedPhaseStatus(p: Pick<PhaseState, 'status' | 'awaitingCiDecision' | 'awaitingBudget'>): string {
  if (p.awaitingCiDecision) return 'awaiting-ci-decision';
  if (p.awaitingBudget) return 'awaiting-budget';
  return p.status;
}

function phaseRow(key: string, p: PhaseState, ordinal?: number) {
  return { workItemKey: key, phaseId: p.id, title: p.title, ordinal: ordinal ?? p.mergeOrder, mode: p.mode, status: storedPhaseStatus(p), prUrl: p.prUrl ?? null, branch: p.branch ?? null };
}

async function upsertPhaseRow(db: Database, key: string, p: PhaseState, ordinal?: number): Promise<void> {
  const values = phaseRow(key, p, ordinal);
  await db
    .insert(phases)
    .values(values)
    .onConflictDoUpdate({ target: [phases.workItemKey, phases.phaseId], set: { title: values.title, mode: values.mode, status: values.status, prUrl: values.prUrl, branch: values.branch, updatedAt: sql`now()` } });
}

export async function savePhase(db: Database, key: string, p: PhaseState): Promise<void> {
  await upsertPhaseRow(db, key, p);
}

export async function setWorkItemStatus(db: Database, key: string, status: string): Promise<void> {
  await db.update(workItems).set({ status, updatedAt: sql`now()` }).where(eq(workItems.key, key));
}

/** Appends an audit row once per idempotency key; returns the stored row (the first one, on a retry). */
export async function appendDecision(db: Database, record: DecisionRecord): Promise<{ id: number; decidedAt: Date; inserted: boolean }> {
  const inserted = await db
    .insert(decisions)
    .values(record)
    .onConflictDoNothing({ target: decisions.idempotencyKey })
    .returning({ id: decisions.id, decidedAt: decisions.decidedAt });
  if (inserted[0]) return { ...inserted[0], inserted: true };
  const [existing] = await db.select({ id: decisions.id, decidedAt: decisions.decidedAt }).from(decisions).where(eq(decisions.idempotencyKey, record.idempotencyKey));
  return { ...existing!, inserted: false };
}

export async function decisionsFor(db: Database, workItemKey: string) {
  return db.select().from(decisions).where(eq(decisions.workItemKey, workItemKey)).orderBy(decisions.id);
}

export async function workItemsOwnedBy(db: Database, ownerId: string) {
  return db.select().from(workItems).where(eq(workItems.ownerId, ownerId)).orderBy(desc(workItems.updatedAt));
}

export async function activeWorkItems(db: Database) {
  return db.select().from(workItems).where(inArray(workItems.status, ['planning', 'awaiting-plan-approval', 'executing', 'paused'])).orderBy(desc(workItems.updatedAt));
}

export async function getWorkItem(db: Database, key: string) {
  const [row] = await db.select().from(workItems).where(eq(workItems.key, key));
  return row;
}

export async function phasesOf(db: Database, key: string) {
  return db.select().from(phases).where(eq(phases.workItemKey, key)).orderBy(phases.ordinal);
}

export async function developerBySlackId(db: Database, slackUserId: string) {
  const [row] = await db.select().from(developers).where(eq(developers.slackUserId, slackUserId));
  return row;
}
