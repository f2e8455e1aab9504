// Where a tapped button sits: the message's channel and ts, so a modal opened from it can update it later.
import type { BlockAction } from '@slack/bolt';
import type { PromptRef } from '../../blocks/kit.js';

export function promptOf(body: BlockAction): PromptRef | undefined {
  const channel = body.container?.channel_id ?? body.channel?.id;
  const ts = body.container?.message_ts ?? body.message?.ts;
  return channel && ts ? { channel, ts } : undefined;
}
