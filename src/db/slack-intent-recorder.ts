// Group commit for the Slack inbox: a tap is acknowledged only once its intent is stored, and under a burst
// of taps one INSERT per tap queues every acknowledgement behind the ones before it (the embedded store runs
// one statement at a time). Taps that arrive while a write is in flight wait together and are written by the
// next one as a single multi-row INSERT; each learns from the returned keys whether its own key was new, so a
// double tap still collapses. A tap that finds nothing in flight is written at once, alone: no added wait
// when the app is quiet.
import { performance } from 'node:perf_hooks';
import type { Database } from './client.js';
import { recordIntents, type IntentToRecord } from './slack-intents.js';

/** A row the store refused on its own (after its batch failed and it was written alone), named by its key. */
export class IntentNotRecorded extends Error {
  constructor(
    readonly idempotencyKey: string,
    cause: unknown,
  ) {
    super(`the Slack inbox could not store ${idempotencyKey}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'IntentNotRecorded';
  }
}

export interface IntentRecorder {
  /** Resolves once the intent is stored: its row id, or undefined when the key is already pending or applied. */
  record(intent: IntentToRecord): Promise<number | undefined>;
  /**
   * Resolves once no tap has come for a moment and none waits to be stored (or after maxWaitMs at most), so
   * the work that follows acknowledgements does not compete with the ones still to be given.
   */
  quiet(maxWaitMs?: number): Promise<void>;
}

export interface IntentRecorderOptions {
  /** Rows in one statement at most. */
  maxBatch?: number;
  /** Taps closer together than this are a burst. */
  burstGapMs?: number;
  /** In a burst, how long the first waiting tap lets others join it before they are written. */
  burstWindowMs?: number;
  /** Told the size of every statement written (for tests and the benchmark). */
  onBatch?: (size: number) => void;
}

interface Waiting {
  intent: IntentToRecord;
  resolve(id: number | undefined): void;
  reject(err: unknown): void;
}

/** One statement's worth: PostgreSQL takes at most 65,535 parameters, four per row here. */
const defaultMaxBatch = 500;

export function createIntentRecorder(db: Database, options: IntentRecorderOptions = {}): IntentRecorder {
  const maxBatch = options.maxBatch ?? defaultMaxBatch;
  const burstGapMs = options.burstGapMs ?? 20;
  const burstWindowMs = options.burstWindowMs ?? 10;
  const queue: Waiting[] = [];
  let writing = false;
  let lastTapAt = -Infinity;

  async function write(batch: Waiting[]): Promise<void> {
    options.onBatch?.(batch.length);
    try {
      const ids = await recordIntents(
        db,
        batch.map((w) => w.intent),
      );
      batch.forEach((w, i) => w.resolve(ids[i]));
      return;
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(new IntentNotRecorded(batch[0]!.intent.idempotencyKey, err));
    }
    // The statement is all or nothing: one row the store refuses (or an outage) lost them all. Each row alone
    // now, in order, so the others are stored and only the refused one fails, naming its key.
    for (const w of batch) {
      options.onBatch?.(1);
      try {
        w.resolve((await recordIntents(db, [w.intent]))[0]);
      } catch (err) {
        w.reject(new IntentNotRecorded(w.intent.idempotencyKey, err));
      }
    }
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await write(queue.splice(0, maxBatch));
    } finally {
      writing = false;
    }
  }

  return {
    record(intent) {
      const now = performance.now();
      const inBurst = now - lastTapAt < burstGapMs;
      lastTapAt = now;
      return new Promise((resolve, reject) => {
        queue.push({ intent, resolve, reject });
        if (writing) return;
        writing = true;
        // The store runs one statement at a time on this thread, so taps rarely arrive while one is in flight:
        // a lone tap is written after this turn of the event loop (with any that arrived in it), and in a burst
        // the first waits a few milliseconds for the next ones, which costs less than a statement each.
        if (inBurst) setTimeout(() => void drain(), burstWindowMs);
        else setImmediate(() => void drain());
      });
    },
    async quiet(maxWaitMs = 2_000) {
      const until = performance.now() + maxWaitMs;
      for (;;) {
        const now = performance.now();
        const calm = !writing && queue.length === 0 && now - lastTapAt >= burstGapMs;
        if (calm || now >= until) return;
        await new Promise((r) => setTimeout(r, Math.min(burstGapMs, until - now)));
      }
    },
  };
}
