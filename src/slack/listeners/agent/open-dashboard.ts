// "Open dashboard": a short-lived sign-in link minted for the person who tapped it, sent where only they see it
// (an ephemeral in that conversation, or their DM). The link signs them in and lands on the work item's page
// when the button names one.
import type { App, BlockAction } from '@slack/bolt';
import { signInMessage } from '../../blocks/agent.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { triggerOf } from '../../trigger.js';
import { tellPrivately } from '../reply.js';

const workItemKey = /^[A-Z][A-Z0-9]+-\d+$/;

export function registerOpenDashboard(app: App, deps: SlackDeps): void {
  app.action<BlockAction>(ActionIds.openDashboard, async ({ ack, body, action, client, context }) => {
    await ack();
    const trigger = triggerOf(context);
    deps.afterAck(async () => {
      const channel = body.container?.channel_id ?? body.channel?.id;
      const developer = await trigger.developer();
      if (!developer)
        return tellPrivately(client, deps.logger, {
          user: body.user.id,
          channel,
          text: 'You are not on this team’s roster (no role file with your Slack id), so there is no dashboard to sign you in to.',
        });
      if (!deps.agent.signInLink)
        return tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'The dashboard is not served by this deployment.' });
      const value = (action as { value?: string }).value;
      const key = value && workItemKey.test(value) ? value : undefined;
      const { url, ttlMinutes } = deps.agent.signInLink(developer.id, key);
      const message = signInMessage(url, ttlMinutes, key);
      // Never in the channel for everyone: the link signs in whoever opens it.
      try {
        if (!channel) throw new Error('no conversation');
        await client.chat.postEphemeral({ channel, user: body.user.id, text: message.text, blocks: message.blocks as never });
      } catch {
        const dm = (await client.conversations.open({ users: body.user.id })).channel?.id;
        if (dm) await client.chat.postMessage({ channel: dm, text: message.text, blocks: message.blocks as never });
      }
    });
  });
}
