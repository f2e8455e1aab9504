// Watches one open gate: prompts the deciders, reminds them after `reminderAfterMs`, and after
// `escalateAfterMs` hands the decision to the backup approver as well. Durations come from team.yaml.
import { condition } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { PhaseState, WorkItemState } from '../src/plan/state.js';

type GateActivities = Pick<Activities, 'notify' | 'recordDecision'>;

export async function gateWatch(state: WorkItemState, phase: PhaseState, activities: GateActivities): Promise<void> {
  const openedAt = phase.gateOpenedAt ?? '';
  const stillOpen = () => (phase.status === 'awaiting-approval' || phase.status === 'rejected') && phase.gateOpenedAt === openedAt && state.status !== 'cancelled';
  const gateKey = `${state.key}:${phase.id}:${openedAt}`;
  const lastRejection = phase.status === 'rejected' ? phase.rejections.at(-1) : undefined;
  const prompt = (reminder?: 'reminder' | 'escalation') => ({
    kind: 'gate' as const,
    workItemKey: state.key,
    phaseId: phase.id,
    title: `${state.key} · phase ${phase.id}: ${phase.title}`,
    summary: lastRejection
      ? `Rejected by ${lastRejection.by}: "${lastRejection.reason}". Approve to run it again with that feedback.`
      : `Ready to start (${phase.mode}). ${phase.dependsOn.length ? `Follows ${phase.dependsOn.join(', ')}.` : 'No dependencies.'}`,
    mode: phase.mode,
    ...(reminder ? { reminder } : {}),
  });

  await activities.notify({ dedupeKey: `gate:${gateKey}`, developerId: state.ownerId, urgency: 'decision', payload: prompt() });
  const { reminderAfterMs, escalateAfterMs, backupApprover } = state.settings;
  if (await condition(() => !stillOpen(), reminderAfterMs)) return;

  await activities.notify({ dedupeKey: `gate:${gateKey}:reminder`, developerId: state.ownerId, urgency: 'decision', payload: prompt('reminder') });
  await activities.recordDecision({
    idempotencyKey: `gate:${gateKey}:reminder`, workItemKey: state.key, phaseId: phase.id, kind: 'gate-reminder', actor: 'rh-o', surface: 'automatic',
    detail: { waitedMs: reminderAfterMs },
  });
  if (await condition(() => !stillOpen(), Math.max(escalateAfterMs - reminderAfterMs, 1))) return;

  if (!backupApprover || backupApprover === state.ownerId) return;
  phase.escalatedTo = backupApprover;
  await activities.notify({ dedupeKey: `gate:${gateKey}:escalation`, developerId: backupApprover, urgency: 'decision', payload: prompt('escalation') });
  await activities.recordDecision({
    idempotencyKey: `gate:${gateKey}:escalation`, workItemKey: state.key, phaseId: phase.id, kind: 'gate-escalation', actor: 'rh-o', surface: 'automatic',
    detail: { escalatedTo: backupApprover, waitedMs: escalateAfterMs },
  });
}
