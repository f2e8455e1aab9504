// Private answers to one person: an ephemeral in the conversation they acted in, or their DM with the app
// when they acted somewhere without a conversation (App Home, a modal).
import type { webApi } from '@slack/bolt';
import { redactSecrets } from '../../observability/logger.js';
import type { Logger } from '../../observability/logger.js';

export async function tellPrivately(
  client: webApi.WebClient,
  logger: Logger,
  args: { user: string; channel?: string | undefined; threadTs?: string | undefined; text: string },
): Promise<void> {
  const inDm = async () => {
    const opened = await client.conversations.open({ users: args.user });
    if (opened.channel?.id) await client.chat.postEphemeral({ channel: opened.channel.id, user: args.user, text: args.text });
  };
  try {
    if (!args.channel) return await inDm();
    try {
      await client.chat.postEphemeral({ channel: args.channel, user: args.user, text: args.text, ...(args.threadTs ? { thread_ts: args.threadTs } : {}) });
    } catch {
      // The person acted somewhere the app cannot whisper to them (e.g. not a member): fall back to their DM.
      await inDm();
    }
  } catch (err) {
    logger.warn({ err: redactSecrets(String(err)), user: args.user }, 'could not send a private reply');
  }
}

export function errorText(err: unknown): string {
  return redactSecrets(err instanceof Error ? err.message : String(err));
}
