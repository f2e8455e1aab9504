// "Done — show me a starter task" on the orientation in a new developer's briefing. Acknowledged first; then
// the orchestrator records the orientation finished (it leaves tomorrow's briefing) and picks the starter
// task, the briefing loses its button in place, and the offer arrives as a reply in the same conversation.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Block } from '../../blocks/kit.js';
import { renderOrientationDone, renderStarterTaskOffer } from '../../blocks/notifications.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { triggerOf, type SlackTrigger } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

export function registerOrientationDone(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.orientationDone, async ({ ack, body, action, client, context }) => {
    await ack();
    const trigger = triggerOf(context);
    deps.afterAck(() => orientationDone(trigger, body, action, client));
  });

  async function orientationDone(trigger: SlackTrigger, body: BlockAction, action: ButtonAction, client: App['client']): Promise<void> {
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const developer = await trigger.developer();
    if (!developer) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'You are not on this team’s roster (no role file with your Slack id), so there is no orientation to finish.' });
      return;
    }
    // The button carries the briefing owner's id: personal memory is private, so only they can finish it.
    if (action.value && action.value !== developer.id) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'This orientation belongs to someone else; only they can mark it done.' });
      return;
    }
    if (!deps.orchestrator.completeOrientation) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'Finishing the orientation is not available in this deployment; ask the tech lead for a starter task.' });
      return;
    }
    const key = trigger.key!;
    if (!(await trigger.claim())) return; // a double tap or a replay
    try {
      // Finishing is idempotent (the first time is kept), so a failure anywhere below releases the tap for a retry.
      const offer = await deps.orchestrator.completeOrientation(developer.id);
      if (channel && messageTs && body.message) {
        const updated = renderOrientationDone({ text: String(body.message.text ?? ''), blocks: (body.message.blocks ?? []) as Block[] }, offer.orientationCompletedAt);
        await client.chat.update({ channel, ts: messageTs, text: updated.text, blocks: updated.blocks as never });
      }
      const rendered = renderStarterTaskOffer(offer, deps.render);
      const target = channel ?? (await client.conversations.open({ users: body.user.id })).channel?.id;
      if (target) await client.chat.postMessage({ channel: target, text: rendered.text, blocks: rendered.blocks as never, unfurl_links: false });
    } catch (err) {
      await trigger.release();
      deps.logger.error({ err: errorText(err), key }, 'finishing the orientation failed');
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: `Could not finish the orientation (${errorText(err)}). Try the button again.` });
    }
  }
}
