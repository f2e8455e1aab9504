// A plan override said in a DM ("execute phase 1 full auto, tell me when the PR is ready", "pause
// HOSTEDCP-2101"): resolved against the person's situation and sent as the decision it stands for, with the
// message's event id as the idempotency key. The answer goes in the message's thread.
import type { AllMiddlewareArgs } from '@slack/bolt';
import type { DecisionRequest, DecisionResult, Situation } from '../../../orchestrator/port.js';
import type { SlackDeps } from '../../deps.js';
import { modeLabels } from '../../blocks/plan-control.js';
import type { Override } from '../overrides.js';
import { resolvePairTarget } from '../pair.js';

type Client = AllMiddlewareArgs['client'];

export async function applyOverride(
  deps: SlackDeps,
  client: Client,
  args: { developerId: string; override: Override; channel: string; threadTs: string; idempotencyKey: string },
): Promise<void> {
  const reply = (text: string) => client.chat.postMessage({ channel: args.channel, thread_ts: args.threadTs, text });
  const situation = await deps.orchestrator.situation(args.developerId);
  const base = { actor: args.developerId, surface: 'slack-message' as const, idempotencyKey: args.idempotencyKey };
  const o = args.override;

  if (o.kind === 'work-item') {
    const item = whichWorkItem(situation, o.workItemKey);
    if (!item.ok) return void (await reply(item.message));
    const request: DecisionRequest = { ...base, workItemKey: item.key, kind: o.action, ...(o.reason ? { reason: o.reason } : {}) };
    const result = await deps.orchestrator.decide(request);
    return void (await reply(outcomeText(result, `${item.key}: `)));
  }

  const target = resolvePairTarget({ phase: o.phase, ...(o.workItemKey ? { workItemKey: o.workItemKey } : {}) }, situation);
  if (!target.ok) return void (await reply(target.message));
  const phase = situation.workItems.find((w) => w.key === target.workItemKey)!.phases.find((p) => p.id === target.phaseId)!;
  const label = modeLabels[o.mode];
  let result: DecisionResult;
  if (o.execute && (phase.status === 'awaiting-approval' || phase.status === 'rejected')) {
    // "execute phase 1 full auto": its gate is open, so this is the approval, in that mode.
    result = await deps.orchestrator.decide({ ...base, workItemKey: target.workItemKey, kind: 'approve-phase', phaseId: target.phaseId, mode: o.mode });
  } else if (phase.mode !== o.mode) {
    result = await deps.orchestrator.decide({ ...base, workItemKey: target.workItemKey, kind: 'set-mode', phaseId: target.phaseId, mode: o.mode });
  } else {
    const when =
      phase.status === 'blocked'
        ? ` It starts when ${phase.dependsOn.join(', ')} ${phase.dependsOn.length === 1 ? 'is' : 'are'} merged.`
        : ` It is ${phase.status}.`;
    return void (await reply(`Phase ${target.phaseId} of ${target.workItemKey} already runs ${label}.${when}`));
  }
  if (result.outcome === 'refused') return void (await reply(outcomeText(result, '')));
  const later =
    o.mode === 'autonomous'
      ? o.tellWhenPrReady
        ? ' I will tell you in this DM when its PR is ready, CI green.'
        : ' Its "PR ready" comes to this DM.'
      : o.mode === 'collaborative'
        ? ' Say "pair with me on phase ' + target.phaseId + '" to open the thread.'
        : '';
  await reply(`Phase ${target.phaseId} of ${target.workItemKey} runs ${label} now: ${result.summary}.${later}`);
}

function whichWorkItem(situation: Situation, key?: string): { ok: true; key: string } | { ok: false; message: string } {
  if (key) return situation.workItems.some((w) => w.key === key) ? { ok: true, key } : { ok: false, message: `You have no active work item ${key}.` };
  if (situation.workItems.length === 1) return { ok: true, key: situation.workItems[0]!.key };
  if (situation.workItems.length === 0) return { ok: false, message: 'You have no active work item.' };
  return { ok: false, message: `Which one? ${situation.workItems.map((w) => w.key).join(', ')}` };
}

function outcomeText(result: DecisionResult, prefix: string): string {
  if (result.outcome === 'refused') return `Not applied: ${result.reason}`;
  return `${prefix}${result.summary}${result.outcome === 'duplicate' ? ' (already done)' : ''}.`;
}
