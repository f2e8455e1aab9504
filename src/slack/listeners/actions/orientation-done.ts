// "Done — show me a starter task" on the orientation in a new developer's briefing. The tap is written to the
// Slack inbox before the acknowledgement; the inbox then records the orientation finished (it leaves
// tomorrow's briefing) and picks the starter task, the briefing loses its button in place, and the offer
// arrives as a reply in the same conversation (see inbox.ts). A crash after the ack loses nothing.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

export function registerOrientationDone(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.orientationDone, async ({ ack, body, action, client, context }) => {
    const trigger = triggerOf(context);
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const prompt = channel && messageTs ? { channel, ts: messageTs } : undefined;
    const original = body.message ? { text: String(body.message.text ?? ''), blocks: (body.message.blocks ?? []) as unknown[] } : undefined;
    let id: number | undefined;
    try {
      // Durable before acknowledged; who the person is gets checked when the inbox applies it.
      id = await deps.inbox.record(trigger.key!, body.user.id, {
        kind: 'orientation-done',
        ...(action.value ? { owner: action.value } : {}),
        reply: { user: body.user.id, ...(channel ? { channel } : {}), ...(prompt ? { prompt } : {}), ...(prompt && original ? { original } : {}) },
      });
    } catch (err) {
      await ack();
      deps.logger.error({ err: errorText(err), key: trigger.key }, 'the orientation tap could not be recorded');
      return deps.afterAck(() =>
        tellPrivately(client, deps.logger, {
          user: body.user.id,
          channel,
          text: `Could not finish the orientation (${errorText(err)}). Nothing changed; try the button again.`,
        }),
      );
    }
    await ack();
    if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
  });
}
