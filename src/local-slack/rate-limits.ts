// Slack's documented Web API rate limits, enforced by the loopback workspace when a test or benchmark asks
// for them (WorkspaceOptions.rateLimits; off by default so other tests are unaffected). A call over its
// method's tier, or a chat.postMessage over its channel's rate, is answered as Slack answers it: HTTP 429
// with `{ok:false, error:"ratelimited"}` and Retry-After in whole seconds
// (https://docs.slack.dev/apis/web-api/rate-limits). Rejected calls do not count against the window.

/** Requests per minute of each tier (the floors Slack documents: "1+", "20+", "50+", "100+"). */
const tierPerMinute = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

/** Each method's tier, from its reference page https://docs.slack.dev/reference/methods/<method>. */
const methodTier: Record<string, keyof typeof tierPerMinute> = {
  'auth.test': 4,
  'conversations.open': 3,
  'conversations.list': 2,
  'chat.update': 3,
  'chat.postEphemeral': 4,
  'users.info': 4,
  'views.publish': 4,
  'views.open': 4,
  'views.update': 4,
  'reactions.add': 3,
};

/**
 * chat.postMessage is "special": about one message per second per channel, short bursts tolerated
 * (https://docs.slack.dev/reference/methods/chat.postMessage). Slack gives no burst size; the workspace
 * counts three posts per channel in any three seconds. Slack's workspace-wide posting limit has no published
 * number, so it is not enforced.
 */
const channelPostsPerWindow = 3;
const channelWindowMs = 3_000;
const tierWindowMs = 60_000;

function limitsFor(method: string, channel: string | undefined): Array<{ key: string; limit: number; windowMs: number }> {
  if (method === 'chat.postMessage') return channel ? [{ key: `post:${channel}`, limit: channelPostsPerWindow, windowMs: channelWindowMs }] : [];
  const tier = methodTier[method];
  return tier ? [{ key: method, limit: tierPerMinute[tier], windowMs: tierWindowMs }] : [];
}

export interface RateLimitEnforcement {
  /**
   * Shrinks every window by this factor (0.01: a minute lasts 600 ms), so a benchmark can run thousands of
   * calls against the same limits in seconds. Retry-After stays in whole seconds, as Slack sends it.
   */
  timeScale?: number;
}

export function createRateLimitEnforcer(options: RateLimitEnforcement, clock: () => number = () => performance.now()) {
  const scale = options.timeScale ?? 1;
  const calls = new Map<string, number[]>();
  let rejected = 0;

  return {
    /** Counts the call if every limit it is under allows it; otherwise returns the Retry-After to send. */
    admit(method: string, channel: string | undefined): { retryAfterSeconds: number } | null {
      const now = clock();
      const limits = limitsFor(method, channel);
      let waitMs = 0;
      for (const l of limits) {
        const windowMs = l.windowMs * scale;
        const log = (calls.get(l.key) ?? []).filter((t) => t > now - windowMs);
        calls.set(l.key, log);
        if (log.length >= l.limit) waitMs = Math.max(waitMs, log[log.length - l.limit]! + windowMs - now);
      }
      if (waitMs > 0) {
        rejected++;
        return { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      for (const l of limits) calls.get(l.key)!.push(now);
      return null;
    },
    /** How many calls were answered 429 so far. */
    rejected: () => rejected,
  };
}
