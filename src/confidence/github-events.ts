// What a GitHub delivery about a phase PR means for confidence and calibration (the webhook's handling on
// the worker, workflows/github-event.ts):
// - an approving review is recorded in the audit log, marked when the reviewer is an OWNERS approver of the
//   phase's files (OWNERS read from the target checkout); that approval is what L4 "human" counts;
// - an edited description re-reads the invariant checklist reviewers tick;
// - either way the phase's stored assessment is recomputed, and the owner hears when a grade moved or a
//   review approved it (with "Ready to merge?");
// - a merge records the grades the change merged with; a merged revert of a phase PR records the revert
//   as that change's outcome, so calibration needs no `sitroom outcome` for it.
import type { GitHubEvent } from '../contracts/github-events.js';
import type { Notification, NotificationPayload } from '../contracts/notifications.js';
import type { LoadedConfig } from '../config/load.js';
import type { CalibrationStore } from '../db/calibration.js';
import type { Database } from '../db/client.js';
import { phaseConfidence, savePhaseConfidence } from '../db/phases.js';
import { appendDecision, getWorkItem, phaseByPrUrl, phaseDecisions } from '../db/work-items.js';
import { impactOf, ownersForFile, type DomainModel, type OwnersIndex } from '../domain/index.js';
import { Plan } from '../plan/schema.js';
import { assessConfidence, checkCatalog, type CheckId, type ConfidenceAssessment, type EvidenceInput } from './model.js';
import { evidenceFromChecklist, evidenceFromHumans, ownersApprovals } from './pr-ready.js';
import { revertedPullUrl } from './revert.js';

export interface GitHubEventDeps {
  db: Database;
  model: DomainModel;
  /** OWNERS as the target checkout has them now (falling back to the model's snapshot when it has none). */
  owners: () => Promise<OwnersIndex>;
  config: () => Pick<LoadedConfig, 'roles'>;
  calibration: Pick<CalibrationStore, 'recordMerge' | 'recordOutcome' | 'records'>;
  /** The PR's description as it is now on the code host. */
  pullRequestBody?: (prUrl: string) => Promise<string | undefined>;
  /** The bot's own login: its comments and reviews are not news to the owner. */
  botLogin?: string;
  now?: () => Date;
}

export interface GitHubEventOutcome {
  /** What was done, for the workflow's result and the log. */
  summary: string;
  notifications: Notification[];
}

/** Checks whose evidence a delivery brings again; every other check keeps what the last assessment saw. */
const fromReviewers: readonly CheckId[] = ['invariants-checked', 'approved'];

/** The stored assessment's checks as evidence again, so a re-assessment changes only what the delivery brought. */
export function evidenceOf(assessment: ConfidenceAssessment, at: Date): EvidenceInput[] {
  return assessment.levels.flatMap((level) =>
    level.checks
      .filter((c) => c.status !== 'missing' && !(fromReviewers.includes(c.id) && c.status !== 'n/a'))
      .map((c) => ({
        check: c.id,
        status: c.status as EvidenceInput['status'],
        detail: c.detail ?? checkCatalog[c.id].label,
        source: c.source ?? 'the assessment when the PR was ready',
        at,
      })),
  );
}

