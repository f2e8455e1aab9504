// Private answers to one person: an ephemeral in the conversation they acted in, or their DM with the app
// when they acted somewhere without a conversation (App Home, a modal).
import type { webApi } from '@slack/bolt';
import { redactSecrets } from '../../observability/logger.js';
import type { Logger } from '../../observability/logger.js';

export async function tellPrivately(client: webApi.WebClient, logger: Logger, args: { user: string; channel?: string | undefined; threadTs?: string | undefined; text: string }): Promise<void> {
  try {
    let channel = args.channel;
    if (!channel) {
      const opened = await client.conversations.open({ users: args.user });
      channel = opened.channel?.id;
    }
    if (!channel) return;
    await client.chat.postEphemeral({ channel, user: args.user, text: args.text, ...(args.threadTs ? { thread_ts: args.threadTs } : {}) });
  } catch (err) {
    logger.warn({ err: redactSecrets(String(err)), user: args.user }, 'could not send a private reply');
  }
}

export function errorText(err: unknown): string {
  return redactSecrets(err instanceof Error ? err.message : String(err));
}
