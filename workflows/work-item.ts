// workItemWorkflow (id: "work-item:<KEY>"): design → plan → phases, for days. It is the single authority
// on gates: every human decision arrives as an update whose validator rejects unknown phases, out-of-order
// approvals and people who may not decide — a rejected update never enters history. Phases whose
// dependencies are merged run in parallel as child workflows; merges land in the declared order.
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
  allHandlersFinished,
  ParentClosePolicy,
  patched,
  proxySinks,
  sleep,
} from '@temporalio/workflow';
import type { Activities, DecisionCommit } from '../src/activities/index.js';
import type { ExecutionMode } from '../src/config/schema.js';
import { Plan } from '../src/plan/schema.js';
import {
  allPhasesFinished,
  initialPhases,
  mayDecide,
  nextMergeable,
  phaseGateProblem,
  phasesReadyToOpen,
  snapshotOf,
  type PhaseState,
  type WorkItemState,
} from '../src/plan/state.js';
import {
  approvePhaseUpdate,
  approvePlanUpdate,
  cancelUpdate,
  ciDecisionSignal,
  ciOptionUpdate,
  budgetUpdate,
  budgetDecisionSignal,
  editPlanUpdate,
  pauseUpdate,
  phaseModeSignal,
  phaseProgressSignal,
  rejectPhaseUpdate,
  rejectPlanUpdate,
  resumeUpdate,
  setModeUpdate,
  workItemStateQuery,
  type Actor,
  type DecisionOutcome,
  type DecisionSinks,
} from './definitions.js';
import { phaseWorkflow } from './phase.js';
import { escalateGate, gateDeadlines, gateStillOpen, gateWatch, promptGate, remindGate, type GateDeadlines } from './gate-watch.js';
import type { PhaseInput, PhaseProgress } from './types.js';
import { phaseWorkflowId } from './ids.js';

export interface WorkItemInput {
  key: string;
  ownerId: string;
  title: string;
  intention: string;
  /** A plan supplied up front (CLI, tests); otherwise RH-A drafts one. */
  plan?: Plan;
  /** Carried across continue-as-new. */
  continued?: WorkItemState;
  /** History length after which the workflow continues as new (tests lower it). */
  historyEventBudget?: number;
  /** How long a phase step may go without a heartbeat before it is retried elsewhere (tests lower it). */
  phaseHeartbeatTimeoutMs?: number;
  /** How often a ready PR that the repository has not merged yet is checked again (tests lower it). */
  mergeRecheckMs?: number;
  /** How long a decision waits at most for its durable confirmation (tests lower it). */
  decisionConfirmMs?: number;
}


const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['UserError'] },
});
// Histories from before the decision sink wrote decisions with a local activity (an extra activation per decision).
const commit = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});
const agent = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

// Temporal's own history limit is 50k events; continue well before it so a long-lived plan stays fast to replay.
const defaultHistoryEventBudget = 10_000;
const maxSeenUpdateIds = 5_000;
const defaultMergeRecheckMs = 5 * 60_000;
const { decisions: decisionSink } = proxySinks<DecisionSinks>();
/** A waiting decision is confirmed durably within this long, or sooner once this many are waiting. */
const defaultDecisionConfirmMs = 10_000;
const decisionConfirmBatch = 100;
/** The newest plan edits kept in workflow state; the full trail is in the audit log. */
const maxPlanEdits = 50;