export function createGitHubEventHandler(deps: GitHubEventDeps) {
  const now = deps.now ?? (() => new Date());
  const developerOf = (login: string) => [...deps.config().roles.values()].find((r) => r.github?.toLowerCase() === login.toLowerCase())?.developer;

  async function phaseContext(prUrl: string) {
    const phase = await phaseByPrUrl(deps.db, prUrl);
    if (!phase) return undefined;
    const row = await getWorkItem(deps.db, phase.workItemKey);
    const plan = row ? Plan.safeParse(row.plan) : undefined;
    const files = (plan?.success ? plan.data.phases.find((p) => p.id === phase.phaseId)?.files : undefined) ?? [];
    return { ...phase, ownerId: row?.ownerId ?? '', files };
  }

  /** Recomputes the stored assessment with the checklist as the PR says now and the OWNERS approvals recorded. */
  async function reassess(ctx: NonNullable<Awaited<ReturnType<typeof phaseContext>>>, prUrl: string) {
    const before = (await phaseConfidence(deps.db, ctx.workItemKey, ctx.phaseId)) as ConfidenceAssessment | null | undefined;
    if (!before?.levels) return undefined;
    const at = now();
    const body = await deps.pullRequestBody?.(prUrl);
    const audit = await phaseDecisions(deps.db, ctx.workItemKey, ctx.phaseId);
    const evidence = [
      ...evidenceOf(before, at),
      ...evidenceFromChecklist(impactOf(deps.model, ctx.files), body, prUrl, at),
      ...evidenceFromHumans({ ownerId: ctx.ownerId, approvedBy: ownersApprovals(audit), pairedWith: [] }, at).filter((e) => e.check === 'approved'),
    ];
    const after = assessConfidence(evidence);
    await savePhaseConfidence(deps.db, ctx.workItemKey, ctx.phaseId, JSON.parse(JSON.stringify(after)) as unknown);
    const moved = after.levels.filter((l) => before.levels.find((b) => b.level === l.level)?.grade !== l.grade);
    return { after, moved };
  }

  const confidenceLines = (a: ConfidenceAssessment) =>
    a.levels.map((l) => ({
      level: `${l.level} ${l.name}`,
      grade: l.grade,
      summary:
        l.checks
          .filter((c) => c.status === 'pass')
          .map((c) => c.detail ?? c.label)
          .join('; ') || (l.missing.length ? `missing: ${l.missing.join(', ')}` : 'not applicable'),
    }));

  return async function handleGitHubEvent(event: GitHubEvent): Promise<GitHubEventOutcome> {
    if (event.kind === 'ci') return { summary: 'CI changes go to the CI watch', notifications: [] };
    const key = `github:${event.deliveryId}`;

    if (event.kind === 'pull-request' && event.action === 'closed' && event.merged) {
      const reverted = revertedPullUrl(event);
      const known = reverted ? (await deps.calibration.records()).some((r) => r.prUrl === reverted) : false;
      if (reverted && known) {
        await deps.calibration.recordOutcome({ prUrl: reverted, kind: 'revert', reference: event.url, detail: event.title.slice(0, 500), at: now() });
        const ctx = await phaseContext(reverted);
        const text = `${event.url} reverted ${reverted}${ctx ? ` (${ctx.workItemKey} phase ${ctx.phaseId})` : ''}; recorded as its outcome for confidence calibration.`;
        return {
          summary: text,
          notifications: ctx?.ownerId ? [{ dedupeKey: `${key}:revert`, developerId: ctx.ownerId, urgency: 'info', payload: { kind: 'info', text } }] : [],
        };
      }
      const ctx = await phaseContext(event.url);
      const graded = ctx ? ((await phaseConfidence(deps.db, ctx.workItemKey, ctx.phaseId)) as ConfidenceAssessment | null | undefined) : undefined;
      if (ctx && graded?.levels)
        await deps.calibration.recordMerge({ prUrl: event.url, workItemKey: ctx.workItemKey, phaseId: ctx.phaseId, assessment: graded, mergedAt: now() });
      return {
        summary: ctx ? `merge of ${event.url} recorded with its grades` : `${event.url} is neither a phase PR nor a revert of a merged one`,
        notifications: [],
      };
    }

    const ctx = await phaseContext(event.url);
    if (!ctx) return { summary: `${event.url} is not a phase PR`, notifications: [] };

    if (event.kind === 'review') {
      if (event.action !== 'submitted' || event.state !== 'approved' || !event.reviewer)
        return { summary: `review ${event.state} ${event.action}: nothing to record`, notifications: [] };
      const files = ctx.files.length ? ctx.files : ['OWNERS'];
      const owners = await deps.owners();
      const ownersApprover = files.some((f) => ownersForFile(owners, f).approvers.some((a) => a.toLowerCase() === event.reviewer.toLowerCase()));
      const actor = developerOf(event.reviewer) ?? event.reviewer;
      await appendDecision(deps.db, {
        idempotencyKey: key,
        workItemKey: ctx.workItemKey,
        phaseId: ctx.phaseId,
        kind: 'review-approval',
        actor,
        surface: 'automatic',
        detail: { github: event.reviewer, ownersApprover, prUrl: event.url, commit: event.commitId },
      });
      const reassessed = await reassess(ctx, event.url);
      const payload: NotificationPayload = {
        kind: 'review-approved',
        workItemKey: ctx.workItemKey,
        phaseId: ctx.phaseId,
        prUrl: event.url,
        reviewer: actor,
        github: event.reviewer,
        ownersApprover,
        confidence: reassessed ? confidenceLines(reassessed.after) : [],
      };
      return {
        summary: `approval by ${event.reviewer}${ownersApprover ? ' (OWNERS approver)' : ''} recorded`,
        notifications: ctx.ownerId ? [{ dedupeKey: `${key}:approved`, developerId: ctx.ownerId, urgency: 'decision', payload }] : [],
      };
    }

    if (event.kind === 'pull-request' && event.action === 'edited' && event.bodyChanged) {
      const reassessed = await reassess(ctx, event.url);
      if (!reassessed) return { summary: 'no assessment yet: the checklist is read when the PR is ready', notifications: [] };
      if (reassessed.moved.length === 0) return { summary: 'description edited; no grade moved', notifications: [] };
      const text = `${ctx.workItemKey} phase ${ctx.phaseId}: after an edit of ${event.url}, ${reassessed.moved.map((l) => `${l.level} ${l.name} is ${l.grade}`).join(', ')}.`;
      return {
        summary: text,
        notifications: ctx.ownerId ? [{ dedupeKey: `${key}:regraded`, developerId: ctx.ownerId, urgency: 'info', payload: { kind: 'info', text } }] : [],
      };
    }

    if (event.kind === 'comment' && event.action === 'created' && event.author && event.author !== deps.botLogin && developerOf(event.author) !== ctx.ownerId) {
      const text = `${event.author} commented on ${event.url} (${ctx.workItemKey} phase ${ctx.phaseId}): ${event.body.replace(/\s+/g, ' ').slice(0, 300)}`;
      return {
        summary: 'comment passed on to the owner',
        notifications: ctx.ownerId ? [{ dedupeKey: `${key}:comment`, developerId: ctx.ownerId, urgency: 'info', payload: { kind: 'info', text } }] : [],
      };
    }
    return { summary: `${event.kind} ${event.action}: nothing to do`, notifications: [] };
  };
}
