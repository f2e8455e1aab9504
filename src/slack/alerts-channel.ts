// The bot joins the alerts channel itself (conversations.join, https://docs.slack.dev/reference/methods/conversations.join)
// so nobody has to invite it. Slack lets a bot join public channels only: for a private channel, or one the bot
// cannot see, it says exactly what the operator must do, and `sitroom doctor` checks the same.
import type { App } from '@slack/bolt';
import type { Logger } from '../observability/logger.js';
import { errorText } from './listeners/reply.js';

export type AlertsChannelState = { ok: true; channel: string; joined: boolean } | { ok: false; channel?: string; reason: string; fix: string };

interface Listed {
  id?: string;
  name?: string;
  is_private?: boolean;
  is_member?: boolean;
}

export async function ensureInAlertsChannel(client: App['client'], name: string, logger: Logger): Promise<AlertsChannelState> {
  const wanted = name.replace(/^#/, '');
  let found: Listed | undefined;
  try {
    let cursor: string | undefined;
    do {
      const page = await client.conversations.list({
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      found = (page.channels as Listed[] | undefined)?.find((c) => c.name === wanted || c.id === wanted);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (!found && cursor);
  } catch (err) {
    const state = {
      ok: false as const,
      reason: `conversations.list failed: ${errorText(err)}`,
      fix: 'Give the app the channels:read and groups:read scopes (see slack-app-manifest.yaml) and reinstall it.',
    };
    logger.error({ channel: wanted, reason: state.reason, fix: state.fix }, 'cannot check the alerts channel');
    return state;
  }
  if (!found?.id) {
    const state = {
      ok: false as const,
      reason: `no channel #${wanted} the bot can see: it does not exist, or it is private and the bot is not in it`,
      fix: `Create #${wanted}, or if it is private run "/invite @sitroom" in it; or set team.notifications.alerts_channel to an existing channel.`,
    };
    logger.error({ channel: wanted, reason: state.reason, fix: state.fix }, 'alerts channel unavailable: channel alerts will fail');
    return state;
  }
  if (found.is_member) return { ok: true, channel: found.id, joined: false };
  if (found.is_private) {
    const state = {
      ok: false as const,
      channel: found.id,
      reason: `#${wanted} is private and Slack does not let an app join a private channel itself`,
      fix: `Run "/invite @sitroom" in #${wanted}.`,
    };
    logger.error({ channel: wanted, reason: state.reason, fix: state.fix }, 'alerts channel unavailable: channel alerts will fail');
    return state;
  }
  try {
    await client.conversations.join({ channel: found.id });
    logger.info({ channel: wanted }, 'joined the alerts channel');
    return { ok: true, channel: found.id, joined: true };
  } catch (err) {
    const why = errorText(err);
    const fix = /missing_scope/.test(why)
      ? 'Add the channels:join scope (slack-app-manifest.yaml) and reinstall the app, or run "/invite @sitroom" in the channel.'
      : `Run "/invite @sitroom" in #${wanted}.`;
    logger.error({ channel: wanted, reason: why, fix }, 'could not join the alerts channel: channel alerts will fail');
    return { ok: false, channel: found.id, reason: `conversations.join failed: ${why}`, fix };
  }
}
