// createActivities(deps): every activity the workflows call, bound to injected capabilities. Activities
// are the only place RH-O touches the world; each is idempotent under Temporal's retries (writes are
// keyed by business ids) and turns permanent problems into non-retryable failures.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { SippyRateLimited, SippyResponseInvalid } from '../integrations/sippy.js';
import { describeProgress } from '../agent/progress.js';
import type { Database } from '../db/client.js';
import { phaseConfidence, phaseEvidence, savePhaseEvidence } from '../db/phases.js';
import {
  appendDecision,
  activeWorkItems,
  commitDecisionWithEffects,
  phaseByPrUrl,
  storedDecisionKeys,
  savePhase,
  savePlan,
  setWorkItemStatus,
  upsertWorkItem,
} from '../db/work-items.js';
import { type DecisionRecord, type PlanVersion } from '../contracts/decisions.js';
import { resolveMode, type ActivityKind } from '../config/schema.js';
import { activityKinds } from '../contracts/vocabulary.js';
import type { LoadedConfig } from '../config/load.js';
import { failure, permanentOnUserError, withCataloguedFailures } from './failures.js';
import type { Logger } from '../observability/logger.js';
import { enqueueNotification } from '../db/outbox.js';
import type { Notification } from '../contracts/notifications.js';
import type { Plan } from '../plan/schema.js';
import type { WorkItemSettings } from '../contracts/work-item.js';
import type { ModeSetting, PhaseState } from '../contracts/plan.js';
import type { CiRunReport, CiTestResult, CiWatchState } from '../contracts/ci.js';
import type { CalibrationStore } from '../db/calibration.js';
import type { ConfidenceAssessment } from '../confidence/model.js';
import { describeOverlap, overlapOf, type Footprint } from '../confidence/overlap.js';
import type { AgentPort, CiKnowledgePort, CiPort, ExecutePhaseArgs, ExperiencePort, ProgressNotes, MemoryPort, ReviewInsightPort } from '../contracts/ports.js';
import type { DecisionCommit } from '../contracts/decisions.js';
import type { ModelDriftReport } from '../contracts/model-drift.js';
import type { GitHubEvent } from '../contracts/github-events.js';
import type { GitHubEventOutcome } from '../confidence/github-events.js';
import { answerQuestion, type AnswerQuestionArgs, type QuestionAnswer, type QuestionDeps } from './ask.js';

export type { ExecutePhaseResult } from '../contracts/ports.js';
export type { DecisionCommit } from '../contracts/decisions.js';

import type { MergeOrder } from './merge-order.js';
import { createTicketActivities } from './tickets.js';
import type { IssueTracker } from '../integrations/jira.js';

export interface ActivityDeps {
  db: Database;
  /** The current team config; returns the last good one when the files on disk are broken. */
  config: () => LoadedConfig;
  agent: AgentPort;
  ci: CiPort;
  ciKnowledge: CiKnowledgePort;
  insight: ReviewInsightPort;
  /** Work items' footprints (real branch diffs, else planned files) for the overlap check. */
  overlap?: { footprint(item: { workItemKey: string; ownerId: string; phases: Array<{ id: string; files: string[] }> }): Promise<Footprint> };
  memory: MemoryPort;
  logger: Logger;
  /** Tier-2 experience from real runs and the knowledge upkeep (promotion and retirement proposals). */
  experience?: ExperiencePort;
  /** Records each merge with its confidence grades, so outcomes after merge calibrate the model. */
  calibration?: Pick<CalibrationStore, 'recordMerge'>;
  /** The domain model's drift check against the target's default branch (src/integrations/model-drift.ts). */
  modelDrift?: { check(): Promise<ModelDriftReport> };
  /** OpenShift CI's test history imported from Sippy (src/knowledge/flake-decisions.ts importCiHistory). */
  ciHistory?: { import(): Promise<{ ok: boolean; release?: string; tests: number }> };
  /** Jira bugs linked to recently merged work items, recorded as outcomes (src/main/follow-up-bugs.ts). */
  followUpBugs?: () => Promise<{ merges: number; recorded: Array<{ prUrl: string; bug: string }> }>;
  /** GitHub webhook deliveries about phase PRs (src/confidence/github-events.ts). */
  githubEvents?: (event: GitHubEvent) => Promise<GitHubEventOutcome>;
  /** RH-A answering questions people ask in Slack (src/activities/ask.ts). */
  questions?: Omit<QuestionDeps, 'db' | 'config'>;
  /** Prow holds on PRs whose predecessors have not merged (GitHub mode): lifted here once they have. */
  mergeOrder?: Pick<MergeOrder, 'releaseFreed'>;
  /** Jira, when configured: RH-A comments on the tickets (src/activities/tickets.ts). */
  issues?: IssueTracker;
}

