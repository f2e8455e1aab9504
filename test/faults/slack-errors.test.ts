// Slack answers 429 (Retry-After) and 500 while the product has things to say: the outbox keeps each
// message and the dispatcher delivers it later, exactly once — nothing lost, nothing doubled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { conditionPhase, faultKey, onePhasePlan, startSurfaces, type Surfaces } from './support.js';

let rt: TestRuntime;
let surfaces: Surfaces;
beforeAll(async () => {
  rt = await startTestRuntime();
  surfaces = await startSurfaces(rt);
});
afterAll(async () => {
  await surfaces?.stop();
  await rt?.stop();
});

describe('Slack rate limits and server errors', () => {
  it('gate prompts sent through 429s and 500s arrive once each, after the retries', async () => {
    const { workspace } = surfaces;
    const key = faultKey('SLACK');
    const dm = workspace.dmChannel('U0MARIA01');
    const withText = (needle: string) => () => workspace.messagesIn(dm).filter((m: StoredMessage) => m.text.includes(needle));
    const outboxRow = async (dedupeKey: string) =>
      (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.dedupeKey, dedupeKey)))[0];

    // The plan gate meets two rate limits and a server error before Slack takes it.
    workspace.rateLimitNext('chat.postMessage', 1, 2);
    workspace.failNext('chat.postMessage', 500, 1);
    const started = Date.now();
    const handle = await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Capacity errors per platform',
          intention: 'report capacity errors',
          plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        },
      ],
    });
    const planGate = await eventually(
      async () => withText(`Plan for ${key}`)(),
      (m) => m.length > 0,
      'plan gate in maria’s DM',
      60_000,
    );
    const planRow = await outboxRow(`gate:${key}:plan:v1`);
    expect(planRow).toMatchObject({ status: 'delivered', attempts: 4, lastError: null });
    // Delayed by the Retry-After seconds and the back-off, not sent straight through.
    expect(Date.now() - started).toBeGreaterThan(2_000);

    // She approves from that very message; the phase gate then meets a 503 and a 429 of its own.
    workspace.failNext('chat.postMessage', 503, 1);
    workspace.rateLimitNext('chat.postMessage', 1, 1);
    expect((await workspace.tap('U0MARIA01', planGate[0]!, 'sitroom:decide:approve-plan')).status).toBe(200);
    await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.phases[0]?.status === 'awaiting-approval',
      'phase gate open',
    );
    await eventually(
      async () => withText(`${key} · phase api`)(),
      (m) => m.length > 0,
      'phase gate in maria’s DM',
      60_000,
    );

    // Several dispatcher passes later there is still one of each.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(withText(`Plan for ${key}`)()).toHaveLength(1);
    expect(withText(`${key} · phase api`)()).toHaveLength(1);
    const gateRows = (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'gate'))).filter((r) =>
      r.dedupeKey.startsWith(`gate:${key}`),
    );
    expect(gateRows.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(gateRows.every((r) => r.attempts >= 2)).toBe(true);
    expect(new Set(gateRows.map((r) => r.slackTs)).size).toBe(2);
  }, 120_000);
});
