// Open gates that wait too long: the deciders are prompted when the gate opens, reminded after
// `reminderAfterMs`, and after `escalateAfterMs` the backup approver gets the decision as well. Durations
// come from team.yaml. New runs keep each gate's deadlines on the work item's main line (gateDeadlines here,
// GateClock in work-item/gates.ts); gateWatch, a coroutine per gate, is what histories recorded before that replay.
import { condition } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { WorkItemState } from '../src/contracts/work-item.js';
import type { PhaseState } from '../src/contracts/plan.js';

type GateActivities = Pick<Activities, 'notify' | 'recordDecision'>;

/** When an open gate is due for its reminder and its escalation (workflow time, ms). */
export interface GateDeadlines {
  phaseId: string;
  openedAt: string;
  remindAt: number;
  escalateAt: number;
  reminded: boolean;
}

export function gateDeadlines(state: WorkItemState, phase: PhaseState): GateDeadlines {
  const openedAt = phase.gateOpenedAt ?? '';
  const opened = Date.parse(openedAt);
  return {
    phaseId: phase.id,
    openedAt,
    remindAt: opened + state.settings.reminderAfterMs,
    escalateAt: opened + state.settings.escalateAfterMs,
    reminded: false,
  };
}

export function gateStillOpen(state: WorkItemState, phase: PhaseState | undefined, openedAt: string): phase is PhaseState {
  return !!phase && (phase.status === 'awaiting-approval' || phase.status === 'rejected') && phase.gateOpenedAt === openedAt && state.status !== 'cancelled';
}

function prompt(state: WorkItemState, phase: PhaseState, lastRejection: PhaseState['rejections'][number] | undefined, reminder?: 'reminder' | 'escalation') {
  return {
    kind: 'gate' as const,
    workItemKey: state.key,
    phaseId: phase.id,
    title: `${state.key} · phase ${phase.id}: ${phase.title}`,
    summary: lastRejection
      ? `Rejected by ${lastRejection.by}: "${lastRejection.reason}". Approve to run it again with that feedback.`
      : `Ready to start (${phase.mode}). ${phase.dependsOn.length ? `Follows ${phase.dependsOn.join(', ')}.` : 'No dependencies.'}`,
    mode: phase.mode,
    ...(reminder ? { reminder } : {}),
  };
}

const lastRejectionOf = (phase: PhaseState) => (phase.status === 'rejected' ? phase.rejections.at(-1) : undefined);
const gateKeyOf = (state: WorkItemState, phase: PhaseState, openedAt: string) => `${state.key}:${phase.id}:${openedAt}`;

export function promptGate(state: WorkItemState, phase: PhaseState, activities: GateActivities): Promise<void> {
  const openedAt = phase.gateOpenedAt ?? '';
  return activities.notify({
    dedupeKey: `gate:${gateKeyOf(state, phase, openedAt)}`,
    developerId: state.ownerId,
    urgency: 'decision',
    payload: prompt(state, phase, lastRejectionOf(phase)),
  });
}

export async function remindGate(
  state: WorkItemState,
  phase: PhaseState,
  openedAt: string,
  lastRejection: PhaseState['rejections'][number] | undefined,
  activities: GateActivities,
): Promise<void> {
  const gateKey = gateKeyOf(state, phase, openedAt);
  await activities.notify({
    dedupeKey: `gate:${gateKey}:reminder`,
    developerId: state.ownerId,
    urgency: 'decision',
    payload: prompt(state, phase, lastRejection, 'reminder'),
  });
  await activities.recordDecision({
    idempotencyKey: `gate:${gateKey}:reminder`,
    workItemKey: state.key,
    phaseId: phase.id,
    kind: 'gate-reminder',
    actor: 'rh-o',
    surface: 'automatic',
    detail: { waitedMs: state.settings.reminderAfterMs },
  });
}

export async function escalateGate(
  state: WorkItemState,
  phase: PhaseState,
  openedAt: string,
  lastRejection: PhaseState['rejections'][number] | undefined,
  activities: GateActivities,
): Promise<void> {
  const { backupApprover, escalateAfterMs } = state.settings;
  if (!backupApprover || backupApprover === state.ownerId) return;
  const gateKey = gateKeyOf(state, phase, openedAt);
  phase.escalatedTo = backupApprover;
  await activities.notify({
    dedupeKey: `gate:${gateKey}:escalation`,
    developerId: backupApprover,
    urgency: 'decision',
    payload: prompt(state, phase, lastRejection, 'escalation'),
  });
  await activities.recordDecision({
    idempotencyKey: `gate:${gateKey}:escalation`,
    workItemKey: state.key,
    phaseId: phase.id,
    kind: 'gate-escalation',
    actor: 'rh-o',
    surface: 'automatic',
    detail: { escalatedTo: backupApprover, waitedMs: escalateAfterMs },
  });
}

/** Histories recorded before the deadlines moved to the main line: one coroutine per gate, woken by its own timers. */
export async function gateWatch(state: WorkItemState, phase: PhaseState, activities: GateActivities): Promise<void> {
  const openedAt = phase.gateOpenedAt ?? '';
  const stillOpen = () => gateStillOpen(state, phase, openedAt);
  const lastRejection = lastRejectionOf(phase);
  await promptGate(state, phase, activities);
  const { reminderAfterMs, escalateAfterMs } = state.settings;
  if (await condition(() => !stillOpen(), reminderAfterMs)) return;
  await remindGate(state, phase, openedAt, lastRejection, activities);
  if (await condition(() => !stillOpen(), Math.max(escalateAfterMs - reminderAfterMs, 1))) return;
  await escalateGate(state, phase, openedAt, lastRejection, activities);
}
