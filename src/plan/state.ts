// The live state of a work item as its workflow holds it, and the pure rules that move it. Workflows
// import this module (it has no I/O), and so do tests, which exercise the rules without Temporal.
import type { ExecutionMode } from '../contracts/vocabulary.js';
import type { WorkItemSettings, WorkItemSnapshot, WorkItemState } from '../contracts/work-item.js';
import type { ModeSetting, PhaseState, Plan, PlannedPhase } from '../contracts/plan.js';

export function snapshotOf(state: WorkItemState): WorkItemSnapshot {
  const { seenUpdateIds, unconfirmedDecisions: _unconfirmed, ...rest } = state;
  return { ...rest, seenUpdateCount: seenUpdateIds.length };
}

export function initialPhases(plan: Plan, settings: WorkItemSettings, overrides: Record<string, ExecutionMode> = {}): PhaseState[] {
  return plan.phases.map((p: PlannedPhase) => {
    const override = overrides[p.id];
    const fromPlan = p.mode;
    const setting: ModeSetting = override ? { mode: override, source: 'session' } : fromPlan ? { mode: fromPlan, source: 'plan' } : settings.modes[p.activity];
    return {
      id: p.id,
      title: p.title,
      activity: p.activity,
      dependsOn: [...p.dependsOn],
      mergeOrder: p.mergeOrder,
      mode: setting.mode,
      modeSource: setting.source,
      status: 'blocked',
      rejections: [],
      handoffs: [],
      attempts: 0,
    };
  });
}

/** Who may decide gates of this work item (and of this phase, when given). */
export function mayDecide(state: Pick<WorkItemState, 'ownerId' | 'settings'> & { phases?: PhaseState[] }, actor: string, phaseId?: string): boolean {
  if (actor === state.ownerId) return true;
  if (state.settings.approvers.includes(actor)) return true;
  if (phaseId && state.settings.phaseApprovers[phaseId]?.includes(actor)) return true;
  const phase = phaseId ? state.phases?.find((p) => p.id === phaseId) : undefined;
  if (phase?.escalatedTo === actor) return true;
  return false;
}

/** Phases whose dependencies are all merged (or skipped) and that have not started yet. */
export function phasesReadyToOpen(phases: readonly PhaseState[]): PhaseState[] {
  const done = new Set(phases.filter((p) => p.status === 'merged' || p.status === 'skipped').map((p) => p.id));
  return phases.filter((p) => p.status === 'blocked' && p.dependsOn.every((d) => done.has(d)));
}

/**
 * The phase that may merge now: ready, and every phase with a lower merge order is merged or skipped.
 * Phases developed in parallel therefore still land in the declared order.
 */
export function nextMergeable(phases: readonly PhaseState[]): PhaseState | undefined {
  const ordered = [...phases].sort((a, b) => a.mergeOrder - b.mergeOrder || a.id.localeCompare(b.id));
  for (const phase of ordered) {
    if (phase.status === 'merged' || phase.status === 'skipped') continue;
    return phase.status === 'ready-to-merge' ? phase : undefined;
  }
  return undefined;
}

export function allPhasesFinished(phases: readonly PhaseState[]): boolean {
  return phases.length > 0 && phases.every((p) => p.status === 'merged' || p.status === 'skipped');
}

/** Why a phase gate decision is not allowed now, or undefined when it is. */
export function phaseGateProblem(state: WorkItemState, phaseId: string | undefined, decision: 'approve' | 'reject'): string | undefined {
  if (!phaseId) return 'phaseId is required';
  if (!state.plan || state.status === 'planning' || state.status === 'awaiting-plan-approval') return 'the plan has not been approved yet';
  const phase = state.phases.find((p) => p.id === phaseId);
  if (!phase) return `unknown phase "${phaseId}"; phases are ${state.phases.map((p) => p.id).join(', ')}`;
  if (phase.status === 'blocked') {
    const waiting = phase.dependsOn.filter((d) => state.phases.find((p) => p.id === d)?.status !== 'merged');
    return `phase "${phaseId}" is not open yet: it waits for ${waiting.join(', ')} to merge`;
  }
  if (phase.status === 'awaiting-approval' || phase.status === 'rejected') return undefined;
  if (decision === 'reject' && (phase.status === 'ci' || phase.status === 'ready-to-merge')) return undefined;
  return `phase "${phaseId}" is ${phase.status}; there is no open gate to ${decision}`;
}
