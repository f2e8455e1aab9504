// Messages to the app: "pair with me on phase 3" (a DM or a mention) opens a pair thread; replies in a
// pair thread go to the pair session; any other DM is an architecture question. Each event is processed
// once by event id, whatever Slack retries.
import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { claimOnce, type SlackDeps } from '../../deps.js';
import { parsePairRequest, resolvePairTarget } from '../pair.js';
import { errorText } from '../reply.js';

type Client = AllMiddlewareArgs['client'];

export async function startPairThread(deps: SlackDeps, client: Client, args: { developerId: string; text: string; channel: string; threadTs: string }): Promise<boolean> {
  const request = parsePairRequest(args.text);
  if (!request) return false;
  const target = resolvePairTarget(request, await deps.orchestrator.situation(args.developerId));
  if (!target.ok) {
    await client.chat.postMessage({ channel: args.channel, thread_ts: args.threadTs, text: target.message });
    return true;
  }
  const { sessionId } = await deps.orchestrator.startPair({ developerId: args.developerId, workItemKey: target.workItemKey, phaseId: target.phaseId, channel: args.channel, threadTs: args.threadTs });
  await client.chat.postMessage({
    channel: args.channel,
    thread_ts: args.threadTs,
    text: `Pairing on *${target.phaseId}* (${target.title}) of *${target.workItemKey}*. Reply in this thread; I answer here. (session ${sessionId})`,
  });
  return true;
}

export function registerMessageEvents(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, body, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    // Edits, deletions and bot posts are not things a person said to us.
    if (event.subtype !== undefined || !('user' in event) || !event.user || 'bot_id' in event && event.bot_id) return;
    const text = event.text ?? '';
    const isThreadReply = 'thread_ts' in event && typeof event.thread_ts === 'string' && event.thread_ts !== event.ts;
    const isDm = event.channel_type === 'im';
    if (!isThreadReply && !isDm) return; // channel messages reach us as app_mention when meant for us
    if (!(await claimOnce(deps.db, `slack:event:${body.event_id}`, 'event'))) return;
    const developer = await deps.directory.forSlackUser(event.user);
    if (!developer) {
      if (isDm) await client.chat.postMessage({ channel: event.channel, text: 'You are not on this team’s roster yet; ask your tech lead to add a role file with your Slack id.' });
      return;
    }
    try {
      if (isThreadReply) {
        const threadTs = (event as { thread_ts: string }).thread_ts;
        const { accepted } = await deps.orchestrator.pairMessage({ channel: event.channel, threadTs, developerId: developer.id, text, messageTs: event.ts });
        if (accepted) await client.reactions.add({ channel: event.channel, timestamp: event.ts, name: 'eyes' }).catch(() => undefined);
        return;
      }
      if (await startPairThread(deps, client, { developerId: developer.id, text, channel: event.channel, threadTs: event.ts })) return;
      const answer = await deps.orchestrator.ask(developer.id, text);
      const citations = answer.citations.length ? `\n\n_Sources:_ ${answer.citations.map((c) => `\`${c}\``).join(', ')}` : '';
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: `${answer.text}${citations}`.slice(0, 39_000) });
    } catch (err) {
      deps.logger.error({ err: errorText(err) }, 'message handling failed');
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: `Something went wrong: ${errorText(err)}` });
    }
  });

  app.event('app_mention', async ({ event, body, client }) => {
    if (!event.user) return;
    const isThreadReply = event.thread_ts !== undefined && event.thread_ts !== event.ts;
    const request = parsePairRequest(event.text);
    if (isThreadReply && !request) return; // a mention inside a pair thread arrives as a message event too
    if (!(await claimOnce(deps.db, `slack:event:${body.event_id}`, 'event'))) return;
    const developer = await deps.directory.forSlackUser(event.user);
    if (!developer) {
      await client.chat.postEphemeral({ channel: event.channel, user: event.user, text: 'You are not on this team’s roster yet.' });
      return;
    }
    try {
      if (await startPairThread(deps, client, { developerId: developer.id, text: event.text, channel: event.channel, threadTs: event.thread_ts ?? event.ts })) return;
      const question = event.text.replace(/<@[UW][A-Z0-9]+>/g, '').trim();
      const answer = await deps.orchestrator.ask(developer.id, question);
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: answer.text.slice(0, 39_000) });
    } catch (err) {
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: `Something went wrong: ${errorText(err)}` });
    }
  });
}
