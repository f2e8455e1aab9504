// The Slack inbox's group commit on each store: taps recorded at once are written together, each learns
// whether its own key was new, and a row the store refuses fails alone, named, while the rest are stored.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import { slackIntents } from '../../src/db/schema/core.js';
import { createIntentRecorder, IntentNotRecorded } from '../../src/db/slack-intent-recorder.js';
import { settleIntent, type IntentToRecord } from '../../src/db/slack-intents.js';
import { storeBackends } from '../support/db.js';

const tap = (key: string, note = 'approve'): IntentToRecord => ({ idempotencyKey: key, kind: 'decision', slackUserId: 'U0MARIA01', payload: { note } });

for (const backend of storeBackends()) {
  describe(`Slack intent group commit on ${backend.name}`, () => {
    let store: OpenStore;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => store?.close());

    it('writes concurrent taps in few statements, one row per key, and collapses double taps', async () => {
      const batches: number[] = [];
      const recorder = createIntentRecorder(store.db, { onBatch: (n) => batches.push(n) });
      const keys = Array.from({ length: 60 }, (_, i) => `burst:${i}`);
      // Every key tapped twice at once, and a third time for the first ten.
      const taps = [...keys, ...keys, ...keys.slice(0, 10)];
      const ids = await Promise.all(taps.map((key) => recorder.record(tap(key))));
      const byKey = new Map<string, Array<number | undefined>>();
      taps.forEach((key, i) => byKey.set(key, [...(byKey.get(key) ?? []), ids[i]]));
      for (const [key, answers] of byKey)
        expect(
          answers.filter((id) => id !== undefined),
          key,
        ).toHaveLength(1);
      // Taps made in one turn of the event loop share a statement.
      expect(batches.length).toBeLessThan(taps.length / 10);
      expect(batches.reduce((a, b) => a + b, 0)).toBe(taps.length);
      const stored = await store.db.select().from(slackIntents);
      expect(stored.filter((r) => r.idempotencyKey.startsWith('burst:'))).toHaveLength(keys.length);
    });

    it('revives a refused row once, however many taps ask for it in one batch', async () => {
      const batches: number[] = [];
      const recorder = createIntentRecorder(store.db, { onBatch: (n) => batches.push(n) });
      const first = await recorder.record(tap('revive:1', 'first'));
      expect(first).toBeDefined();
      await settleIntent(store.db, first!, 'refused', 'not on the roster');
      const again = await Promise.all([recorder.record(tap('revive:1', 'second')), recorder.record(tap('revive:1', 'third'))]);
      expect(batches).toEqual([1, 2]);
      expect(again[0]).toBe(first);
      expect(again[1]).toBeUndefined();
      const [row] = await store.db.select().from(slackIntents).where(eq(slackIntents.idempotencyKey, 'revive:1'));
      expect(row).toMatchObject({ status: 'pending', payload: { note: 'second' } });
    });

    it('stores the rest of a batch when the store refuses one row, and names the refused key', async () => {
      const batches: number[] = [];
      const recorder = createIntentRecorder(store.db, { onBatch: (n) => batches.push(n) });
      // PostgreSQL's jsonb cannot hold U+0000: the store refuses that row, and with it the statement it is in.
      const taps = Array.from({ length: 20 }, (_, i) => (i === 7 ? tap('refused:7', 'nul \u0000 here') : tap(`kept:${i}`)));
      const settled = await Promise.allSettled(taps.map((t) => recorder.record(t)));
      // The whole batch first, then each row alone.
      expect(batches).toEqual([20, ...taps.map(() => 1)]);
      const refused = settled[7]!;
      expect(refused.status).toBe('rejected');
      const reason = (refused as PromiseRejectedResult).reason as IntentNotRecorded;
      expect(reason).toBeInstanceOf(IntentNotRecorded);
      expect(reason.idempotencyKey).toBe('refused:7');
      expect(reason.message).toContain('refused:7');
      settled.forEach((s, i) => {
        if (i !== 7) expect(s, taps[i]!.idempotencyKey).toMatchObject({ status: 'fulfilled', value: expect.any(Number) });
      });
      const stored = (await store.db.select().from(slackIntents)).map((r) => r.idempotencyKey);
      expect(stored.filter((k) => k.startsWith('kept:'))).toHaveLength(19);
      expect(stored).not.toContain('refused:7');
    });
  });
}
