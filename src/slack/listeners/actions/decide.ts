// Decision buttons: approve a gate, pick a CI option, answer a knowledge proposal, continue a budget. What
// the person decided is written to the Slack inbox before the tap is acknowledged, so a crash after the
// acknowledgement loses nothing; the inbox then asks the orchestrator and updates the prompt in place with
// who decided what and when, so no stale buttons remain.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecision } from '../../blocks/decision-value.js';
import type { SlackDeps } from '../../deps.js';
import { decisionActionPattern } from '../../ids.js';
import type { DecisionIntent } from '../../inbox.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

export function registerDecisionButtons(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(decisionActionPattern, async ({ ack, body, action, client, context }) => {
    const trigger = triggerOf(context);
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const answer = (text: string) => deps.afterAck(() => tellPrivately(client, deps.logger, { user: body.user.id, channel, text }));
    const decision = decodeDecision(action.value);
    if (!decision) {
      await ack();
      return answer('That button does not carry a decision I recognise; open the dashboard instead.');
    }
    const onHome = body.container?.type === 'view';
    const intent: DecisionIntent = {
      kind: 'decision',
      decision,
      surface: 'slack-button',
      reply: {
        user: body.user.id,
        ...(channel ? { channel } : {}),
        ...(onHome ? { home: true } : {}),
        ...(!onHome && channel && messageTs && body.message
          ? { prompt: { channel, ts: messageTs }, original: { text: String(body.message.text ?? ''), blocks: (body.message.blocks ?? []) as unknown[] } }
          : {}),
      },
    };
    let id: number | undefined;
    try {
      // Durable before acknowledged: once Slack hears "ok", the decision survives a crash of this process. The
      // insert is the only I/O before the ack; who the person is gets checked when the inbox applies it.
      id = await deps.inbox.record(trigger.key!, body.user.id, intent);
    } catch (err) {
      await ack();
      deps.logger.error({ err: errorText(err), key: trigger.key }, 'could not record a decision');
      return answer(`Could not record that decision (${errorText(err)}). Nothing changed; try again.`);
    }
    await ack();
    if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
  });
}
