// Signals, updates and queries of every workflow, defined once so the client side (Slack, CLI, tests)
// and the workflows agree on names and argument types.
import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { DecisionCommit, DecisionOutcome, Surface } from '../src/contracts/decisions.js';
import type { ExecutionMode } from '../src/contracts/vocabulary.js';
import type { Plan } from '../src/plan/schema.js';
import type { WorkItemSnapshot } from '../src/contracts/work-item.js';
import type { Handoff } from '../src/contracts/plan.js';
import type { PairSessionState, PhaseProgress } from './types.js';
import type { CiRunReport, CiWatchState } from '../src/contracts/ci.js';

export interface Actor {
  actor: string;
  surface: Surface;
}

/**
 * Sinks the worker provides. decisions.commit stores a decision (audit row, notification, plan version) in the
 * worker before the workflow task that took it completes, so an update's caller sees it committed without an
 * extra activation; it is never called on replay. The workflow confirms every decision durably afterwards.
 */
export interface DecisionSinks extends Sinks {
  decisions: { commit(commit: DecisionCommit): void };
}

// work item
export const approvePlanUpdate = defineUpdate<DecisionOutcome, [Actor & { planVersion?: number }]>('approvePlan');
export const rejectPlanUpdate = defineUpdate<DecisionOutcome, [Actor & { reason: string }]>('rejectPlan');
export const editPlanUpdate = defineUpdate<DecisionOutcome, [Actor & { plan: Plan; note: string }]>('editPlan');
export const approvePhaseUpdate = defineUpdate<DecisionOutcome, [Actor & { phaseId: string; mode?: ExecutionMode }]>('approvePhase');
export const rejectPhaseUpdate = defineUpdate<DecisionOutcome, [Actor & { phaseId: string; reason: string }]>('rejectPhase');
/** notes: what the developer says when handing a paired phase back ("take it from here: …"); RH-A reads them. */
/** thread: the pair thread a hand-back was said in, where the phase answers what comes of it. */
export const setModeUpdate = defineUpdate<DecisionOutcome, [Actor & { phaseId: string; mode: ExecutionMode; notes?: string; thread?: PairThread }]>('setMode');
export const ciOptionUpdate = defineUpdate<DecisionOutcome, [Actor & { phaseId: string; option: CiOption }]>('ciOption');
export const budgetUpdate = defineUpdate<DecisionOutcome, [Actor & { phaseId: string; approve: boolean }]>('budget');
export const pauseUpdate = defineUpdate<DecisionOutcome, [Actor]>('pause');
export const resumeUpdate = defineUpdate<DecisionOutcome, [Actor]>('resume');
/** "Try again" after RH-A could not draft a plan. */
export const retryDraftUpdate = defineUpdate<DecisionOutcome, [Actor]>('retryDraft');
export const cancelUpdate = defineUpdate<DecisionOutcome, [Actor & { reason?: string }]>('cancel');
export const workItemStateQuery = defineQuery<WorkItemSnapshot>('state');
/** Sent by a phase workflow when its execution status changes. */
export const phaseProgressSignal = defineSignal<[PhaseProgress]>('phaseProgress');

// phase
export const phaseModeSignal = defineSignal<[{ mode: ExecutionMode; actor: string; notes?: string; thread?: PairThread }]>('phaseMode');
export interface PairThread {
  channel: string;
  threadTs: string;
}
export const budgetDecisionSignal = defineSignal<[{ approve: boolean; actor: string }]>('budgetDecision');
export const pairDoneSignal = defineSignal<[{ summary: string; actor: string }]>('pairDone');
export const phaseHandoffsQuery = defineQuery<Handoff[]>('handoffs');

// CI watch
export type CiOption = 'fix-and-repush' | 'wait-for-me' | 'skip-test';
export const ciResultSignal = defineSignal<[CiRunReport]>('ciResult');
export const ciDecisionSignal = defineSignal<[{ option: CiOption; actor: string }]>('ciDecision');
export const ciWatchStateQuery = defineQuery<CiWatchState>('ciState');

// pair session
export const pairMessageSignal = defineSignal<[{ developerId: string; text: string; messageTs: string }]>('pairMessage');
export const pairEndSignal = defineSignal<[{ developerId: string }]>('pairEnd');
export const pairSessionStateQuery = defineQuery<PairSessionState>('pairState');
