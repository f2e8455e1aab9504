// "pair with me on phase 3 [of KEY]" in a DM or a mention: resolved against the person's situation, then the
// phase switched to collaborative (asking to pair is choosing the mode), a pair session bound to the thread,
// and an opening that says what RH-A did in the phases before this one and what is left, with a button to
// hand the phase back. A reply in the thread says what is missing when the request cannot be resolved.
import type { AllMiddlewareArgs } from '@slack/bolt';
import { actions, escapeMrkdwn as esc, section } from '../../blocks/kit.js';
import { workItemUrl, type RenderContext } from '../../blocks/notifications.js';
import { handBackActionId, handBackButton, renderPhaseAccount } from '../../blocks/plan-control.js';
import { decodeDecision } from '../../blocks/decision-value.js';
import type { Logger } from '../../../observability/logger.js';
import type { Orchestrator, Situation } from '../../../orchestrator/port.js';
import { parsePairRequest, resolvePairTarget } from '../pair.js';
import { errorText } from '../reply.js';

type Client = AllMiddlewareArgs['client'];
/** What opening a pair thread needs: the listeners' deps, or the Slack inbox applying `/sitroom pair`. */
type PairThreadDeps = { orchestrator: Orchestrator; render: RenderContext; logger: Logger };

export async function startPairThread(
  deps: PairThreadDeps,
  client: Client,
  args: { developerId: string; text: string; channel: string; threadTs: string; idempotencyKey: string },
): Promise<boolean> {
  const request = parsePairRequest(args.text);
  if (!request) return false;
  const situation = await deps.orchestrator.situation(args.developerId);
  const target = resolvePairTarget(request, situation);
  if (!target.ok) {
    await client.chat.postMessage({ channel: args.channel, thread_ts: args.threadTs, text: target.message });
    return true;
  }
  await openPairThread(deps, client, { ...args, workItemKey: target.workItemKey, phaseId: target.phaseId, title: target.title, situation });
  return true;
}

export async function openPairThread(
  deps: PairThreadDeps,
  client: Client,
  args: {
    developerId: string;
    workItemKey: string;
    phaseId: string;
    title: string;
    channel: string;
    threadTs: string;
    idempotencyKey: string;
    situation: Situation;
  },
): Promise<void> {
  const phase = args.situation.workItems.find((w) => w.key === args.workItemKey)?.phases.find((p) => p.id === args.phaseId);
  let modeLine = '';
  if (phase && phase.mode !== 'collaborative' && phase.status !== 'merged' && phase.status !== 'skipped') {
    const result = await deps.orchestrator.decide({
      workItemKey: args.workItemKey,
      kind: 'set-mode',
      phaseId: args.phaseId,
      mode: 'collaborative',
      actor: args.developerId,
      surface: 'slack-message',
      idempotencyKey: `${args.idempotencyKey}:set-mode`,
    });
    modeLine =
      result.outcome === 'refused'
        ? `\nThe mode stays ${phase.mode}: ${result.reason}`
        : `\nPhase ${args.phaseId} is collaborative now (it was ${phase.mode}).`;
  }
  const { sessionId } = await deps.orchestrator.startPair({
    developerId: args.developerId,
    workItemKey: args.workItemKey,
    phaseId: args.phaseId,
    channel: args.channel,
    threadTs: args.threadTs,
  });
  let account: ReturnType<typeof renderPhaseAccount> | undefined;
  try {
    const found = await deps.orchestrator.phaseAccount?.(args.workItemKey, args.phaseId);
    if (found) account = renderPhaseAccount(found, workItemUrl(deps.render, args.workItemKey, args.phaseId));
  } catch (err) {
    deps.logger.warn({ err: errorText(err), workItemKey: args.workItemKey }, 'no account of the earlier phases for the pair thread');
  }
  const opening = `Pairing on *${args.phaseId}* (${args.title}) of *${args.workItemKey}*. Reply in this thread; I answer here. Say "take it from here" (with notes) or tap the button to hand the phase back. (session ${sessionId})${modeLine}`;
  await client.chat.postMessage({
    channel: args.channel,
    thread_ts: args.threadTs,
    text: `${opening}${account ? `\n${account.text}` : ''}`,
    blocks: [section(esc(opening)), ...(account?.blocks ?? []), ...actions([handBackButton(args.workItemKey, args.phaseId)], 'pair')] as never,
  });
}

/** The work item and phase a pair thread is about, from the hand-back button its opening carries. */
export async function pairTargetOfThread(client: Client, channel: string, threadTs: string): Promise<{ workItemKey: string; phaseId: string } | undefined> {
  const replies = await client.conversations.replies({ channel, ts: threadTs, limit: 200 });
  for (const m of replies.messages ?? []) {
    for (const b of (m.blocks ?? []) as Array<{ type?: string; elements?: Array<{ action_id?: string; value?: string }> }>) {
      if (b.type !== 'actions') continue;
      const handBack = b.elements?.find((e) => e.action_id === handBackActionId);
      const template = decodeDecision(handBack?.value);
      if (template?.phaseId) return { workItemKey: template.workItemKey, phaseId: template.phaseId };
    }
  }
  return undefined;
}
