// Keeps the dispatcher inside Slack's documented rate limits instead of finding them by 429s: each Web API
// method is paced to its tier's per-minute floor and chat.postMessage to its channel's rate
// (slack-limits.ts, https://docs.slack.dev/apis/web-api/rate-limits). When Slack still
// answers 429, the method waits out Retry-After before its next call, whichever row that call is for.
import { slackLimitsFor } from './slack-limits.js';

export interface PacerOptions {
  /** Windows scaled by this factor (1 in production; a benchmark on a time-scaled loopback Slack passes its scale). */
  windowScale?: number;
  /** Monotonic milliseconds for the sliding windows (real time: Slack counts in real time). */
  clock?: () => number;
  /** The dispatcher's wall clock, which Retry-After is counted on, like the outbox rows it defers. */
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export type SlackPacer = ReturnType<typeof createSlackPacer>;

export function createSlackPacer(options: PacerOptions = {}) {
  const scale = options.windowScale ?? 1;
  const clock = options.clock ?? (() => performance.now());
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const calls = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();
  let waitedMs = 0;

  /** Milliseconds until a call of these limits fits in every window (0: it fits now). */
  function waitFor(method: string, channel?: string): number {
    const t = clock();
    let wait = 0;
    for (const l of slackLimitsFor(method, channel)) {
      const windowMs = l.windowMs * scale;
      const log = (calls.get(l.key) ?? []).filter((at) => at > t - windowMs);
      calls.set(l.key, log);
      if (log.length >= l.limit) wait = Math.max(wait, log[log.length - l.limit]! + windowMs - t);
    }
    return wait;
  }

  return {
    /**
     * Resolves when a call of `method` (to `channel`) is inside the limits, and counts it. Call the returned
     * function when Slack has answered: the call is then counted from that moment, which is never earlier than
     * Slack counted it, so the next call never lands inside Slack's window while outside ours.
     */
    async acquire(method: string, channel?: string): Promise<() => void> {
      // Retry-After is waited once: the dispatcher's clock may be a test's, which does not move while we sleep
      const retryWait = (blockedUntil.get(method) ?? 0) - now().getTime();
      if (retryWait > 0) {
        waitedMs += retryWait;
        await sleep(retryWait);
      }
      for (let wait = waitFor(method, channel); wait > 0; wait = waitFor(method, channel)) {
        waitedMs += wait;
        await sleep(wait);
      }
      const stamp = { at: clock() };
      const logs = slackLimitsFor(method, channel).map((l) => calls.get(l.key)!);
      for (const log of logs) log.push(stamp.at);
      return () => {
        const answered = clock();
        for (const log of logs) {
          const i = log.lastIndexOf(stamp.at);
          if (i >= 0) log[i] = answered;
        }
        stamp.at = answered;
      };
    },
    /** Slack answered 429: no call of `method` before Retry-After has passed. */
    rateLimited(method: string, retryAfterSeconds: number): void {
      blockedUntil.set(method, Math.max(blockedUntil.get(method) ?? 0, now().getTime() + retryAfterSeconds * 1_000));
    },
    /** Total time spent waiting for the limits, for benchmarks and logs. */
    waitedMs: () => waitedMs,
  };
}
