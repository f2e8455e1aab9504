// Repositories for developers, work items, phases and the audit log. Every write is idempotent so an
// activity retried by Temporal (or replayed after a worker crash) leaves one row, not two.
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from './client.js';
import { decisions, developers, phases, workItems } from './schema/core.js';
import type { RoleFile } from '../config/schema.js';
import type { DecisionRecord, DecisionWithEffects, PlanVersion } from '../contracts/decisions.js';
import type { PhaseState } from '../contracts/plan.js';

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
    .onConflictDoUpdate({
      target: workItems.key,
      set: { title: item.title, intention: item.intention, workflowId: item.workflowId, status: item.status, updatedAt: sql`now()` },
    });
}

export async function savePlan(db: Database, args: PlanVersion): Promise<void> {
  await db.execute(sql`WITH ${sql.join(planWrite(args, sql`true`), sql`, `)} SELECT 1`);
}

/**
 * The CTE steps that store a plan version: the work item row (when `when` holds), then its phases: rows of
 * phases the plan no longer has are deleted, the rest upserted. Nothing touches the phases unless the work
 * item row was written. One statement whatever the plan's size.
 */
function planWrite(p: PlanVersion, when: SQL): SQL[] {
  const incoming = JSON.stringify(
    p.phases.map((phase, i) => ({ ...phaseRow(p.key, phase, i + 1), approvers: p.approvers ? (p.approvers[phase.id] ?? []) : null })),
  );
  return [
    sql`w AS (
      UPDATE work_items SET plan = ${JSON.stringify(p.plan)}::jsonb, plan_version = ${p.version}, status = ${p.status}, updated_at = now()
      WHERE key = ${p.key} AND ${when}
      RETURNING key)`,
    sql`incoming AS (
      SELECT * FROM jsonb_to_recordset(${incoming}::jsonb)
        AS x("phaseId" text, title text, ordinal integer, mode text, status text, "prUrl" text, branch text, approvers jsonb))`,
    sql`gone AS (
      DELETE FROM phases WHERE work_item_key = ${p.key} AND EXISTS (SELECT 1 FROM w)
        AND NOT EXISTS (SELECT 1 FROM incoming WHERE incoming."phaseId" = phases.phase_id))`,
    sql`kept AS (
      INSERT INTO phases (work_item_key, phase_id, title, ordinal, mode, status, pr_url, branch, approvers)
      SELECT w.key, i."phaseId", i.title, i.ordinal, i.mode, i.status, i."prUrl", i.branch, i.approvers FROM w CROSS JOIN incoming i
      ON CONFLICT (work_item_key, phase_id) DO UPDATE SET title = excluded.title, ordinal = excluded.ordinal, mode = excluded.mode,
        status = excluded.status, pr_url = excluded.pr_url, branch = excluded.branch,
        approvers = COALESCE(excluded.approvers, phases.approvers), updated_at = now())`,
  ];
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
  return {
    workItemKey: key,
    phaseId: p.id,
    title: p.title,
    ordinal: ordinal ?? p.mergeOrder,
    mode: p.mode,
    status: storedPhaseStatus(p),
    prUrl: p.prUrl ?? null,
    branch: p.branch ?? null,
  };
}

async function upsertPhaseRow(db: Database, key: string, p: PhaseState, ordinal?: number): Promise<void> {
  const values = phaseRow(key, p, ordinal);
  await db
    .insert(phases)
    .values(values)
    .onConflictDoUpdate({
      target: [phases.workItemKey, phases.phaseId],
      set: { title: values.title, mode: values.mode, status: values.status, prUrl: values.prUrl, branch: values.branch, updatedAt: sql`now()` },
    });
}

export async function savePhase(db: Database, key: string, p: PhaseState): Promise<void> {
  await upsertPhaseRow(db, key, p);
}

export async function setWorkItemStatus(db: Database, key: string, status: string): Promise<void> {
  await db
    .update(workItems)
    .set({ status, updatedAt: sql`now()` })
    .where(eq(workItems.key, key));
}

/** Appends an audit row once per idempotency key; returns the stored row (the first one, on a retry). */
export async function appendDecision(db: Database, record: DecisionRecord): Promise<{ id: number; decidedAt: Date; inserted: boolean }> {
  const inserted = await db
    .insert(decisions)
    .values(record)
    .onConflictDoNothing({ target: decisions.idempotencyKey })
    .returning({ id: decisions.id, decidedAt: decisions.decidedAt });
  if (inserted[0]) return { ...inserted[0], inserted: true };
  const [existing] = await db
    .select({ id: decisions.id, decidedAt: decisions.decidedAt })
    .from(decisions)
    .where(eq(decisions.idempotencyKey, record.idempotencyKey));
  return { ...existing!, inserted: false };
}

export async function decisionsFor(db: Database, workItemKey: string) {
  return db.select().from(decisions).where(eq(decisions.workItemKey, workItemKey)).orderBy(decisions.id);
}

