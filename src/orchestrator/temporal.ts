// The Orchestrator port over Temporal: surfaces send decisions as workflow updates whose id is the
// surface's idempotency key, so a double tap, a Slack retry or a replay applies once.
import { WorkflowUpdateFailedError, WorkflowNotFoundError, WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  approvePhaseUpdate,
  approvePlanUpdate,
  ciResultSignal,
  cancelUpdate,
  ciOptionUpdate,
  budgetUpdate,
  editPlanUpdate,
  retryDraftUpdate,
  pairMessageSignal,
  pauseUpdate,
  rejectPhaseUpdate,
  rejectPlanUpdate,
  resumeUpdate,
  setModeUpdate,
  workItemStateQuery,
  type CiOption,
} from '../../workflows/definitions.js';
import { askWorkflowId, githubEventWorkflowId, pairSessionWorkflowId, phaseWorkflowId, workItemWorkflowId } from '../../workflows/ids.js';
import type { AskInput, AskResult } from '../../workflows/ask.js';
import type { DecisionOutcome } from '../contracts/decisions.js';
import type { WorkItemSnapshot } from '../contracts/work-item.js';
import type { CiRunReport } from '../contracts/ci.js';
import type { GitHubEventHandling } from '../contracts/github-events.js';
import type { Plan } from '../plan/schema.js';
import type { CiResultsDelivery, DecisionRequest, Orchestrator, PhaseAccount, Situation, WorkItemDetail, WorkItemView } from './port.js';
import { RefusedDecision } from '../contracts/failures.js';
import { revertedPullUrl } from '../confidence/revert.js';

export interface TemporalOrchestratorDeps {
  client: Client;
  taskQueue: string;
  /** Work items a developer owns or may decide on (from the store). */
  workItemKeysFor(developerId: string): Promise<string[]>;
  recentCi(developerId: string): Promise<Situation['recentCi']>;
  recentKnowledge(developerId: string): Promise<Situation['recentKnowledge']>;
  pairInactivityMs?: number;
  /** The ticket behind a work item key (Jira summary and description), when an issue tracker is configured. */
  describeWorkItem?(key: string): Promise<{ title: string; description: string } | undefined>;
  /** "Ready to merge?" on an approved phase PR: a comment asking Prow, not a workflow step. */
  readyToMerge?(request: DecisionRequest): Promise<DecisionOutcome>;
  /** yes / edit first / no on a knowledge proposal: handled by the knowledge store, not a workflow. */
  knowledgeDecision?(request: DecisionRequest): Promise<DecisionOutcome>;
  /**
   * What the store kept of a phase's run (the agent's progress notes and evidence) and the audit lines of its
   * decisions, for the account that opens a pair thread. Optional: without it the account has the plan only.
   */
  phaseRecord?(workItemKey: string, phaseId: string): Promise<{ done: string[]; evidence: string[]; decisions: string[] }>;
  /** The phase whose PR this is (from the store), for CI results pushed by PR URL. */
  phaseForPr?(prUrl: string): Promise<{ workItemKey: string; phaseId: string } | undefined>;
  /**
   * The finished CI runs of the PRs whose head is this commit (the CI port's reading, JUnit included), for a
   * status or check run delivered by GitHub's webhook. Optional: without it such deliveries are ignored.
   */
  ciReportsForCommit?(sha: string, pullNumbers: number[]): Promise<Array<{ prUrl: string; reports: CiRunReport[] }>>;
}

