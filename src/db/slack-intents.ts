// The Slack inbox's rows (schema in schema/core.ts): recorded before the acknowledgement, leased by the one
// process applying a row, settled with how it ended. Times come from the database's clock, so processes
// with skewed clocks agree on whose lease ran out.
import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { slackIntents } from './schema/core.js';

export type SlackIntentRow = typeof slackIntents.$inferSelect;
export type SlackIntentStatus = 'pending' | 'applied' | 'refused' | 'failed';

/** Rows a person may try again: a new tap with the same key revives them instead of being dropped as a double tap. */
const retryable: SlackIntentStatus[] = ['refused', 'failed'];

export interface IntentToRecord {
  idempotencyKey: string;
  kind: 'decision' | 'command' | 'orientation-done' | 'feedback' | 'curation';
  slackUserId: string;
  payload: unknown;
}

/**
 * Writes intents under their idempotency keys in one statement (all stored or none). Each answer, at its
 * intent's place, is the row id, or undefined when the key is already pending or applied (a double tap,
 * Slack's retry, a replay), which must not act twice. A key that occurs twice in one call is written once,
 * for its first occurrence; the later ones are double taps.
 */
export async function recordIntents(db: Database, intents: readonly IntentToRecord[]): Promise<Array<number | undefined>> {
  const first = new Map<string, number>();
  intents.forEach((intent, i) => {
    if (!first.has(intent.idempotencyKey)) first.set(intent.idempotencyKey, i);
  });
  if (first.size === 0) return [];
  const rows = await db
    .insert(slackIntents)
    .values([...first.values()].map((i) => ({ ...intents[i]!, payload: intents[i]!.payload as object })))
    // ON CONFLICT DO UPDATE may touch a row once per statement, hence the keys made unique above.
    .onConflictDoUpdate({
      target: slackIntents.idempotencyKey,
      set: { payload: sql`excluded.payload`, status: 'pending', outcome: null, attempts: 0, leaseUntil: null, settledAt: null, receivedAt: sql`now()` },
      setWhere: inArray(slackIntents.status, retryable),
    })
    .returning({ id: slackIntents.id, key: slackIntents.idempotencyKey });
  const idOf = new Map(rows.map((r) => [r.key, r.id]));
  return intents.map((intent, i) => (first.get(intent.idempotencyKey) === i ? idOf.get(intent.idempotencyKey) : undefined));
}

const due = () => and(eq(slackIntents.status, 'pending'), or(isNull(slackIntents.leaseUntil), lte(slackIntents.leaseUntil, sql`now()`)));
const inMs = (ms: number) => sql`now() + ${`${Math.max(0, Math.round(ms))} milliseconds`}::interval`;

/** Takes the row for leaseMs if it is pending and nobody holds it; the caller then applies it. */
export async function leaseIntent(db: Database, id: number, leaseMs: number): Promise<SlackIntentRow | undefined> {
  const rows = await db
    .update(slackIntents)
    .set({ leaseUntil: inMs(leaseMs), attempts: sql`${slackIntents.attempts} + 1` })
    .where(and(eq(slackIntents.id, id), due()))
    .returning();
  return rows[0];
}

/**
 * Makes every pending row due now. Only for a store one process can open (PGlite), at that process's start:
 * whoever held a lease is gone, and a retry it postponed is tried at once.
 */
export async function releaseLeases(db: Database): Promise<number> {
  const rows = await db
    .update(slackIntents)
    .set({ leaseUntil: null })
    .where(and(eq(slackIntents.status, 'pending'), gt(slackIntents.leaseUntil, sql`now()`)))
    .returning({ id: slackIntents.id });
  return rows.length;
}

/** Keeps holding a row whose application takes longer than the lease (Temporal waiting for a worker). */
export async function renewLease(db: Database, id: number, leaseMs: number): Promise<void> {
  await db
    .update(slackIntents)
    .set({ leaseUntil: inMs(leaseMs) })
    .where(and(eq(slackIntents.id, id), eq(slackIntents.status, 'pending')));
}

/**
 * Records how far a pending intent got (the Slack message it already posted), so a second pass after a crash
 * goes on from there. Only the row's holder writes it, and only while the row is pending.
 */
export async function saveIntentProgress(db: Database, id: number, payload: unknown): Promise<void> {
  await db
    .update(slackIntents)
    .set({ payload: payload as object })
    .where(and(eq(slackIntents.id, id), eq(slackIntents.status, 'pending')));
}

/** Gives the row back to be tried again after delayMs, keeping the error that stopped this attempt. */
export async function postponeIntent(db: Database, id: number, delayMs: number, error: string): Promise<void> {
  await db
    .update(slackIntents)
    .set({ leaseUntil: inMs(delayMs), outcome: error.slice(0, 2_000) })
    .where(and(eq(slackIntents.id, id), eq(slackIntents.status, 'pending')));
}

export async function settleIntent(db: Database, id: number, status: Exclude<SlackIntentStatus, 'pending'>, outcome: string): Promise<void> {
  await db
    .update(slackIntents)
    .set({ status, outcome: outcome.slice(0, 2_000), leaseUntil: null, settledAt: sql`now()` })
    .where(eq(slackIntents.id, id));
}

/** Pending rows nobody holds, oldest first. */
export async function dueIntents(db: Database, limit: number): Promise<number[]> {
  const rows = await db.select({ id: slackIntents.id }).from(slackIntents).where(due()).orderBy(asc(slackIntents.id)).limit(limit);
  return rows.map((r) => r.id);
}
