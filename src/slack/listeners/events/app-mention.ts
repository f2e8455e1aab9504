// Mentions of the app in a channel: "pair with me on phase 3" opens a pair thread, anything else is an
// architecture question answered in the thread. Each event is processed once by event id.
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { triggerOf } from '../../trigger.js';
import { parsePairRequest } from '../pair.js';
import { errorText } from '../reply.js';
import { startPairThread } from './pair-thread.js';
import { answerInThread } from '../agent/answer.js';

export function registerAppMention(app: App, deps: SlackDeps): void {
  app.event('app_mention', async ({ event, client, context }) => {
    if (!event.user) return;
    const isThreadReply = event.thread_ts !== undefined && event.thread_ts !== event.ts;
    const request = parsePairRequest(event.text);
    if (isThreadReply && !request) return; // a mention inside a pair thread arrives as a message event too
    const trigger = triggerOf(context);
    if (!(await trigger.claim())) return;
    const developer = await trigger.developer();
    if (!developer) {
      await client.chat.postEphemeral({ channel: event.channel, user: event.user, text: 'You are not on this team’s roster yet.' });
      return;
    }
    try {
      if (
        await startPairThread(deps, client, {
          developerId: developer.id,
          text: event.text,
          channel: event.channel,
          threadTs: event.thread_ts ?? event.ts,
          idempotencyKey: trigger.key!,
        })
      )
        return;
      const question = event.text.replace(/<@[UW][A-Z0-9]+>/g, '').trim();
      // In a channel the stream is addressed to the asker, as Slack requires outside a DM.
      await answerInThread(deps, client, {
        developerId: developer.id,
        question,
        channel: event.channel,
        threadTs: event.thread_ts ?? event.ts,
        user: event.user,
        ...(context.teamId ? { teamId: context.teamId } : {}),
        isDm: false,
        idempotencyKey: trigger.key!,
      });
    } catch (err) {
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: `Something went wrong: ${errorText(err)}` });
    }
  });
}
