// What one run of a work item holds between its handlers and its main line, and the activities it calls.
// Everything here is plain workflow state: the decision protocol, the update handlers and the phase
// scheduler each receive the same WorkItemRun, so they see each other's changes within one activation.
import { ApplicationFailure, getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../src/activities/index.js';
import type { ExecutionMode } from '../../src/contracts/vocabulary.js';
import type { Plan } from '../../src/plan/schema.js';
import type { PhaseState } from '../../src/contracts/plan.js';
import type { WorkItemState } from '../../src/contracts/work-item.js';
import { workItemNonRetryable } from '../../src/contracts/failures.js';
import { phaseWorkflowId } from '../ids.js';

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

export const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: workItemNonRetryable },
});
export const agent = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

// Temporal's own history limit is 50k events; continue well before it so a long-lived plan stays fast to replay.
export const defaultHistoryEventBudget = 10_000;

export interface WorkItemRun {
  readonly input: WorkItemInput;
  /** This workflow's id: phases report back to it, and decisions without an update id are keyed by it. */
  readonly self: string;
  readonly state: WorkItemState;
  /** Workflow id of the current attempt of each phase; phases report back by signal, so they survive continue-as-new. */
  readonly children: Map<string, string>;
  /** Phases approved (or autonomous) whose next attempt has not been started yet. */
  readonly needsStart: Set<string>;
  /** Modes chosen in this run's decisions; a re-drafted or edited plan keeps them. */
  sessionOverrides: Record<string, ExecutionMode>;
  /** Every rejection of the plan so far, handed to RH-A when it re-drafts. */
  planFeedback: string[];
  redraftRequested: boolean;
}

/**
 * The stages of a work item's life. Each stage ends by calling the next one itself, in the same microtask
 * turn, exactly where the single function this used to be went on: awaiting a stage from the workflow
 * function and then starting the next would resume one turn later, and an update finishing in the same
 * activation could then be answered before the next stage's first command, unlike in recorded histories.
 */
export interface WorkItemStages {
  /** First run only: record the work item and draft the plan, then the plan gate. */
  draft(): Promise<WorkItemState>;
  /** Wait for the plan decision (re-drafting on rejection), then the phases. */
  planGate(): Promise<WorkItemState>;
  /** Open, start and merge phases until all are finished or the work item is cancelled, then close. */
  phases(): Promise<WorkItemState>;
  /** Resolved or cancelled: the final status, knowledge proposals, the last confirmations. */
  close(): Promise<WorkItemState>;
  /** The history grew long: hand the state to a fresh run. */
  continueAsNew(): Promise<never>;
}

export function startRun(input: WorkItemInput): WorkItemRun {
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
    settings: {
      modes: {} as WorkItemState['settings']['modes'],
      approvers: [],
      phaseApprovers: {},
      reminderAfterMs: 4 * 3_600_000,
      escalateAfterMs: 24 * 3_600_000,
    },
  };
  const children = new Map<string, string>(Object.entries(input.continued ? continuedChildren(input.continued) : {}));
  const needsStart = new Set<string>(
    input.continued ? input.continued.phases.filter((p) => p.status === 'running' && !children.has(p.id)).map((p) => p.id) : [],
  );
  return { input, self: workflowInfo().workflowId, state, children, needsStart, sessionOverrides: {}, planFeedback: [], redraftRequested: false };
}

/** The phase a decision names; handlers call it after their validator has checked the phase exists. */
export function phaseOf(run: WorkItemRun, id: string): PhaseState {
  const found = run.state.phases.find((p) => p.id === id);
  if (!found) throw ApplicationFailure.nonRetryable(`unknown phase ${id}`, 'UnknownPhase');
  return found;
}

/** Stops the phase's current attempt (it was rejected, or the work item cancelled); a later approval starts a new one. */
export function abandonAttempt(run: WorkItemRun, phaseId: string): void {
  const childId = run.children.get(phaseId);
  if (!childId) return;
  run.children.delete(phaseId);
  const p = run.state.phases.find((x) => x.id === phaseId);
  if (p) {
    delete p.ciWatchId;
    p.awaitingCiDecision = false;
  }
  void getExternalWorkflowHandle(childId)
    .cancel()
    .catch(() => undefined);
}

export function shouldContinue(run: WorkItemRun): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > (run.input.historyEventBudget ?? defaultHistoryEventBudget);
}

/** The plan as the store keeps it, with who may decide each phase through OWNERS (for the briefing). */
export function planVersionOf(state: WorkItemState, plan: Plan) {
  return { key: state.key, plan, version: state.planVersion, status: state.status, phases: state.phases, approvers: state.settings.phaseApprovers };
}

/** Phases whose attempt was started by an earlier run and may still be running. */
function continuedChildren(state: WorkItemState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of state.phases) {
    if (p.attempts > 0 && !['merged', 'skipped', 'rejected', 'failed', 'awaiting-approval', 'blocked'].includes(p.status)) {
      out[p.id] = phaseWorkflowId(state.key, p.id, p.attempts);
    }
  }
  return out;
}
