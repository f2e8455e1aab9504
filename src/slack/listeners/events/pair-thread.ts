// "pair with me on phase 3 [of KEY]" in a DM or a mention: resolved against the person's situation, then a
// pair session bound to the thread the request started, or a reply in that thread saying what is missing.
import type { AllMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { parsePairRequest, resolvePairTarget } from '../pair.js';

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
