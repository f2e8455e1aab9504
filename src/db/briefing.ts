// The reads behind the morning briefing (src/briefing/memory.ts composes them). The briefing runs for every
// developer every morning, so each read is one statement whatever the amount of stored work: joins and
// aggregates in SQL, never one query per work item or phase.
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, ne, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { decisions, phases, workItems } from './schema/core.js';
import { ciTestRuns, experienceEntries } from './schema/knowledge.js';

/** Work items in these states are finished and leave the briefing. */
const terminalStatuses = ['resolved', 'cancelled'];

const ownedActive = (developerId: string) => and(eq(workItems.ownerId, developerId), notInArray(workItems.status, terminalStatuses));

/** The developer's open work items, most recently updated first. */
export async function openWorkItemsOf(db: Database, developerId: string, limit: number) {
  return db.select().from(workItems).where(ownedActive(developerId)).orderBy(desc(workItems.updatedAt), asc(workItems.key)).limit(limit);
}

/** Every phase of the developer's open work items, in plan order. */
export async function phasesOfOpenWorkItems(db: Database, developerId: string) {
  return db
    .select({
      workItemKey: phases.workItemKey,
      phaseId: phases.phaseId,
      title: phases.title,
      ordinal: phases.ordinal,
      status: phases.status,
      prUrl: phases.prUrl,
    })
    .from(phases)
    .innerJoin(workItems, eq(phases.workItemKey, workItems.key))
    .where(ownedActive(developerId))
    .orderBy(asc(phases.workItemKey), asc(phases.ordinal));
}

/** CI retries and alerts on the developer's PRs, and the options chosen for them: the audit log links tests to PRs. */
export async function ciDecisionsOnOpenWorkItems(db: Database, developerId: string) {
  return db
    .select({
      kind: decisions.kind,
      workItemKey: decisions.workItemKey,
      phaseId: decisions.phaseId,
      detail: decisions.detail,
      decidedAt: decisions.decidedAt,
      prUrl: phases.prUrl,
    })
    .from(decisions)
    .innerJoin(workItems, eq(decisions.workItemKey, workItems.key))
    .leftJoin(phases, and(eq(phases.workItemKey, decisions.workItemKey), eq(phases.phaseId, decisions.phaseId)))
    .where(and(ownedActive(developerId), inArray(decisions.kind, ['ci-retry', 'ci-alert', 'ci-option'])))
    .orderBy(asc(decisions.id));
}

/** Tier 2: every test that ran since `since`, with its learned health, the most failing first. */
export async function testsRunSince(db: Database, since: Date, limit: number) {
  return db
    .select({
      test: ciTestRuns.test,
      job: sql<string | null>`max(${ciTestRuns.job})`,
      runs: sql<number>`count(*)::int`,
      failures: sql<number>`(count(*) filter (where ${ciTestRuns.outcome} = 'fail'))::int`,
      lastOutcome: sql<string>`(array_agg(${ciTestRuns.outcome} order by ${ciTestRuns.occurredAt} desc, ${ciTestRuns.attempt} desc))[1]`,
      health: sql<string | null>`max(${experienceEntries.data}->>'health')`,
    })
    .from(ciTestRuns)
    .leftJoin(experienceEntries, eq(experienceEntries.key, sql`'ci-test:' || ${ciTestRuns.test}`))
    .where(gte(ciTestRuns.occurredAt, since))
    .groupBy(ciTestRuns.test)
    .orderBy(sql`(count(*) filter (where ${ciTestRuns.outcome} = 'fail')) desc`, asc(ciTestRuns.test))
    .limit(limit);
}

/**
 * Gates of other people's open work that this developer may decide: all of them for a team approver;
 * otherwise only phases whose stored OWNERS approvers name them (rows written before approvers were stored
 * come back too, and the caller checks them against OWNERS in process).
 */
export async function othersOpenGates(db: Database, developerId: string, isTeamApprover: boolean) {
  const othersGateFilter = isTeamApprover
    ? or(eq(workItems.status, 'awaiting-plan-approval'), isNotNull(phases.phaseId))
    : and(isNotNull(phases.phaseId), or(isNull(phases.approvers), sql`${phases.approvers} @> ${JSON.stringify([developerId])}::jsonb`));
  return db
    .select({
      key: workItems.key,
      title: workItems.title,
      ownerId: workItems.ownerId,
      status: workItems.status,
      planVersion: workItems.planVersion,
      plan: workItems.plan,
      phaseId: phases.phaseId,
      phaseTitle: phases.title,
      approvers: phases.approvers,
    })
    .from(workItems)
    .leftJoin(phases, and(eq(phases.workItemKey, workItems.key), eq(phases.status, 'awaiting-approval')))
    .where(and(ne(workItems.ownerId, developerId), notInArray(workItems.status, terminalStatuses), othersGateFilter))
    .orderBy(asc(workItems.key), asc(phases.ordinal));
}

/** What the developer decided lately (of the given kinds), newest first: the decisions of their last session. */
export async function recentDecisionsBy(db: Database, developerId: string, kinds: readonly string[], limit: number) {
  return db
    .select({ kind: decisions.kind, workItemKey: decisions.workItemKey, phaseId: decisions.phaseId, decidedAt: decisions.decidedAt, detail: decisions.detail })
    .from(decisions)
    .where(and(eq(decisions.actor, developerId), inArray(decisions.kind, [...kinds])))
    .orderBy(desc(decisions.decidedAt))
    .limit(limit);
}