export async function workItemWorkflow(input: WorkItemInput): Promise<WorkItemState> {
  const self = workflowInfo().workflowId;
  const state: WorkItemState = input.continued ?? {
    key: input.key,
    ownerId: input.ownerId,
    title: input.title,
    intention: input.intention,
    status: 'planning',
    planVersion: 0,
    planEdits: [],
    phases: [],
    seenUpdateIds: [],
    // Filled from team.yaml and the owner's role file once the plan's files are known.
    settings: { modes: {} as WorkItemState['settings']['modes'], approvers: [], phaseApprovers: {}, reminderAfterMs: 4 * 3_600_000, escalateAfterMs: 24 * 3_600_000 },
  };
  /** Workflow id of the current attempt of each phase; phases report back by signal, so they survive continue-as-new. */
  const children = new Map<string, string>(Object.entries(input.continued ? continuedChildren(input.continued) : {}));
  /** Phases approved (or autonomous) whose next attempt has not been started yet. */
  const needsStart = new Set<string>(input.continued ? input.continued.phases.filter((p) => p.status === 'running' && !children.has(p.id)).map((p) => p.id) : []);
  let sessionOverrides: Record<string, ExecutionMode> = {};

  const phase = (id: string): PhaseState => {
    const found = state.phases.find((p) => p.id === id);
    if (!found) throw ApplicationFailure.nonRetryable(`unknown phase ${id}`, 'UnknownPhase');
    return found;
  };
  const requireMayDecide = (args: Actor, phaseId?: string) => {
    if (!mayDecide(state, args.actor, phaseId)) {
      throw new Error(`${args.actor} may not decide for ${state.key}${phaseId ? ` phase ${phaseId}` : ''}: only the owner (${state.ownerId}), the team approvers or OWNERS approvers of the phase's files can`);
    }
  };
  const requireOpen = () => {
    if (state.status === 'resolved' || state.status === 'cancelled') throw new Error(`${state.key} is ${state.status}`);
  };
  const rememberUpdate = (): boolean => {
    const id = currentUpdateInfo()?.id;
    if (!id) return true;
    if (state.seenUpdateIds.includes(id)) return false;
    state.seenUpdateIds.push(id);
    if (state.seenUpdateIds.length > maxSeenUpdateIds) state.seenUpdateIds.splice(0, state.seenUpdateIds.length - maxSeenUpdateIds);
    return true;
  };
  /** Applies a decision once per update id, then writes the audit row before the update completes. */
  const decide = async (
    args: Actor,
    kind: string,
    phaseId: string | undefined,
    detail: Record<string, unknown>,
    apply: () => string,
    options: { savePlan?: boolean } = {},
  ): Promise<DecisionOutcome> => {
    const decidedAt = new Date().toISOString();
    if (!rememberUpdate()) return { outcome: 'duplicate', summary: 'already applied', decidedBy: args.actor, decidedAt };
    const summary = apply();
    const idempotencyKey = currentUpdateInfo()?.id ?? `${self}:${kind}:${phaseId ?? ''}:${decidedAt}`;
    const decision = { idempotencyKey, workItemKey: state.key, phaseId: phaseId ?? null, kind, actor: args.actor, surface: args.surface, detail: { ...detail, summary } };
    const rest: Omit<DecisionCommit, 'decision'> = {
      notification: {
        dedupeKey: `decided:${idempotencyKey}`,
        developerId: state.ownerId,
        urgency: 'info',
        payload: { kind: 'decision-recorded', workItemKey: state.key, ...(phaseId ? { phaseId } : {}), text: `${args.actor} ${summary}` },
      },
      ...(options.savePlan && state.plan ? { plan: planVersionOf(state.plan) } : {}),
    };
    if (decisionsBySink) {
      const decided: DecisionCommit = { decision: { ...decision, decidedAt }, ...rest };
      // Committed by the worker before this workflow task completes; confirmed durably by confirmDecisions.
      decisionSink.commit(decided);
      confirmDurably(decided);
    } else {
      await commit.commitDecision({ decision, ...rest });
    }
    return { outcome: 'applied', summary, decidedBy: args.actor, decidedAt };
  };

  /**
   * The sink is the fast path and is not retried: if the database was down it stored nothing. So each decision
   * stays in the workflow's state until a regular activity (retried by Temporal) has seen it stored. Only the
   * main line runs that activity, whenever it wakes with decisions waiting; the first waiting decision starts
   * a timer that wakes it, and a full batch wakes it at once. The timer only sets a flag: nothing it does
   * decides the order of commands, because a replay may deliver it in a different task than the live run did
   * (seen after a worker was killed). Only the newest plan is kept with the waiting decisions: an older plan
   * version would be skipped as outdated anyway.
   */
  function confirmDurably(decided: DecisionCommit) {
    if (decided.plan) for (const earlier of unconfirmed) delete earlier.plan;
    unconfirmed.push(decided);
    if (unconfirmed.length >= decisionConfirmBatch) confirmDue = true;
    if (!confirmTimerRunning) {
      confirmTimerRunning = true;
      void sleep(input.decisionConfirmMs ?? defaultDecisionConfirmMs).then(() => {
        confirmTimerRunning = false;
        confirmDue = true;
      });
    }
  }
  /** Main line only, at each wake: confirms every waiting decision. */
  async function confirmWaitingDecisions(): Promise<void> {
    confirmDue = false;
    while (unconfirmed.length > 0) {
      const batch = unconfirmed.slice(0, decisionConfirmBatch);
      await store.confirmDecisions({ commits: batch });
      for (const done of batch) {
        const at = unconfirmed.indexOf(done);
        if (at >= 0) unconfirmed.splice(at, 1);
      }
    }
  }

  // Decisions are stored by the worker's sink before the update completes (patched: histories from before it
  // ran a local activity per decision, one more activation each).
  const decisionsBySink = patched('decisions-by-sink');
  const unconfirmed: DecisionCommit[] = decisionsBySink ? (state.unconfirmedDecisions ??= []) : [];
  let confirmTimerRunning = false;
  // Decisions the previous run took while it was closing are confirmed at the main line's first wait.
  let confirmDue = unconfirmed.length > 0;

  setHandler(workItemStateQuery, () => snapshotOf(state));

  setHandler(
    approvePlanUpdate,
    (args) =>
      decide(args, 'approve-plan', undefined, { planVersion: state.planVersion }, () => {
        state.status = 'executing';
        state.planApprovedBy = args.actor;
        return `approved plan v${state.planVersion}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status !== 'awaiting-plan-approval') throw new Error(`the plan of ${state.key} is not awaiting approval (status: ${state.status})`);
        if (args.planVersion !== undefined && args.planVersion !== state.planVersion) {
          throw new Error(`plan v${args.planVersion} is outdated; the current plan is v${state.planVersion}`);
        }
      },
    },
  );

  let planFeedback: string[] = [];
  let redraftRequested = false;
  setHandler(
    rejectPlanUpdate,
    (args) =>
      decide(args, 'reject-plan', undefined, { reason: args.reason, planVersion: state.planVersion }, () => {
        planFeedback = [...planFeedback, `${args.actor}: ${args.reason}`];
        redraftRequested = true;
        return `rejected plan v${state.planVersion}: ${args.reason}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status !== 'awaiting-plan-approval') throw new Error('only a plan awaiting approval can be rejected');
        if (!args.reason || args.reason.trim().length < 3) throw new Error('a rejection needs a reason (what should change)');
      },
    },
  );

  setHandler(
    editPlanUpdate,
    (args) =>
      decide(args, 'edit-plan', undefined, { note: args.note }, () => {
        state.plan = Plan.parse(args.plan);
        state.planVersion += 1;
        state.planEdits.push({ version: state.planVersion, by: args.actor, at: new Date().toISOString(), note: args.note });
        if (state.planEdits.length > maxPlanEdits) state.planEdits.splice(0, state.planEdits.length - maxPlanEdits);
        state.phases = initialPhases(state.plan, state.settings, sessionOverrides);
        return `edited the plan (v${state.planVersion}): ${args.note}`;
      }, { savePlan: true }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status !== 'awaiting-plan-approval') throw new Error('a plan can be edited only before it is approved');
        const parsed = Plan.safeParse(args.plan);
        if (!parsed.success) throw new Error(`invalid plan: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        if (parsed.data.workItemKey !== state.key) throw new Error(`the plan is for ${parsed.data.workItemKey}, not ${state.key}`);
      },
    },
  );

  setHandler(
    approvePhaseUpdate,
    (args) =>
      decide(args, 'approve-phase', args.phaseId, { mode: args.mode ?? null }, () => {
        const p = phase(args.phaseId);
        if (args.mode && args.mode !== p.mode) {
          p.mode = args.mode;
          p.modeSource = 'session';
          sessionOverrides = { ...sessionOverrides, [p.id]: args.mode };
        }
        p.approvedBy = args.actor;
        p.status = 'running';
        needsStart.add(p.id);
        return `approved phase ${p.id}${args.mode ? ` (${args.mode})` : ''}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        const problem = phaseGateProblem(state, args.phaseId, 'approve');
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    rejectPhaseUpdate,
    (args) =>
      decide(args, 'reject-phase', args.phaseId, { reason: args.reason }, () => {
        const p = phase(args.phaseId);
        p.rejections.push({ by: args.actor, reason: args.reason, at: new Date().toISOString() });
        // A rejected result (PR already open) is abandoned; the next approval runs a new attempt with the reason as feedback.
        p.status = 'rejected';
        p.gateOpenedAt = new Date().toISOString();
        abandonAttempt(p.id);
        return `rejected phase ${p.id}: ${args.reason}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        if (!args.reason || args.reason.trim().length < 3) throw new Error('a rejection needs a reason (what should change)');
        const problem = phaseGateProblem(state, args.phaseId, 'reject');
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    setModeUpdate,
    async (args) => {
      const p = phase(args.phaseId);
      const from = p.mode;
      const outcome = await decide(args, 'set-mode', args.phaseId, { from, to: args.mode }, () => {
        p.mode = args.mode;
        p.modeSource = 'session';
        sessionOverrides = { ...sessionOverrides, [p.id]: args.mode };
        return `switched phase ${p.id} from ${from} to ${args.mode}`;
      });
      const child = children.get(p.id);
      if (outcome.outcome === 'applied' && child && (p.status === 'running' || p.status === 'pairing')) {
        await getExternalWorkflowHandle(child).signal(phaseModeSignal, { mode: args.mode, actor: args.actor });
      }
      return outcome;
    },
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        const p = state.phases.find((x) => x.id === args.phaseId);
        if (!p) throw new Error(`unknown phase "${args.phaseId}"`);
        if (p.mode === args.mode) throw new Error(`phase ${p.id} already runs ${args.mode}`);
        if (p.status === 'merged' || p.status === 'skipped') throw new Error(`phase ${p.id} is ${p.status}`);
      },
    },
  );

  setHandler(
    ciOptionUpdate,
    async (args) => {
      const outcome = await decide(args, 'ci-option', args.phaseId, { option: args.option }, () => {
        phase(args.phaseId).awaitingCiDecision = false;
        return `chose "${args.option}" for the CI failure on phase ${args.phaseId}`;
      });
      const watchId = phase(args.phaseId).ciWatchId;
      if (outcome.outcome === 'applied' && watchId) await getExternalWorkflowHandle(watchId).signal(ciDecisionSignal, { option: args.option, actor: args.actor });
      return outcome;
    },
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        if (!['fix-and-repush', 'wait-for-me', 'skip-test'].includes(args.option)) throw new Error(`unknown CI option "${args.option}"`);
        if (!state.phases.find((p) => p.id === args.phaseId)?.awaitingCiDecision) throw new Error(`phase ${args.phaseId} has no CI failure waiting for a decision`);
      },
    },
  );

  setHandler(
    budgetUpdate,
    async (args) => {
      const outcome = await decide(args, 'budget', args.phaseId, { approve: args.approve }, () => {
        phase(args.phaseId).awaitingBudget = false;
        return args.approve ? `allowed the agent to spend more on phase ${args.phaseId}` : `stopped the agent on phase ${args.phaseId} at its token budget`;
      });
      const child = children.get(args.phaseId);
      if (outcome.outcome === 'applied' && child) await getExternalWorkflowHandle(child).signal(budgetDecisionSignal, { approve: args.approve, actor: args.actor });
      return outcome;
    },
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        if (!state.phases.find((p) => p.id === args.phaseId)?.awaitingBudget) throw new Error(`phase ${args.phaseId} is not waiting for a budget decision`);
      },
    },
  );

  setHandler(
    pauseUpdate,
    (args) =>
      decide(args, 'pause', undefined, {}, () => {
        state.statusBeforePause = state.status;
        state.status = 'paused';
        return 'paused the work item';
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status === 'paused') throw new Error(`${state.key} is already paused`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    (args) =>
      decide(args, 'resume', undefined, {}, () => {
        state.status = state.statusBeforePause ?? 'executing';
        delete state.statusBeforePause;
        return 'resumed the work item';
      }),
    {
      validator: (args) => {
        requireMayDecide(args);
        if (state.status !== 'paused') throw new Error(`${state.key} is not paused`);
      },
    },
  );
  setHandler(
    cancelUpdate,
    (args) =>
      decide(args, 'cancel', undefined, { reason: args.reason ?? null }, () => {
        state.status = 'cancelled';
        return `cancelled the work item${args.reason ? `: ${args.reason}` : ''}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
      },
    },
  );

  setHandler(phaseProgressSignal, (progress: PhaseProgress) => {
    const p = state.phases.find((x) => x.id === progress.phaseId);
    if (!p || progress.attempt !== p.attempts) return; // a stale attempt's news
    if (p.status === 'rejected' || p.status === 'merged') return;
    p.status = progress.status;
    if (progress.prUrl) p.prUrl = progress.prUrl;
    if (progress.branch) p.branch = progress.branch;
    if (progress.ciWatchId) p.ciWatchId = progress.ciWatchId;
    if (progress.awaitingCiDecision !== undefined) p.awaitingCiDecision = progress.awaitingCiDecision;
    if (progress.awaitingBudget !== undefined) p.awaitingBudget = progress.awaitingBudget;
    if (progress.handoff) p.handoffs.push(progress.handoff);
  });

  // --- main line ---------------------------------------------------------------------------------
  if (!input.continued) {
    await store.recordWorkItem({ key: state.key, ownerId: state.ownerId, title: state.title, intention: state.intention, workflowId: self, status: state.status });
    const plan = input.plan ?? (await agent.draftPlan({ workItemKey: state.key, ownerId: state.ownerId, intention: state.intention }));
    state.plan = Plan.parse(plan);
    state.planVersion = 1;
    state.settings = await store.loadWorkItemSettings({ workItemKey: state.key, ownerId: state.ownerId, phases: state.plan.phases.map((p) => ({ id: p.id, files: p.files })) });
    state.phases = initialPhases(state.plan, state.settings);
    state.status = 'awaiting-plan-approval';
    await store.recordPlan(planVersionOf(state.plan));
    await store.notify({
      dedupeKey: `gate:${state.key}:plan:v1`,
      developerId: state.ownerId,
      urgency: 'decision',
      payload: { kind: 'gate', workItemKey: state.key, title: `Plan for ${state.key}: ${state.title}`, summary: planSummary(state) },
    });
    await store.detectOverlaps({ workItemKey: state.key, ownerId: state.ownerId, files: state.plan.phases.flatMap((p) => p.files) });
  }

  // Waits for the plan decision; a rejected plan is re-drafted by RH-A with the reasons as feedback.
  // A plan paused before approval still waits for its approval (histories from before this patch left the
  // wait on pause, so a resume went on to open the phases of a plan nobody had approved).
  const pauseKeepsPlanGate = patched('pause-keeps-plan-gate');
  const awaitingPlanApproval = () =>
    state.status === 'awaiting-plan-approval' || (pauseKeepsPlanGate && state.status === 'paused' && state.statusBeforePause === 'awaiting-plan-approval');
  for (;;) {
    await condition(() => !awaitingPlanApproval() || redraftRequested || shouldContinue() || confirmDue);
    if (unconfirmed.length > 0 || confirmDue) {
      await confirmWaitingDecisions();
      continue;
    }
    if (!redraftRequested) break;
    redraftRequested = false;
    const redrafted = Plan.parse(await agent.draftPlan({ workItemKey: state.key, ownerId: state.ownerId, intention: state.intention, feedback: planFeedback }));
    if (!awaitingPlanApproval()) break;
    state.plan = redrafted;
    state.planVersion += 1;
    state.planEdits.push({ version: state.planVersion, by: 'rh-a', at: new Date().toISOString(), note: `re-drafted after: ${planFeedback.at(-1) ?? ''}` });
    state.phases = initialPhases(state.plan, state.settings, sessionOverrides);
    await store.recordPlan(planVersionOf(state.plan));
    await store.notify({
      dedupeKey: `gate:${state.key}:plan:v${state.planVersion}`,
      developerId: state.ownerId,
      urgency: 'decision',
      payload: { kind: 'gate', workItemKey: state.key, title: `Plan v${state.planVersion} for ${state.key}: ${state.title}`, summary: planSummary(state) },
    });
  }
  if (awaitingPlanApproval()) return continueWith();
  if (state.status !== 'cancelled') await store.recordPlan(planVersionOf(state.plan!));

  // What the phase and CI-watch workflows report by signal (PR opened, CI watched, a CI failure or the token
  // budget waiting for the owner) is written to the phases table, so the dashboard and briefing read it from the
  // store. Histories from before this change wrote nothing here: the patch keeps them replayable.
  const progressInStore = patched('phase-progress-in-store');
  const recordedPhases = new Map(input.continued ? [] : state.phases.map((p) => [p.id, storedView(p)]));
  const progressPrint = () => fingerprint(state) + (progressInStore ? `|${state.phases.map(storedView).join(',')}` : '');

  const gateWatchers = new Set<string>();
  // Gate reminders and escalations run on this main line (patched: histories from before ran one coroutine per
  // gate, which a timer woke to send them, racing the main line for the order of commands in one task).
  const gatesOnMainLine = patched('gate-deadlines-on-main-line');
  const openGates = new Map<string, GateDeadlines>();
  /** Set by a deadline's timer only to wake the main line; what is due is decided from workflow time. */
  let gateDeadlinePassed = false;
  /** A ready PR that the repository has not merged yet: checked again after mergeRecheckMs. */
  let mergeWaiting = false;
  while (state.status !== 'cancelled' && !allPhasesFinished(state.phases)) {
    // Taken before this pass awaits anything: progress signalled while a merge or a store write is in flight
    // (a phase turning ready-to-merge) must wake the wait below, not become part of what it waits to change.
    const snapshot = progressPrint();
    if (state.status !== 'paused') {
      for (const p of phasesReadyToOpen(state.phases)) openPhase(p);
      watchOpenGates();
      for (const p of state.phases) {
        if (needsStart.delete(p.id) && p.status === 'running') await startPhase(p);
      }
      const mergeable = nextMergeable(state.phases);
      if (mergeable && !mergeWaiting) {
        const merged = await store.mergePhase({ workItemKey: state.key, phaseId: mergeable.id, prUrl: mergeable.prUrl ?? null, branch: mergeable.branch ?? null });
        if (merged.conflict) {
          // Another phase landed first and touched the same lines: RH-A re-applies this phase on the new main.
          mergeable.notes = [...(mergeable.notes ?? []), `Re-apply the change on top of ${merged.base}: merging ${mergeable.branch} conflicted in ${merged.conflict.join(', ')}.`];
          mergeable.status = 'running';
          needsStart.add(mergeable.id);
          await store.recordDecision({
            idempotencyKey: `merge-conflict:${state.key}:${mergeable.id}:${mergeable.attempts}`, workItemKey: state.key, phaseId: mergeable.id, kind: 'merge-conflict', actor: 'rh-o', surface: 'automatic',
            detail: { branch: mergeable.branch ?? null, files: merged.conflict },
          });
          continue;
        }
        if (!merged.merged) {
          // The repository merges on its own terms (e.g. Prow tide after lgtm/approve): look again later.
          mergeWaiting = true;
        } else {
          mergeable.status = 'merged';
          await store.recordPhase({ key: state.key, phase: mergeable });
          // Merges are part of the audit trail too (histories recorded before this was added replay without it).
          if (patched('merge-audit')) {
            await store.recordDecision({
              idempotencyKey: `merge:${state.key}:${mergeable.id}:${mergeable.attempts}`, workItemKey: state.key, phaseId: mergeable.id, kind: 'merge', actor: 'rh-o', surface: 'automatic',
              detail: { prUrl: mergeable.prUrl ?? null, branch: mergeable.branch ?? null, base: merged.base },
            });
          }
          continue;
        }
      }
    }
    if (progressInStore) {
      for (const p of state.phases) {
        if (recordedPhases.get(p.id) === storedView(p)) continue;
        await store.recordPhase({ key: state.key, phase: p });
        recordedPhases.set(p.id, storedView(p));
      }
    }
    const changed = () => progressPrint() !== snapshot || needsStart.size > 0 || shouldContinue() || confirmDue || gateDeadlinePassed;
    if (mergeWaiting) {
      await condition(changed, input.mergeRecheckMs ?? defaultMergeRecheckMs);
      mergeWaiting = false;
    } else {
      await condition(changed);
    }
    if (unconfirmed.length > 0 || confirmDue) await confirmWaitingDecisions();
    if (gatesOnMainLine) await remindAndEscalate();
    if (shouldContinue() && allHandlersFinished()) return continueWith();
  }

  if (state.status === 'cancelled') for (const id of [...children.keys()]) abandonAttempt(id);
  if (state.status !== 'cancelled') state.status = 'resolved';
  await store.setWorkItemStatus({ key: state.key, status: state.status });
  if (state.status === 'resolved') await store.proposeKnowledge({ workItemKey: state.key, ownerId: state.ownerId });
  await condition(allHandlersFinished);
  await confirmWaitingDecisions();
  return state;

  // --- helpers -------------------------------------------------------------------------------------
  /** The plan as the store keeps it, with who may decide each phase through OWNERS (for the briefing). */
  function planVersionOf(plan: Plan) {
    return { key: state.key, plan, version: state.planVersion, status: state.status, phases: state.phases, approvers: state.settings.phaseApprovers };
  }

  function openPhase(p: PhaseState) {
    if (p.mode === 'autonomous' && p.approvedBy === undefined && p.rejections.length === 0) {
      p.status = 'running';
      needsStart.add(p.id);
      return;
    }
    p.status = 'awaiting-approval';
    p.gateOpenedAt = new Date().toISOString();
  }

  function watchOpenGates() {
    for (const p of state.phases) {
      if ((p.status === 'awaiting-approval' || p.status === 'rejected') && p.gateOpenedAt) {
        const key = `${p.id}:${p.gateOpenedAt}`;
        if (gateWatchers.has(key)) continue;
        gateWatchers.add(key);
        if (!gatesOnMainLine) {
          void gateWatch(state, p, store);
          continue;
        }
        const deadlines = gateDeadlines(state, p);
        openGates.set(key, deadlines);
        void promptGate(state, p, store).catch(() => undefined);
        for (const at of [deadlines.remindAt, deadlines.escalateAt]) {
          void sleep(Math.max(at - Date.now(), 1)).then(() => {
            gateDeadlinePassed = true;
          });
        }
      }
    }
  }

  /** At every wake of the main line: the reminders and escalations whose time has come, by workflow time. */
  async function remindAndEscalate() {
    gateDeadlinePassed = false;
    const now = Date.now();
    for (const [key, gate] of [...openGates]) {
      const p = state.phases.find((x) => x.id === gate.phaseId);
      if (!gateStillOpen(state, p, gate.openedAt)) {
        openGates.delete(key);
        continue;
      }
      const lastRejection = p.status === 'rejected' ? p.rejections.at(-1) : undefined;
      if (!gate.reminded && now >= gate.remindAt) {
        gate.reminded = true;
        await remindGate(state, p, gate.openedAt, lastRejection, store);
      }
      if (now >= gate.escalateAt) {
        openGates.delete(key);
        await escalateGate(state, p, gate.openedAt, lastRejection, store);
      }
    }
  }

  async function startPhase(p: PhaseState) {
    p.attempts += 1;
    const planned = state.plan!.phases.find((x) => x.id === p.id)!;
    const childInput: PhaseInput = {
      workItemKey: state.key,
      ownerId: state.ownerId,
      parentWorkflowId: self,
      phase: planned,
      mode: p.mode,
      attempt: p.attempts,
      feedback: [...p.rejections.map((r) => `${r.by}: ${r.reason}`), ...(p.notes ?? [])],
      ciMaxRetries: 2,
      ...(input.phaseHeartbeatTimeoutMs ? { heartbeatTimeoutMs: input.phaseHeartbeatTimeoutMs } : {}),
    };
    await store.recordPhase({ key: state.key, phase: p });
    const childId = phaseWorkflowId(state.key, p.id, p.attempts);
    // ABANDON: a phase keeps running while this workflow continues-as-new; it reports back by signal.
    await startChild(phaseWorkflow, { workflowId: childId, args: [childInput], parentClosePolicy: ParentClosePolicy.ABANDON });
    children.set(p.id, childId);
  }

  function abandonAttempt(phaseId: string) {
    const childId = children.get(phaseId);
    if (!childId) return;
    children.delete(phaseId);
    const p = state.phases.find((x) => x.id === phaseId);
    if (p) {
      delete p.ciWatchId;
      p.awaitingCiDecision = false;
    }
    void getExternalWorkflowHandle(childId).cancel().catch(() => undefined);
  }

  function shouldContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (input.historyEventBudget ?? defaultHistoryEventBudget);
  }

  async function continueWith(): Promise<never> {
    // A decision taken while the last batch is confirmed stays in state.unconfirmedDecisions: the next run confirms it.
    await confirmWaitingDecisions();
    await condition(allHandlersFinished);
    return continueAsNew<typeof workItemWorkflow>({
      key: state.key, ownerId: state.ownerId, title: state.title, intention: state.intention, continued: state,
      ...(input.historyEventBudget ? { historyEventBudget: input.historyEventBudget } : {}),
      ...(input.phaseHeartbeatTimeoutMs ? { phaseHeartbeatTimeoutMs: input.phaseHeartbeatTimeoutMs } : {}),
      ...(input.mergeRecheckMs ? { mergeRecheckMs: input.mergeRecheckMs } : {}),
      ...(input.decisionConfirmMs ? { decisionConfirmMs: input.decisionConfirmMs } : {}),
    });
  }
}

function continuedChildren(state: WorkItemState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of state.phases) {
    if (p.attempts > 0 && !['merged', 'skipped', 'rejected', 'failed', 'awaiting-approval', 'blocked'].includes(p.status)) {
      out[p.id] = phaseWorkflowId(state.key, p.id, p.attempts);
    }
  }
  return out;
}

/** What a phase row in the store shows; a change means the row must be written again. */
function storedView(p: PhaseState): string {
  return `${p.id}:${p.status}:${p.mode}:${p.awaitingCiDecision ? 'ci-decision' : ''}:${p.awaitingBudget ? 'budget' : ''}:${p.prUrl ?? ''}:${p.branch ?? ''}`;
}

function fingerprint(state: WorkItemState): string {
  return `${state.status}|${state.planVersion}|${state.phases.map((p) => `${p.id}:${p.status}:${p.mode}:${p.attempts}`).join(',')}`;
}

function planSummary(state: WorkItemState): string {
  return state.phases
    .map((p, i) => `${i + 1}. ${p.title} — ${p.mode}${p.dependsOn.length ? ` (after ${p.dependsOn.join(', ')})` : ''}`)
    .join('\n');
}
