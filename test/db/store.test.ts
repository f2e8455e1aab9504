import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { notificationOutbox, processedSlackEvents } from '../../src/db/schema/core.js';
import { appendDecision, decisionsFor, getWorkItem, upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { loadConfig, exampleTargetRepo } from '../../src/config/load.js';
import { enqueueNotification } from '../../src/notifications/outbox.js';
import { storeBackends } from '../support/db.js';

for (const backend of storeBackends()) {
  describe(`storage on ${backend.name}`, () => {
    let store: OpenStore;
    beforeAll(async () => {
      store = await backend.open();
      await upsertDevelopers(store.db, loadConfig(exampleTargetRepo).roles.values());
      await upsertWorkItem(store.db, { key: 'HOSTEDCP-1', ownerId: 'maria', title: 'Capacity errors', intention: 'report capacity errors per platform', workflowId: 'work-item:HOSTEDCP-1', status: 'planning' });
    });
    afterAll(async () => store?.close());

    it('records a decision once per idempotency key, however often the activity retries', async () => {
      const record = { idempotencyKey: 'upd-1', workItemKey: 'HOSTEDCP-1', phaseId: null, kind: 'approve-plan', actor: 'maria', surface: 'slack-button', detail: { planVersion: 1 } };
      const first = await appendDecision(store.db, record);
      const again = await appendDecision(store.db, { ...record, actor: 'someone-else' });
      expect(first.inserted).toBe(true);
      expect(again).toMatchObject({ inserted: false, id: first.id });
      const rows = await decisionsFor(store.db, 'HOSTEDCP-1');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'maria', surface: 'slack-button', kind: 'approve-plan' });
    });

    it('refuses to rewrite or delete the audit log', async () => {
      const appendOnly = { cause: { message: expect.stringMatching(/decisions is append-only/) } };
      await expect(store.db.execute(sql`UPDATE decisions SET actor = 'mallory'`)).rejects.toMatchObject(appendOnly);
      await expect(store.db.execute(sql`DELETE FROM decisions`)).rejects.toMatchObject(appendOnly);
      expect((await decisionsFor(store.db, 'HOSTEDCP-1'))[0]?.actor).toBe('maria');
    });

    it('keeps one outbox row per dedupe key and one processed row per Slack event id', async () => {
      const n = { dedupeKey: 'gate:HOSTEDCP-1:plan:v1', developerId: 'maria', urgency: 'decision' as const, payload: { kind: 'info' as const, text: 'plan ready' } };
      expect(await enqueueNotification(store.db, n)).toBe(true);
      expect(await enqueueNotification(store.db, n)).toBe(false);
      expect(await store.db.select().from(notificationOutbox)).toHaveLength(1);
      await store.db.insert(processedSlackEvents).values({ idempotencyKey: 'Ev01', kind: 'event' });
      await expect(store.db.insert(processedSlackEvents).values({ idempotencyKey: 'Ev01', kind: 'event' })).rejects.toThrow();
    });
  });
}

describe('embedded store', () => {
  it('keeps work items across a restart of the process', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'sitroom-pglite-')), 'pglite');
    const first = await openStore({ dataDir });
    await upsertDevelopers(first.db, loadConfig(exampleTargetRepo).roles.values());
    await upsertWorkItem(first.db, { key: 'HOSTEDCP-7', ownerId: 'sam', title: 'Starter task', intention: 'status only', workflowId: 'work-item:HOSTEDCP-7', status: 'planning' });
    await first.close();
    const second = await openStore({ dataDir });
    expect(await getWorkItem(second.db, 'HOSTEDCP-7')).toMatchObject({ ownerId: 'sam', title: 'Starter task' });
    await second.close();
  });
});