export function createTemporalOrchestrator(deps: TemporalOrchestratorDeps): Orchestrator {
  const { client } = deps;

  async function sendDecision(request: DecisionRequest): Promise<DecisionOutcome> {
    if (request.kind === 'knowledge-proposal') {
      if (!deps.knowledgeDecision) throw new RefusedDecision('knowledge proposals are not handled here');
      return deps.knowledgeDecision(request);
    }
    if (request.kind === 'ready-to-merge') {
      if (!deps.readyToMerge) throw new RefusedDecision('merging is asked of the code host in GitHub mode only');
      return deps.readyToMerge(request);
    }
    const handle = client.workflow.getHandle(workItemWorkflowId(request.workItemKey));
    const actor = { actor: request.actor, surface: request.surface };
    const options = { updateId: request.idempotencyKey } as const;
    switch (request.kind) {
      case 'approve-plan':
        return handle.executeUpdate(approvePlanUpdate, { ...options, args: [actor] });
      case 'approve-phase':
        return handle.executeUpdate(approvePhaseUpdate, {
          ...options,
          args: [{ ...actor, phaseId: request.phaseId ?? '', ...(request.mode ? { mode: request.mode } : {}) }],
        });
      case 'reject-phase':
        if (!request.phaseId) return handle.executeUpdate(rejectPlanUpdate, { ...options, args: [{ ...actor, reason: request.reason ?? '' }] });
        return handle.executeUpdate(rejectPhaseUpdate, { ...options, args: [{ ...actor, phaseId: request.phaseId ?? '', reason: request.reason ?? '' }] });
      case 'set-mode':
        return handle.executeUpdate(setModeUpdate, {
          ...options,
          args: [
            {
              ...actor,
              phaseId: request.phaseId ?? '',
              mode: request.mode ?? 'approval-required',
              ...(request.notes ? { notes: request.notes } : {}),
              ...(request.thread ? { thread: request.thread } : {}),
            },
          ],
        });
      case 'edit-plan':
        if (!request.plan) throw new RefusedDecision('a plan edit carries the edited plan');
        return handle.executeUpdate(editPlanUpdate, { ...options, args: [{ ...actor, plan: request.plan, note: request.reason ?? '' }] });
      case 'retry-draft':
        return handle.executeUpdate(retryDraftUpdate, { ...options, args: [actor] });
      case 'ci-option':
        return handle.executeUpdate(ciOptionUpdate, {
          ...options,
          args: [{ ...actor, phaseId: request.phaseId ?? '', option: (request.value ?? '') as CiOption }],
        });
      case 'budget':
        return handle.executeUpdate(budgetUpdate, { ...options, args: [{ ...actor, phaseId: request.phaseId ?? '', approve: request.value === 'continue' }] });
      case 'pause':
        return handle.executeUpdate(pauseUpdate, { ...options, args: [actor] });
      case 'resume':
        return handle.executeUpdate(resumeUpdate, { ...options, args: [actor] });
      case 'cancel':
        return handle.executeUpdate(cancelUpdate, { ...options, args: [{ ...actor, ...(request.reason ? { reason: request.reason } : {}) }] });
      default:
        throw new RefusedDecision(`"${request.kind}" decisions are not handled by the work item workflow`);
    }
  }

  async function snapshot(key: string): Promise<WorkItemSnapshot | undefined> {
    try {
      return await client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async function view(key: string): Promise<WorkItemView | undefined> {
    const state = await snapshot(key);
    return state ? toView(state) : undefined;
  }

  async function phaseAccount(workItemKey: string, phaseId: string): Promise<PhaseAccount> {
    const state = await snapshot(workItemKey);
    if (!state) throw new RefusedDecision(`no active work item ${workItemKey}`);
    const phase = state.phases.find((p) => p.id === phaseId);
    if (!phase) throw new RefusedDecision(`${workItemKey} has no phase "${phaseId}"`);
    const planned = (id: string) => state.plan?.phases.find((p) => p.id === id);
    // Phases the agent ran before this one: autonomous or approved, and started.
    const ranByAgent = state.phases.filter((p) => p.mergeOrder < phase.mergeOrder && p.mode !== 'collaborative' && p.attempts > 0);
    const earlier = await Promise.all(
      ranByAgent.map(async (p) => {
        const record = (await deps.phaseRecord?.(workItemKey, p.id)) ?? { done: [], evidence: [], decisions: [] };
        const written = record.evidence.filter((e) => e.startsWith('wrote ')).map((e) => e.slice('wrote '.length));
        return {
          phaseId: p.id,
          title: p.title,
          mode: p.mode,
          status: p.status,
          ...(p.prUrl ? { prUrl: p.prUrl } : {}),
          files: written.length ? written : (planned(p.id)?.files ?? []),
          done: record.done,
          evidence: record.evidence.filter((e) => !e.startsWith('wrote ')),
          decisions: record.decisions,
        };
      }),
    );
    const left = state.phases
      .filter((p) => p.id === phaseId || (p.mergeOrder > phase.mergeOrder && p.status !== 'merged' && p.status !== 'skipped'))
      .map((p) => ({
        phaseId: p.id,
        title: p.title,
        mode: p.mode,
        status: p.status,
        files: planned(p.id)?.files ?? [],
        constraints: planned(p.id)?.constraints ?? [],
        validation: (planned(p.id)?.validation ?? []).map((v) => v.command),
      }));
    return { workItemKey, phaseId, title: phase.title, earlier, left };
  }

  async function deliverCiResults(prUrl: string, report: CiRunReport): Promise<CiResultsDelivery> {
    if (!deps.phaseForPr) throw new Error('CI results by PR URL need the store: phaseForPr is not configured');
    const phase = await deps.phaseForPr(prUrl);
    if (!phase) return { outcome: 'unknown-pr' };
    const state = await client.workflow.getHandle(workItemWorkflowId(phase.workItemKey)).query(workItemStateQuery);
    const watchId = state.phases.find((p) => p.id === phase.phaseId)?.ciWatchId;
    if (!watchId) return { outcome: 'not-watching' };
    await client.workflow.getHandle(watchId).signal(ciResultSignal, report);
    return { outcome: 'accepted', watchId };
  }

  return {
    async decide(request) {
      try {
        const outcome = await sendDecision(request);
        return outcome;
      } catch (err) {
        if (err instanceof RefusedDecision) return { outcome: 'refused', reason: err.message };
        // A validator's rejection: the update never entered history. Tell the person why.
        if (err instanceof WorkflowUpdateFailedError) return { outcome: 'refused', reason: causeMessage(err) };
        if (err instanceof WorkflowNotFoundError) return { outcome: 'refused', reason: `no active work item ${request.workItemKey}` };
        throw err;
      }
    },

    async situation(developerId): Promise<Situation> {
      const keys = await deps.workItemKeysFor(developerId);
      const views = (await Promise.all(keys.map(view))).filter((v): v is WorkItemView => !!v);
      return {
        developerId,
        workItems: views,
        pendingDecisions: views.flatMap((v) => v.pendingDecisions.map((d) => ({ workItemKey: v.key, ...d }))),
        recentCi: await deps.recentCi(developerId),
        recentKnowledge: await deps.recentKnowledge(developerId),
      };
    },

    async ask(developerId, question, { idempotencyKey, onProgress }) {
      // The worker answers (budgeted, usage recorded); a second delivery of the same event waits for that answer.
      const workflowId = askWorkflowId(developerId, idempotencyKey);
      const input: AskInput = { developerId, question };
      try {
        await client.workflow.start('askWorkflow', { taskQueue: deps.taskQueue, workflowId, args: [input] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const handle = client.workflow.getHandle<(input: AskInput) => Promise<AskResult>>(workflowId);
      const watching = onProgress ? watchAskProgress(handle, onProgress) : undefined;
      try {
        const answer = await handle.result();
        return { text: answer.text, citations: answer.citations };
      } finally {
        watching?.stop();
      }
    },

    async workItem(key): Promise<WorkItemDetail | undefined> {
      const state = await snapshot(key);
      return state ? { ...toView(state), ...(state.plan ? { plan: state.plan } : {}) } : undefined;
    },

    phaseAccount,

    async requestPlan(developerId, workItemKey, intention, options) {
      const ticket = options?.title ? undefined : await deps.describeWorkItem?.(workItemKey);
      const title = options?.title ?? ticket?.title ?? intention.slice(0, 120);
      // The developer's words lead; the ticket's description gives RH-A the context behind them.
      const fullIntention = ticket?.description ? `${intention}\n\nFrom ${workItemKey}: ${ticket.description.slice(0, 4_000)}` : intention;
      try {
        await client.workflow.start('workItemWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: workItemWorkflowId(workItemKey),
          args: [{ key: workItemKey, ownerId: developerId, title, intention: fullIntention }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const state = await client.workflow.getHandle(workItemWorkflowId(workItemKey)).query(workItemStateQuery);
      return { workItemKey, planVersion: state.planVersion };
    },

    async startPair(args) {
      const sessionId = pairSessionWorkflowId(args.channel, args.threadTs);
      const state = await client.workflow.getHandle(workItemWorkflowId(args.workItemKey)).query(workItemStateQuery);
      const phase = state.phases.find((p) => p.id === args.phaseId);
      if (!phase) throw new RefusedDecision(`${args.workItemKey} has no phase "${args.phaseId}"; phases: ${state.phases.map((p) => p.id).join(', ')}`);
      try {
        await client.workflow.start('pairSessionWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: sessionId,
          args: [
            {
              sessionId,
              developerId: args.developerId,
              workItemKey: args.workItemKey,
              phaseId: args.phaseId,
              channel: args.channel,
              threadTs: args.threadTs,
              ...(phase.attempts > 0 ? { phaseWorkflowId: phaseWorkflowId(args.workItemKey, phase.id, phase.attempts) } : {}),
              inactivityMs: deps.pairInactivityMs ?? 2 * 3_600_000,
            },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return { sessionId };
    },

    async pairMessage(args) {
      try {
        await client.workflow
          .getHandle(pairSessionWorkflowId(args.channel, args.threadTs))
          .signal(pairMessageSignal, { developerId: args.developerId, text: args.text, messageTs: args.messageTs });
        return { accepted: true };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { accepted: false };
        throw err;
      }
    },

    deliverCiResults,

    async githubEvent(event): Promise<GitHubEventHandling> {
      if (event.kind === 'ci') {
        if (!deps.ciReportsForCommit) return { outcome: 'ignored', reason: 'CI results are polled here' };
        if (event.state === 'pending') return { outcome: 'ignored', reason: `${event.context} is pending` };
        let delivered = 0;
        for (const { prUrl, reports } of await deps.ciReportsForCommit(event.sha, event.pullNumbers)) {
          for (const report of reports) if ((await deliverCiResults(prUrl, report)).outcome === 'accepted') delivered++;
        }
        return delivered > 0 ? { outcome: 'accepted', delivered } : { outcome: 'ignored', reason: `no CI watch for commit ${event.sha.slice(0, 12)}` };
      }
      // Only phase PRs, and merged reverts of them, are RH-O's business; the rest of the repository's traffic is not.
      const phase = await deps.phaseForPr?.(event.url);
      const revert = event.kind === 'pull-request' && event.action === 'closed' && event.merged ? revertedPullUrl(event) : undefined;
      const reverted = revert ? await deps.phaseForPr?.(revert) : undefined;
      if (!phase && !reverted) return { outcome: 'ignored', reason: `${event.url} is not a phase PR` };
      const workflowId = githubEventWorkflowId(event.deliveryId);
      try {
        await client.workflow.start('githubEventWorkflow', { taskQueue: deps.taskQueue, workflowId, args: [event] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return { outcome: 'accepted', workflowId };
    },

    async briefingNow(developerId) {
      await client.workflow.execute('morningBriefingWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: `briefing-now:${developerId}:${new Date().toISOString().slice(0, 16)}`,
        args: [{ developerId }],
      });
    },
  };
}

function causeMessage(err: WorkflowUpdateFailedError): string {
  let cause: unknown = err.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : err.message;
}

export function toView(state: WorkItemSnapshot): WorkItemView {
  const pending: WorkItemView['pendingDecisions'] = [];
  if (state.status === 'awaiting-plan-approval')
    pending.push({ kind: 'approve-plan', title: `Approve plan v${state.planVersion}`, since: state.planEdits.at(-1)?.at ?? '' });
  if (state.draftFailure)
    pending.push({ kind: 'retry-draft', title: `The plan draft failed: ${state.draftFailure.reason.slice(0, 200)}`, since: state.draftFailure.at });
  for (const p of state.phases) {
    if (p.status === 'awaiting-approval' || p.status === 'rejected')
      pending.push({ kind: 'approve-phase', phaseId: p.id, title: `Phase ${p.id}: ${p.title}`, since: p.gateOpenedAt ?? '' });
    if (p.awaitingCiDecision) pending.push({ kind: 'ci-option', phaseId: p.id, title: `CI failure on phase ${p.id}`, since: '' });
  }
  return {
    key: state.key,
    title: state.title,
    ownerId: state.ownerId,
    status: state.status,
    ...(state.statusBeforePause ? { statusBeforePause: state.statusBeforePause } : {}),
    planVersion: state.planVersion,
    ...(state.draftFailure ? { draftFailure: { reason: state.draftFailure.reason, attempts: state.draftFailure.attempts } } : {}),
    phases: state.phases.map((p) => ({
      id: p.id,
      title: p.title,
      mode: p.mode,
      status: p.status,
      ...(p.prUrl ? { prUrl: p.prUrl } : {}),
      dependsOn: p.dependsOn,
      mergeOrder: p.mergeOrder,
    })),
    pendingDecisions: pending,
  };
}

export type { Plan };

/** How often the asker's status line is refreshed from the answering activity's last heartbeat. */
const askProgressEveryMs = 1_000;

/**
 * Follows the answer step on the worker: the activity heartbeats a short status ("is reading capi.go…"),
 * and the server reports the latest one among the workflow's pending activities.
 */
function watchAskProgress(handle: WorkflowHandle, onProgress: (status: string) => void): { stop(): void } {
  let stopped = false;
  let last = '';
  const poll = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, askProgressEveryMs));
      if (stopped) return;
      const description = await handle.describe().catch(() => undefined);
      const payload = description?.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const status = payload ? defaultPayloadConverter.fromPayload<unknown>(payload as Payload) : undefined;
      if (typeof status === 'string' && status !== last && !stopped) {
        last = status;
        onProgress(status);
      }
    }
  };
  void poll();
  return {
    stop() {
      stopped = true;
    },
  };
}
