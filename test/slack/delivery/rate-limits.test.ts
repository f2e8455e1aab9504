// The outbox dispatcher inside Slack's documented rate limits, against the loopback workspace with the
// limits enforced (https://docs.slack.dev/apis/web-api/rate-limits): conversations.open is Tier 3 (50 per
// minute), chat.postMessage about one per second per channel. The workspace runs time-scaled (a minute lasts
// 3 s) and the dispatcher paces itself on the same scale, as the benchmark does.
import { performance } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../../src/db/client.js';
import { notificationOutbox } from '../../../src/db/schema/core.js';
import { enqueueNotification } from '../../../src/db/outbox.js';
import { upsertDevelopers } from '../../../src/db/work-items.js';
import type { RoleFile, TeamConfig } from '../../../src/config/schema.js';
import { createDispatcher, createDispatcherClient } from '../../../src/slack/delivery/dispatcher.js';
import { createSlackPacer } from '../../../src/slack/delivery/pacer.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../../src/local-slack/server.js';
import { openTestStore } from '../../support/db.js';

const botToken = 'xoxb-rate-limits-test';
const timeScale = 0.05; // a 60 s tier window lasts 3 s, a 3 s channel window 150 ms
const developerCount = 60; // more than Tier 3's 50 conversations.open per window

const roles = new Map<string, RoleFile>();
for (let i = 0; i < developerCount; i++) {
  const id = `rl${String(i).padStart(3, '0')}`;
  roles.set(id, {
    developer: id,
    display_name: `Rate ${i}`,
    slack_user_id: `U0RL${String(i).padStart(5, '0')}`,
    time_zone: 'UTC',
    notifications: { blocking: 'immediate', decision: 'notification', info: 'silent', briefing_time: '08:30' },
  } as unknown as RoleFile);
}
const team = { notifications: { digest_time: '23:59', alerts_channel: '#sitroom-alerts' } } as unknown as TeamConfig;

let store: OpenStore;
let ws: LocalWorkspace;

// One pacer for the file, as one dispatcher process has: it remembers the calls the earlier tests made.
const pacer = createSlackPacer({ windowScale: timeScale });

function dispatcher() {
  return createDispatcher({
    db: store.db,
    client: createDispatcherClient(botToken, ws.apiUrl),
    render: { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
    config: { team, roles },
    logger: createLogger('rate-limits-test', 'silent'),
    pacer,
    batchSize: 100,
  });
}

const briefing = (developerId: string, date: string) => ({
  dedupeKey: `briefing:${developerId}:${date}`,
  developerId,
  urgency: 'decision' as const,
  payload: { kind: 'briefing' as const, developerId, date, relatedPrs: [], pendingDecisions: [], overnightCi: [], knowledge: [] },
});

beforeAll(async () => {
  store = await openTestStore();
  await upsertDevelopers(store.db, roles.values());
  ws = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret: 'rate-limits-secret',
    botToken,
    users: [...roles.values()].map((r) => ({ id: r.slack_user_id!, name: r.developer })),
    rateLimits: { timeScale },
  });
});
afterAll(async () => {
  await ws?.stop();
  await store?.close();
});

describe('dispatcher within Slack rate limits (loopback limits on)', () => {
  it('the loopback workspace answers a call over its tier with 429 and Retry-After in whole seconds', async () => {
    const call = () =>
      fetch(`${ws.apiUrl}conversations.list`, {
        method: 'POST',
        headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 21; i++) {
      const res = await call();
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
      } else await res.arrayBuffer();
    }
    // Tier 2: 20 per minute; the 21st inside the window is refused
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(ws.rateLimited()).toBe(1);
  });

  it('paces conversations.open to Tier 3: 60 first briefings take more than one window and draw no 429', async () => {
    const before = ws.rateLimited();
    for (const id of roles.keys()) expect(await enqueueNotification(store.db, briefing(id, '2099-01-15'))).toBe(true);
    const d = dispatcher();
    const start = performance.now();
    const report = await d.runOnce();
    const elapsed = performance.now() - start;
    expect(report).toMatchObject({ delivered: developerCount, retrying: 0, failed: 0 });
    expect(ws.rateLimited() - before).toBe(0);
    // 50 opens fit one 3 s window; the 51st waits for the window to move
    expect(elapsed).toBeGreaterThanOrEqual(60_000 * timeScale * 0.95);
    expect(ws.apiCalls.filter((c) => c.method === 'conversations.open')).toHaveLength(developerCount);
    for (const id of roles.keys()) expect(ws.messagesIn(ws.dmChannel(roles.get(id)!.slack_user_id!)).length).toBeGreaterThanOrEqual(1);
  });

  it('holds chat.postMessage to one channel at its rate: eight posts to one DM, none refused', async () => {
    const before = ws.rateLimited();
    const date = (n: number) => `2099-02-${String(n + 1).padStart(2, '0')}`;
    for (let n = 0; n < 8; n++) await enqueueNotification(store.db, briefing('rl000', date(n)));
    const start = performance.now();
    expect(await dispatcher().runOnce()).toMatchObject({ delivered: 8, retrying: 0 });
    // three posts per 3 s window (scaled: 150 ms): eight need at least two further windows
    expect(performance.now() - start).toBeGreaterThanOrEqual(2 * 3_000 * timeScale * 0.95);
    expect(ws.rateLimited() - before).toBe(0);
  });

  it('honours Retry-After: after a 429 the next call of that method waits it out, and the refused row is retried after it', async () => {
    for (const id of ['rl001', 'rl002']) await enqueueNotification(store.db, briefing(id, '2099-03-01'));
    ws.rateLimitNext('chat.postMessage', 1, 1);
    const postsBefore = ws.apiCalls.filter((c) => c.method === 'chat.postMessage').length;
    const d = dispatcher();
    const start = performance.now();
    const report = await d.runOnce();
    const elapsed = performance.now() - start;
    expect(report).toMatchObject({ delivered: 1, retrying: 1 });
    // the second row's post waited the first one's Retry-After (1 s) instead of calling at once
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(ws.apiCalls.filter((c) => c.method === 'chat.postMessage').length - postsBefore).toBe(2);
    const refused = (await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.dedupeKey, 'briefing:rl001:2099-03-01')))[0]!;
    expect(refused).toMatchObject({ status: 'pending', attempts: 1, lastError: 'rate limited (Retry-After 1s)' });
    expect(refused.notBefore.getTime()).toBeGreaterThan(Date.now() - elapsed + 900);
    await new Promise((r) => setTimeout(r, Math.max(0, refused.notBefore.getTime() - Date.now()) + 10));
    expect(await d.runOnce()).toMatchObject({ delivered: 1, retrying: 0 });
  });
});
