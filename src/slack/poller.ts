// A pass the Slack app repeats every few seconds (the inbox drain, the review DMs): one pass at a time, a
// failed pass logged and tried again at the next tick, and a stop that does not start another.
import type { Logger } from '../observability/logger.js';
import { errorText } from './listeners/reply.js';

export interface Poller {
  /** Runs the pass now; a caller arriving while one runs waits for that one instead of starting a second. */
  pass(): Promise<number>;
  /** Passes now and then every `everyMs` until stop(). */
  start(everyMs: number): void;
  stop(): Promise<void>;
}

export interface PollerOptions {
  logger: Pick<Logger, 'warn'>;
  /** What the log says when a pass fails. */
  failure: string;
  /** How long stop() waits for a running pass; unbounded when unset. */
  stopWaitMs?: number;
}

export function createPoller(passOnce: () => Promise<number>, options: PollerOptions): Poller {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  const pass = () => (running ??= passOnce().finally(() => (running = undefined)));

  return {
    pass,
    start(everyMs) {
      stopped = false;
      const tick = async () => {
        try {
          await pass();
        } catch (err) {
          options.logger.warn({ err: errorText(err) }, options.failure);
        }
        if (!stopped) timer = setTimeout(() => void tick(), everyMs);
      };
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const current = running?.catch(() => 0);
      if (!current) return;
      if (options.stopWaitMs === undefined) await current;
      else await Promise.race([current, new Promise((r) => setTimeout(r, options.stopWaitMs).unref())]);
    },
  };
}
