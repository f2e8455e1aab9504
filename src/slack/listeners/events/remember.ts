// "remember: …" in a DM or a thread: the rest of the message becomes the developer's hypothesis in their
// personal memory, and the next briefing shows it. Pure parsing here; the listener saves and replies.
import type { AllMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { escapeMrkdwn } from '../../blocks/kit.js';

const rememberPattern = /^\s*(?:<@[UW][A-Z0-9]+>\s*)?remember(?:\s+that)?\s*[:—–-]\s*([\s\S]+)$/i;

/** The hypothesis in "remember: …", or undefined for any other message. */
export function parseRemember(text: string): string | undefined {
  const match = rememberPattern.exec(text);
  // Slack escapes &, < and > in message text; the hypothesis is stored as the person typed it.
  const hypothesis = match?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
  return hypothesis ? hypothesis : undefined;
}

type Client = AllMiddlewareArgs['client'];

/** Saves the hypothesis and says so in the thread; false when the message is not a "remember:". */
export async function rememberFromMessage(
  deps: SlackDeps,
  client: Client,
  args: { developerId: string; text: string; channel: string; threadTs: string },
): Promise<boolean> {
  const hypothesis = parseRemember(args.text);
  if (!hypothesis) return false;
  if (!deps.orchestrator.remember) {
    await client.chat.postMessage({ channel: args.channel, thread_ts: args.threadTs, text: 'Saving hypotheses is not available on this installation.' });
    return true;
  }
  const saved = await deps.orchestrator.remember(args.developerId, hypothesis);
  await client.chat.postMessage({
    channel: args.channel,
    thread_ts: args.threadTs,
    text: `Saved as your hypothesis; your next briefing starts from it:\n> ${escapeMrkdwn(saved.hypothesis)}`,
  });
  return true;
}