export function createActivities(deps: ActivityDeps) {
  const { db } = deps;

  const commitDecision = async (args: DecisionCommit): Promise<{ decidedAt: string; inserted: boolean }> => {
    const { decidedAt, ...record } = args.decision;
    const row = await commitDecisionWithEffects(db, {
      decision: { ...record, ...(decidedAt ? { decidedAt: new Date(decidedAt) } : {}) },
      ...(args.notification ? { notification: args.notification } : {}),
      ...(args.plan ? { plan: args.plan } : {}),
    });
    return { decidedAt: row.decidedAt.toISOString(), inserted: row.inserted };
  };

  const settingsFor = (ownerId: string, phases: Array<{ id: string; files: string[] }>): WorkItemSettings => {
    const { team, roles } = deps.config();
    const role = roles.get(ownerId);
    if (!role) throw failure('UserError', `no role file for "${ownerId}" in .rh-agentic/roles/`);
    const modes = Object.fromEntries(activityKinds.map((a) => [a, resolveMode(a, team, role) as ModeSetting])) as Record<ActivityKind, ModeSetting>;
    const byHandle = new Map([...roles.values()].filter((r) => r.github).map((r) => [r.github!.toLowerCase(), r.developer]));
    const phaseApprovers: Record<string, string[]> = {};
    if (team.approvals.use_owners_files) {
      for (const phase of phases) {
        const handles = deps.insight.impact(phase.files).approverHandles;
        phaseApprovers[phase.id] = [...new Set(handles.map((h) => byHandle.get(h.toLowerCase())).filter((d): d is string => !!d))];
      }
    }
    return {
      modes,
      approvers: team.approvals.approvers.filter((a) => a !== ownerId),
      phaseApprovers,
      ...(team.approvals.backup_approver ? { backupApprover: team.approvals.backup_approver } : {}),
      reminderAfterMs: team.approvals.gate_reminder_after,
      escalateAfterMs: team.approvals.gate_escalate_after,
    };
  };

  // Catalogued errors from the agent, the CI adapters and the stores reach Temporal as ApplicationFailures.
  return withCataloguedFailures({
    ...createTicketActivities(deps.issues ? { issues: deps.issues } : {}),

    async loadWorkItemSettings(args: { workItemKey: string; ownerId: string; phases: Array<{ id: string; files: string[] }> }): Promise<WorkItemSettings> {
      return settingsFor(args.ownerId, args.phases);
    },

    async recordWorkItem(args: { key: string; ownerId: string; title: string; intention: string; workflowId: string; status: string }): Promise<void> {
      if (!deps.config().roles.has(args.ownerId)) throw failure('UserError', `unknown developer "${args.ownerId}"`);
      await upsertWorkItem(db, args);
    },

    async recordPlan(args: PlanVersion): Promise<void> {
      await savePlan(db, args);
    },

    async recordPhase(args: { key: string; phase: PhaseState }): Promise<void> {
      await savePhase(db, args.key, args.phase);
    },

    async setWorkItemStatus(args: { key: string; status: string }): Promise<void> {
      await setWorkItemStatus(db, args.key, args.status);
    },

    async recordDecision(record: DecisionRecord): Promise<{ decidedAt: string }> {
      const row = await appendDecision(db, record);
      if (row.inserted)
        deps.logger.info(
          { decision: { kind: record.kind, actor: record.actor, surface: record.surface, workItem: record.workItemKey, phase: record.phaseId } },
          'decision recorded',
        );
      return { decidedAt: row.decidedAt.toISOString() };
    },

    /**
     * A person's decision, committed in one transaction: the audit row, the notification that tells the owner,
     * and (for plan edits) the new plan version. Called by the worker's decision sink before the update that
     * took the decision completes (createDecisionSinks), and again by confirmDecisions as the durable backstop;
     * histories from before the sink ran it as a local activity. Idempotent by the update id.
     */
    async commitDecision(args: DecisionCommit): Promise<{ decidedAt: string; inserted: boolean }> {
      return commitDecision(args);
    },

    /**
     * The workflow's durable check that every decision it took is stored: whatever the fast path (the sink)
     * already committed is left alone; anything it could not commit (the database was down) is written now,
     * retried by Temporal until it is.
     */
    async confirmDecisions(args: { commits: DecisionCommit[] }): Promise<{ written: number }> {
      let written = 0;
      // One read for the whole batch: on the normal path every decision is already stored.
      const keys = args.commits.map((c) => c.decision.idempotencyKey);
      const stored = await storedDecisionKeys(db, keys);
      for (const commit of args.commits) {
        if (stored.has(commit.decision.idempotencyKey)) continue;
        const row = await commitDecision(commit);
        if (row.inserted) written += 1;
      }
      if (written > 0)
        deps.logger.warn(
          { decisions: { written, workItem: args.commits[0]?.decision.workItemKey } },
          'decisions stored by the workflow backstop: the fast path had not stored them',
        );
      return { written };
    },

    async notify(notification: Notification): Promise<void> {
      await enqueueNotification(db, notification);
      // A blocking CI failure also pages the team channel (with the owner mentioned and the same buttons);
      // known flakes never reach this point, they are retried silently.
      if (notification.payload.kind === 'ci-alert' && !notification.channel) {
        await enqueueNotification(db, {
          ...notification,
          dedupeKey: `${notification.dedupeKey}:channel`,
          channel: deps.config().team.notifications.alerts_channel,
        });
      }
    },

    /** A GitHub delivery about a phase PR (workflows/github-event.ts): what it means, and whom to tell. */
    async handleGitHubEvent(event: GitHubEvent): Promise<GitHubEventOutcome> {
      if (!deps.githubEvents) return { summary: 'GitHub events are not handled by this worker', notifications: [] };
      const outcome = await deps.githubEvents(event);
      // A phase PR merged (tide's merge, delivered by GitHub): the PRs held for it may go now, without waiting
      // for the work item's next look at GitHub (minutes later). releaseFreed lifts only holds it put itself.
      if (event.kind === 'pull-request' && event.action === 'closed' && event.merged && deps.mergeOrder) {
        const phase = await phaseByPrUrl(db, event.url);
        if (phase) await deps.mergeOrder.releaseFreed({ workItemKey: phase.workItemKey, mergedPhaseId: phase.phaseId });
      }
      return outcome;
    },

    async mergePhase(args: { workItemKey: string; phaseId: string; prUrl: string | null; branch: string | null }) {
      const result = await deps.ci.merge(args);
      // Tide merges on GitHub: a PR held for this phase (or this one, once its predecessors merged) may go now.
      await deps.mergeOrder?.releaseFreed({ workItemKey: args.workItemKey, ...(result.merged ? { mergedPhaseId: args.phaseId } : {}) });
      if (result.merged && args.prUrl && deps.calibration) {
        // pr-ready stored the phase's assessment when CI went green.
        const graded = (await phaseConfidence(db, args.workItemKey, args.phaseId)) as ConfidenceAssessment | null | undefined;
        if (graded?.levels)
          await deps.calibration.recordMerge({
            prUrl: args.prUrl,
            workItemKey: args.workItemKey,
            phaseId: args.phaseId,
            assessment: graded,
            mergedAt: new Date(),
          });
      }
      return result;
    },

    /**
     * Tells both owners when two active work items touch the same files or the same lifecycle invariant, naming
     * the shared part; once per pair and shared part, so a re-check after a plan edit or a push is silent unless
     * the overlap changed. Footprints come from the phase branches' real diffs where they exist.
     */
    async detectOverlaps(args: { workItemKey: string; ownerId: string; files: string[] }): Promise<Array<{ otherWorkItemKey: string; shared: string[] }>> {
      const found: Array<{ otherWorkItemKey: string; shared: string[] }> = [];
      if (!deps.overlap) return found;
      const items = await activeWorkItems(db);
      const phasesOf = (plan: unknown, fallback: string[]) =>
        ((plan as Plan | null)?.phases ?? [{ id: '', files: fallback }]).map((p) => ({ id: p.id, files: p.files }));
      const mine = items.find((w) => w.key === args.workItemKey);
      const me = await deps.overlap.footprint({ workItemKey: args.workItemKey, ownerId: args.ownerId, phases: phasesOf(mine?.plan ?? null, args.files) });
      for (const other of items) {
        if (other.key === args.workItemKey || !other.plan) continue;
        const them = await deps.overlap.footprint({ workItemKey: other.key, ownerId: other.ownerId, phases: phasesOf(other.plan, []) });
        const overlap = overlapOf(me, them);
        if (!overlap) continue;
        const shared = describeOverlap(overlap);
        found.push({ otherWorkItemKey: other.key, shared });
        const pairKey = [args.workItemKey, other.key].sort().join('+');
        const what = createHash('sha256').update(shared.join('\n')).digest('hex').slice(0, 12);
        for (const [me, them, themOwner] of [
          [args.workItemKey, other.key, other.ownerId],
          [other.key, args.workItemKey, args.ownerId],
        ] as const) {
          const owner = me === args.workItemKey ? args.ownerId : other.ownerId;
          await enqueueNotification(db, {
            dedupeKey: `overlap:${pairKey}:${what}:${owner}`,
            developerId: owner,
            urgency: 'decision',
            payload: { kind: 'overlap', workItemKey: me, otherWorkItemKey: them, otherOwnerId: themOwner, shared: shared.slice(0, 20) },
          });
        }
      }
      return found;
    },

    async draftPlan(args: { workItemKey: string; ownerId: string; intention: string; feedback?: string[] }): Promise<Plan> {
      return permanentOnUserError(() => deps.agent.draftPlan(args));
    },

    async preparePhaseBranch(args: Parameters<AgentPort['preparePhaseBranch']>[0]) {
      return deps.agent.preparePhaseBranch(args);
    },

    async phaseBranchWork(args: Parameters<AgentPort['phaseBranchWork']>[0]) {
      return deps.agent.phaseBranchWork(args);
    },

    async executePhase(args: ExecutePhaseArgs) {
      const ctx = Context.current();
      let lastSaved = 0;
      const heartbeat = (details: ProgressNotes) => {
        ctx.heartbeat(details);
        // Keep the latest notes in the phase row so a mode switch after cancellation can hand them over.
        const now = Date.now();
        if (now - lastSaved > 1_000) {
          lastSaved = now;
          void savePhaseEvidence(db, args.workItemKey, args.phase.id, { attempt: args.attempt, ...details }).catch(() => undefined);
        }
      };
      const result = await permanentOnUserError(() => deps.agent.executePhase(args, heartbeat, ctx.cancellationSignal));
      await savePhaseEvidence(db, args.workItemKey, args.phase.id, { attempt: args.attempt, done: result.done, evidence: result.evidence, next: [] });
      if (args.round > 0 && deps.experience) {
        // A fix round that only had to regenerate code means the generation step was forgotten before the push.
        for (const step of forgottenSteps(result.evidence)) {
          await deps.experience.recordForgottenStep({
            step,
            workItemKey: args.workItemKey,
            phaseId: args.phase.id,
            runId: `${args.attempt}:${args.round}`,
            detail: `CI failed on ${args.workItemKey} phase ${args.phase.id} until \`${step}\` regenerated the code`,
            files: args.phase.files,
          });
        }
      }
      return result;
    },

    async phaseProgressNotes(args: { workItemKey: string; phaseId: string; attempt: number }): Promise<ProgressNotes> {
      const notes = (await phaseEvidence(db, args.workItemKey, args.phaseId)) as (ProgressNotes & { attempt?: number }) | null | undefined;
      if (!notes || notes.attempt !== args.attempt) return { done: [], evidence: [], next: [] };
      return { done: notes.done ?? [], evidence: notes.evidence ?? [], next: notes.next ?? [] };
    },

    async diagnoseCi(args: Parameters<AgentPort['diagnoseCi']>[0]) {
      return deps.agent.diagnoseCi(args);
    },

    async reviewPairMessage(args: Parameters<AgentPort['reviewPairMessage']>[0]) {
      return deps.agent.reviewPairMessage(args);
    },

    async savePairSummary(args: Parameters<MemoryPort['savePairSummary']>[0]) {
      await permanentOnUserError(() => deps.memory.savePairSummary(args));
    },

    async proposeKnowledge(args: { workItemKey: string; ownerId: string }): Promise<void> {
      // RH-A's own proposal step reads what the phases did; its lessons join the draft the owner is offered.
      let lessons: string[] = [];
      try {
        lessons = deps.agent.proposeKnowledge ? await deps.agent.proposeKnowledge(args) : [];
      } catch (err) {
        // The owner is still offered the draft from the work item's own record; the agent's lessons are extra.
        deps.logger.warn(
          { workItem: args.workItemKey, err: (err as Error).message },
          "the agent's knowledge proposal step failed; offering the draft without its lessons",
        );
      }
      const proposal = await permanentOnUserError(() => deps.memory.proposeKnowledge({ ...args, ...(lessons.length ? { agentNotes: lessons } : {}) }));
      if (proposal)
        await enqueueNotification(db, {
          dedupeKey: `knowledge-proposal:${proposal.proposalId}`,
          developerId: args.ownerId,
          urgency: 'decision',
          payload: proposal,
        });
    },

    /** The scheduled staleness scan: approved entries that lost references are proposed for retirement. */
    async scanKnowledgeStaleness(): Promise<{
      checked: number;
      stale: string[];
      proposed: Array<{ patternId: string; proposalId: number; missing: string[] }>;
    }> {
      if (!deps.experience) return { checked: 0, stale: [], proposed: [] };
      return deps.experience.scanStaleness();
    },

    /** Fetches the target's default branch and checks the domain model against it; nothing is posted here. */
    async checkModelDrift(): Promise<ModelDriftReport> {
      if (!deps.modelDrift) throw failure('UserError', 'this worker has no target checkout to check the domain model against');
      return deps.modelDrift.check();
    },

    /** Imports Sippy's per-test history; a failure is recorded by the importer before it is thrown. */
    async importCiHistory(): Promise<{ ok: boolean; release?: string; tests: number }> {
      if (!deps.ciHistory) return { ok: false, tests: 0 };
      try {
        return await deps.ciHistory.import();
      } catch (err) {
        // An answer that is not Sippy's report will not change on retry; outages and 429s are retried.
        if (err instanceof SippyResponseInvalid) throw failure('UserError', err.message);
        if (err instanceof SippyRateLimited)
          throw ApplicationFailure.create({ message: err.message, type: 'SippyRateLimited', nextRetryDelay: err.retryAfterMs });
        throw err;
      }
    },

    /** Records Jira bugs linked to recently merged work items; Jira's errors arrive catalogued. */
    async recordFollowUpBugs(): Promise<{ merges: number; recorded: Array<{ prUrl: string; bug: string }> }> {
      if (!deps.followUpBugs) return { merges: 0, recorded: [] };
      return deps.followUpBugs();
    },

    /** A question asked in Slack, answered here on the worker, within the asker's daily question budget. */
    async answerQuestion(args: AnswerQuestionArgs): Promise<QuestionAnswer> {
      if (!deps.questions) throw failure('UserError', 'this worker has no agent to answer questions');
      // The heartbeat carries a short status ("is reading capi.go…"); the asker's Slack status line reads it back.
      const ctx = Context.current();
      return answerQuestion({ ...deps.questions, db, config: deps.config }, args, (detail) => {
        const status = describeProgress(detail);
        if (status) ctx.heartbeat(status);
      });
    },

    async assembleBriefing(args: { developerId: string; at: string }) {
      return permanentOnUserError(() => deps.memory.briefing(args));
    },

    async preparePrReady(args: { workItemKey: string; phaseId: string; prUrl: string; files: string[]; evidence: string[]; ci: CiWatchState }) {
      return permanentOnUserError(() => deps.insight.prReady(args));
    },

    async pollCi(args: { prUrl: string; seenRunIds: string[] }): Promise<CiRunReport[]> {
      return deps.ci.poll(args.prUrl, args.seenRunIds);
    },

    async retriggerCi(args: { prUrl: string; job: string; idempotencyKey: string }): Promise<void> {
      await deps.ci.retrigger(args.prUrl, args.job, args.idempotencyKey);
    },

    async classifyCiFailures(args: { prUrl: string; report: CiRunReport; failures: CiTestResult[]; requiredJobs?: string[]; retestsOnHead?: number }) {
      // Retester's own retests of this HEAD (from the PR's comments), so the two bots never stack; only for a
      // watch that counts its retests per HEAD (decisions on Prow's terms).
      const retester = args.retestsOnHead !== undefined ? await deps.ci.retesterActivity?.(args.prUrl, args.report.commit) : undefined;
      const classified = await deps.ciKnowledge.classify({ ...args, ...(retester ? { retester } : {}) });
      for (const f of classified.filter((c) => c.decision?.action === 'leave-to-retester'))
        deps.logger.info(
          { prUrl: args.prUrl, job: f.job, test: f.test, head: args.report.commit },
          'Retester already retested this base+HEAD: no retest of ours',
        );
      return classified;
    },

    async recordCiRun(args: { workItemKey: string; phaseId: string; prUrl: string; report: CiRunReport }): Promise<void> {
      await deps.ciKnowledge.recordRun(args);
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;

/** Steps a fix round shows were forgotten: the agent notes "CI failed on stale generated code: `make api` …". */
export function forgottenSteps(evidence: readonly string[]): string[] {
  return [...new Set(evidence.flatMap((line) => [...line.matchAll(/stale generated code:\s*`([^`]+)`/g)].map((m) => m[1]!)))];
}
