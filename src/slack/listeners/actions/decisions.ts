// Decision buttons: approve a gate, pick a CI option, answer a knowledge proposal, continue a budget. The
// tap is acknowledged first, its idempotency key recorded before the orchestrator is asked, and the
// prompt is then updated in place with who decided what and when, so no stale buttons remain.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecision, toRequest } from '../../blocks/decision-value.js';
import type { Block } from '../../blocks/kit.js';
import { renderDecided } from '../../blocks/notifications.js';
import { renderHome } from '../../blocks/views.js';
import { claimOnce, releaseClaim, type SlackDeps } from '../../deps.js';
import { decisionActionPattern, linkActionPattern } from '../../ids.js';
import { errorText, tellPrivately } from '../reply.js';

/** Stable for the same person tapping the same button on the same message: double taps collapse. */
export function tapKey(body: BlockAction, actionId: string): string {
  const where = body.container?.type === 'view' ? `view:${body.view?.id ?? ''}` : `${body.container?.channel_id ?? body.channel?.id ?? ''}:${body.container?.message_ts ?? body.message?.ts ?? ''}`;
  return `slack:block_action:${where}:${actionId}:${body.user.id}`;
}

export function registerDecisionActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(decisionActionPattern, async ({ ack, body, action, client }) => {
    await ack();
    deps.afterAck(() => decide(body, action, client));
  });

  async function decide(body: BlockAction, action: ButtonAction, client: App['client']): Promise<void> {
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const template = decodeDecision(action.value);
    if (!template) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'That button does not carry a decision I recognise; open the dashboard instead.' });
      return;
    }
    const developer = await deps.directory.forSlackUser(body.user.id);
    if (!developer) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'You are not on this team’s roster (no role file with your Slack id), so you cannot make this decision.' });
      return;
    }
    const key = tapKey(body, action.action_id);
    if (!(await claimOnce(deps.db, key, 'block_action'))) return; // a double tap or a replay: already acted on
    let result;
    try {
      result = await deps.orchestrator.decide(toRequest(template, { actor: developer.id, surface: 'slack-button', idempotencyKey: key }));
    } catch (err) {
      await releaseClaim(deps.db, key);
      deps.logger.error({ err: errorText(err), key }, 'decision failed');
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: `Could not record that decision (${errorText(err)}). Nothing changed; try again.` });
      return;
    }
    if (result.outcome === 'refused') {
      await releaseClaim(deps.db, key);
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
      const updated = renderDecided(original, result, deps.render);
      await client.chat.update({ channel, ts: messageTs, text: updated.text, blocks: updated.blocks as never });
    }
  }

  // Link buttons still produce block_actions; acknowledge them so Slack shows no error.
  app.action(linkActionPattern, async ({ ack }) => {
    await ack();
  });
}
