import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { notificationOutbox, processedSlackEvents } from '../../src/db/schema/core.js';
import {
  appendDecision,
  commitDecisionWithEffects,
  decisionsFor,
  getWorkItem,
  phasesOf,
  savePlan,
  upsertDevelopers,
  upsertWorkItem,
} from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { initialPhases } from '../../src/plan/state.js';
import { type WorkItemSettings } from '../../src/contracts/work-item.js';
import { loadConfig, exampleTargetRepo } from '../../src/config/load.js';
import { enqueueNotification } from '../../src/db/outbox.js';
import { storeBackends } from '../support/db.js';

for (const backend of storeBackends()) {
  describe(`storage on ${backend.name}`, () => {
    let store: OpenStore;
    beforeAll(async () => {
      store = await backend.open();
      await upsertDevelopers(store.db, loadConfig(exampleTargetRepo).roles.values());
      await upsertWorkItem(store.db, {
        key: 'HOSTEDCP-1',
        ownerId: 'maria',
        title: 'Capacity errors',
        intention: 'report capacity errors per platform',
        workflowId: 'work-item:HOSTEDCP-1',
        status: 'planning',
      });
    });
    afterAll(async () => store?.close());

    it('records a decision once per idempotency key, however often the activity retries', async () => {
      const record = {
        idempotencyKey: 'upd-1',
        workItemKey: 'HOSTEDCP-1',
        phaseId: null,
        kind: 'approve-plan',
        actor: 'maria',
        surface: 'slack-button',
        detail: { planVersion: 1 },
      };
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
      const n = {
        dedupeKey: 'gate:HOSTEDCP-1:plan:v1',
        developerId: 'maria',
        urgency: 'decision' as const,
        payload: { kind: 'info' as const, text: 'plan ready' },
      };
      expect(await enqueueNotification(store.db, n)).toBe(true);
      expect(await enqueueNotification(store.db, n)).toBe(false);
      expect(await store.db.select().from(notificationOutbox)).toHaveLength(1);
      await store.db.insert(processedSlackEvents).values({ idempotencyKey: 'Ev01', kind: 'event' });
      await expect(store.db.insert(processedSlackEvents).values({ idempotencyKey: 'Ev01', kind: 'event' })).rejects.toThrow();
    });

    it('stores a plan edit with its audit row, notification and phases in one statement, once, and never over a newer plan', async () => {
      const key = 'HOSTEDCP-2';
      await upsertWorkItem(store.db, {
        key,
        ownerId: 'maria',
        title: 'Capacity errors',
        intention: 'report capacity errors',
        workflowId: `work-item:${key}`,
        status: 'awaiting-plan-approval',
      });
      const settings = {
        modes: { api_changes: { mode: 'approval-required', source: 'team-activity' }, tests: { mode: 'autonomous', source: 'team-activity' } },
        approvers: [],
        phaseApprovers: {},
        reminderAfterMs: 1,
        escalateAfterMs: 2,
      } as unknown as WorkItemSettings;
      const planWith = (ids: string[]): Plan => ({
        workItemKey: key,
        intention: 'report capacity errors',
        summary: ids.join('+'),
        phases: ids.map((id, i) => ({
          id,
          title: `Phase ${id}`,
          activity: i === 0 ? 'api_changes' : 'tests',
          files: ['README.md'],
          constraints: [],
          validation: [],
          dependsOn: [],
          mergeOrder: i + 1,
        })),
      });
      const v1 = planWith(['api', 'docs']);
      await savePlan(store.db, { key, plan: v1, version: 1, status: 'awaiting-plan-approval', phases: initialPhases(v1, settings) });
      const v2 = planWith(['api', 'bridge']);
      const decidedAt = new Date('2026-11-25T09:30:00.000Z');
      const edit = {
        decision: {
          idempotencyKey: `edit-${key}-2`,
          workItemKey: key,
          phaseId: null,
          kind: 'edit-plan',
          actor: 'maria',
          surface: 'slack-modal',
          detail: { note: "it's the bridge, not the docs" },
          decidedAt,
        },
        notification: {
          dedupeKey: `decided:edit-${key}-2`,
          developerId: 'maria',
          urgency: 'info' as const,
          payload: { kind: 'decision-recorded' as const, workItemKey: key, text: 'maria edited the plan (v2)' },
        },
        plan: { key, plan: v2, version: 2, status: 'awaiting-plan-approval', phases: initialPhases(v2, settings) },
      };
      expect(await commitDecisionWithEffects(store.db, edit)).toEqual({ decidedAt, inserted: true });
      expect(await commitDecisionWithEffects(store.db, { ...edit, decision: { ...edit.decision, actor: 'mallory' } })).toEqual({ decidedAt, inserted: false });

      const audit = await decisionsFor(store.db, key);
      expect(audit.map((d) => [d.kind, d.actor, d.decidedAt.toISOString(), d.detail])).toEqual([
        ['edit-plan', 'maria', decidedAt.toISOString(), { note: "it's the bridge, not the docs" }],
      ]);
      const outbox = (await store.db.select().from(notificationOutbox)).filter((r) => r.dedupeKey === `decided:edit-${key}-2`);
      expect(outbox.map((r) => [r.kind, r.urgency, r.payload])).toEqual([['decision-recorded', 'info', edit.notification.payload]]);
      expect((await getWorkItem(store.db, key))?.planVersion).toBe(2);
      expect((await getWorkItem(store.db, key))?.plan).toEqual(v2);
      expect((await phasesOf(store.db, key)).map((p) => [p.phaseId, p.ordinal, p.mode, p.status])).toEqual([
        ['api', 1, 'approval-required', 'blocked'],
        ['bridge', 2, 'autonomous', 'blocked'],
      ]);

      // A late confirmation of an older edit records its audit row but leaves the newer plan and its phases alone.
      const late = {
        ...edit,
        decision: { ...edit.decision, idempotencyKey: `edit-${key}-late`, decidedAt: undefined },
        notification: undefined,
        plan: { key, plan: v1, version: 1, status: 'awaiting-plan-approval', phases: initialPhases(v1, settings) },
      };
      const { notification: _none, ...lateWithoutNotification } = late;
      expect((await commitDecisionWithEffects(store.db, lateWithoutNotification)).inserted).toBe(true);
      expect((await getWorkItem(store.db, key))?.planVersion).toBe(2);
      expect((await phasesOf(store.db, key)).map((p) => p.phaseId)).toEqual(['api', 'bridge']);
      expect((await decisionsFor(store.db, key)).map((d) => d.idempotencyKey)).toEqual([`edit-${key}-2`, `edit-${key}-late`]);
    });
  });
}

describe('embedded store', () => {
  it('keeps work items across a restart of the process', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'sitroom-pglite-')), 'pglite');
    const first = await openStore({ dataDir });
    await upsertDevelopers(first.db, loadConfig(exampleTargetRepo).roles.values());
    await upsertWorkItem(first.db, {
      key: 'HOSTEDCP-7',
      ownerId: 'sam',
      title: 'Starter task',
      intention: 'status only',
      workflowId: 'work-item:HOSTEDCP-7',
      status: 'planning',
    });
    await first.close();
    const second = await openStore({ dataDir });
    expect(await getWorkItem(second.db, 'HOSTEDCP-7')).toMatchObject({ ownerId: 'sam', title: 'Starter task' });
    await second.close();
  });
});