export async function workItemsOwnedBy(db: Database, ownerId: string) {
  return db.select().from(workItems).where(eq(workItems.ownerId, ownerId)).orderBy(desc(workItems.updatedAt));
}

export async function activeWorkItems(db: Database) {
  return db
    .select()
    .from(workItems)
    .where(inArray(workItems.status, ['planning', 'draft-failed', 'awaiting-plan-approval', 'executing', 'paused']))
    .orderBy(desc(workItems.updatedAt));
}

export async function getWorkItem(db: Database, key: string) {
  const [row] = await db.select().from(workItems).where(eq(workItems.key, key));
  return row;
}

export async function phasesOf(db: Database, key: string) {
  return db.select().from(phases).where(eq(phases.workItemKey, key)).orderBy(phases.ordinal);
}

/** Which of these decision idempotency keys are already stored: one read for a whole batch. */
export async function storedDecisionKeys(db: Database, keys: string[]): Promise<Set<string>> {
  return new Set((await db.select({ key: decisions.idempotencyKey }).from(decisions).where(inArray(decisions.idempotencyKey, keys))).map((r) => r.key));
}

/** Who decided what on one phase (approvals, pair sessions…), from the audit log. */
export async function phaseDecisions(db: Database, workItemKey: string, phaseId: string) {
  return db
    .select({ kind: decisions.kind, actor: decisions.actor, detail: decisions.detail })
    .from(decisions)
    .where(and(eq(decisions.workItemKey, workItemKey), eq(decisions.phaseId, phaseId)));
}

/** The latest CI retries and alerts on these work items, newest first. */
export async function recentCiDecisions(db: Database, workItemKeys: string[], limit: number) {
  return db
    .select()
    .from(decisions)
    .where(and(inArray(decisions.workItemKey, workItemKeys), inArray(decisions.kind, ['ci-retry', 'ci-alert'])))
    .orderBy(desc(decisions.id))
    .limit(limit);
}

/** Work items in any of these statuses, with their owner and plan. */
export async function workItemsInStatus(db: Database, statuses: string[]) {
  return db
    .select({ key: workItems.key, title: workItems.title, status: workItems.status, plan: workItems.plan, ownerId: workItems.ownerId })
    .from(workItems)
    .where(inArray(workItems.status, statuses));
}

/** The phase whose pull request is at this URL (what the CI webhook is told about). */
export async function phaseByPrUrl(db: Database, prUrl: string): Promise<{ workItemKey: string; phaseId: string } | undefined> {
  const [row] = await db.select({ workItemKey: phases.workItemKey, phaseId: phases.phaseId }).from(phases).where(eq(phases.prUrl, prUrl));
  return row;
}

export async function developerBySlackId(db: Database, slackUserId: string) {
  const [row] = await db.select().from(developers).where(eq(developers.slackUserId, slackUserId));
  return row;
}

/**
 * Stores a decision and its effects in ONE statement (data-modifying CTEs), so the write costs one round trip
 * to the database however many tables it touches; a decision is on the path of every tap. The effects are
 * written only when the audit row is new (a retry changes nothing), and a plan only when it is newer than the
 * stored one. https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING
 */
export async function commitDecisionWithEffects(db: Database, commit: DecisionWithEffects): Promise<{ decidedAt: Date; inserted: boolean }> {
  const { decision: d, notification: n, plan: p } = commit;
  const steps: SQL[] = [
    sql`d AS (
      INSERT INTO decisions (idempotency_key, work_item_key, phase_id, kind, actor, surface, detail, decided_at)
      VALUES (${d.idempotencyKey}, ${d.workItemKey}, ${d.phaseId}, ${d.kind}, ${d.actor}, ${d.surface}, ${JSON.stringify(d.detail)}::jsonb,
              COALESCE(${d.decidedAt ? d.decidedAt.toISOString() : null}::timestamptz, now()))
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING decided_at)`,
  ];
  if (n) {
    steps.push(sql`n AS (
      INSERT INTO notification_outbox (dedupe_key, developer_id, channel, urgency, kind, payload)
      SELECT ${n.dedupeKey}, ${n.developerId ?? null}, ${n.channel ?? null}, ${n.urgency}, ${n.payload.kind}, ${JSON.stringify(n.payload)}::jsonb FROM d
      ON CONFLICT (dedupe_key) DO NOTHING)`);
  }
  if (p) steps.push(...planWrite(p, sql`plan_version < ${p.version} AND EXISTS (SELECT 1 FROM d)`));
  const result = await db.execute(sql`WITH ${sql.join(steps, sql`, `)} SELECT decided_at FROM d`);
  const [row] = (result as unknown as { rows: Array<{ decided_at: string | Date }> }).rows;
  if (row) return { decidedAt: new Date(row.decided_at), inserted: true };
  const [existing] = await db.select({ decidedAt: decisions.decidedAt }).from(decisions).where(eq(decisions.idempotencyKey, d.idempotencyKey));
  return { decidedAt: existing!.decidedAt, inserted: false };
}
