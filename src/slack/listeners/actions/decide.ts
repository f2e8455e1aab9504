// Decision buttons: approve a gate, pick a CI option, answer a knowledge proposal, continue a budget. The
// tap is acknowledged first, its idempotency key claimed before the orchestrator is asked, and the
// prompt is then updated in place with who decided what and when, so no stale buttons remain.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecision, toRequest } from '../../blocks/decision-value.js';
import type { Block } from '../../blocks/kit.js';
import { formatWhen, renderDecided } from '../../blocks/notifications.js';
import { controlBlocks, renderControlled } from '../../blocks/plan-control.js';
import { renderHome } from '../../blocks/views.js';
import type { SlackDeps } from '../../deps.js';
import { decisionActionPattern } from '../../ids.js';
import { triggerOf, type SlackTrigger } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

export function registerDecisionButtons(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(decisionActionPattern, async ({ ack, body, action, client, context }) => {
    await ack();
    const trigger = triggerOf(context);
    deps.afterAck(() => decide(trigger, body, action, client));
  });

  async function decide(trigger: SlackTrigger, body: BlockAction, action: ButtonAction, client: App['client']): Promise<void> {
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const template = decodeDecision(action.value);
    if (!template) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'That button does not carry a decision I recognise; open the dashboard instead.' });
      return;
    }
    const developer = await trigger.developer();
    if (!developer) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'You are not on this team’s roster (no role file with your Slack id), so you cannot make this decision.' });
      return;
    }
    const key = trigger.key!;
    if (!(await trigger.claim())) return; // a double tap or a replay: already acted on
    let result;
    try {
      result = await deps.orchestrator.decide(toRequest(template, { actor: developer.id, surface: 'slack-button', idempotencyKey: key }));
    } catch (err) {
      await trigger.release();
      deps.logger.error({ err: errorText(err), key }, 'decision failed');
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: `Could not record that decision (${errorText(err)}). Nothing changed; try again.` });
      return;
    }
    if (result.outcome === 'refused') {
      await trigger.release();
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: `Not applied: ${result.reason}` });
      return;
    }
    if (body.container?.type === 'view') {
      const situation = await deps.orchestrator.situation(developer.id);
      await client.views.publish({ user_id: body.user.id, view: renderHome(situation, deps.render) as never });
      return;
    }
    if (channel && messageTs && body.message) {
      const original = { text: String(body.message.text ?? ''), blocks: (body.message.blocks ?? []) as Block[] };
      // A mode switch, pause or resume on a gate keeps the gate live, with its controls drawn from the work item as it is now.
      const keepsGate = ['set-mode', 'pause', 'resume'].includes(template.kind) && original.blocks.some((b) => b.type === 'actions' && b.block_id?.startsWith(controlBlocks.workItem));
      const updated = keepsGate
        ? renderControlled(original, result, await deps.orchestrator.workItem?.(template.workItemKey), deps.render, formatWhen)
        : renderDecided(original, result, deps.render);
      await client.chat.update({ channel, ts: messageTs, text: updated.text, blocks: updated.blocks as never });
    }
  }
}
