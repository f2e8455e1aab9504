// Slack's documented Web API rate limits as the outbox dispatcher paces itself by them (the loopback
// workspace enforces the same documented numbers on its own side). Limits apply per method, app and workspace:
// https://docs.slack.dev/apis/web-api/rate-limits — Tier 1: 1+ per minute, Tier 2: 20+, Tier 3: 50+,
// Tier 4: 100+; chat.postMessage is "special": about one message per second per channel, bursts tolerated,
// plus a workspace-wide limit whose number Slack does not publish. Each method's tier is on its reference
// page (https://docs.slack.dev/reference/methods/<method>). We use the floor of each tier: Slack promises
// at least that many.

export type SlackRateTier = 1 | 2 | 3 | 4;

/** Requests per minute Slack guarantees for each tier (the "+" is headroom we do not count on). */
export const slackTierPerMinute: Readonly<Record<SlackRateTier, number>> = { 1: 1, 2: 20, 3: 50, 4: 100 };

/** The tier of each Web API method the app calls; chat.postMessage is special and listed apart. */
export const slackMethodTiers: Readonly<Record<string, SlackRateTier>> = {
  'auth.test': 4, // https://docs.slack.dev/reference/methods/auth.test
  'conversations.open': 3, // https://docs.slack.dev/reference/methods/conversations.open
  'conversations.list': 2, // https://docs.slack.dev/reference/methods/conversations.list
  'chat.update': 3, // https://docs.slack.dev/reference/methods/chat.update
  'chat.postEphemeral': 4, // https://docs.slack.dev/reference/methods/chat.postEphemeral
  'users.info': 4, // https://docs.slack.dev/reference/methods/users.info
  'views.publish': 4, // https://docs.slack.dev/reference/methods/views.publish
  'views.open': 4, // https://docs.slack.dev/reference/methods/views.open
  'views.update': 4, // https://docs.slack.dev/reference/methods/views.update
  'reactions.add': 3, // https://docs.slack.dev/reference/methods/reactions.add
};

/**
 * chat.postMessage: one message per second per channel, short bursts tolerated
 * (https://docs.slack.dev/reference/methods/chat.postMessage). Slack gives no burst size; we count the rate
 * over a 3-second window, so three posts may go at once and the average stays at one per second.
 */
export const slackChannelPostsPerWindow = 3;
export const slackChannelWindowMs = 3_000;

/** The window the tiers' per-minute limits are counted over, in milliseconds. */
export const slackTierWindowMs = 60_000;

/** The sliding-window limit that applies to one call: per method (tiers) or per channel (chat.postMessage). */
export interface SlackLimitKey {
  key: string;
  limit: number;
  windowMs: number;
}

/** The limits a call of `method` (to `channel`, for chat.postMessage) counts against; none for unlisted methods. */
export function slackLimitsFor(method: string, channel?: string): SlackLimitKey[] {
  if (method === 'chat.postMessage')
    return channel ? [{ key: `chat.postMessage:${channel}`, limit: slackChannelPostsPerWindow, windowMs: slackChannelWindowMs }] : [];
  const tier = slackMethodTiers[method];
  return tier ? [{ key: method, limit: slackTierPerMinute[tier], windowMs: slackTierWindowMs }] : [];
}
