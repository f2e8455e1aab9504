// The outbox dispatcher against the local workspace's Web API: delivery, dedupe, 429 and 5xx retries,
// quiet hours, silent logging and the digest.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../../src/db/client.js';
import { notificationOutbox } from '../../../src/db/schema/core.js';
import { createDispatcher, createDispatcherClient } from '../../../src/slack/delivery/dispatcher.js';
import { createSlackPacer } from '../../../src/slack/delivery/pacer.js';
import { enqueueNotification } from '../../../src/db/outbox.js';
import type { NotificationPreferences } from '../../../src/notifications/routing.js';
import type { RoleFile, TeamConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../../src/local-slack/server.js';
import { openTestStore } from '../../support/db.js';
import { botToken, seedTeam, signingSecret, workspaceUsers } from '../harness.js';

let store: OpenStore;
let ws: LocalWorkspace;
let clock = new Date('2099-01-15T10:00:00Z'); // 11:00 in Madrid, far enough ahead that every row is due

const prefs: Record<string, NotificationPreferences> = {
  maria: { blocking: 'immediate', decision: 'notification', info: 'silent', quiet_hours: { start: '20:00', end: '07:30' }, briefing_time: '08:30' },
  sam: { blocking: 'immediate', decision: 'immediate', info: 'notification', briefing_time: '09:00' },
};
const roles = new Map(Object.entries(prefs).map(([id, notifications]) => [id, { notifications } as unknown as RoleFile]));
const team = { notifications: { digest_time: '16:30', alerts_channel: '#sitroom-alerts' } } as unknown as TeamConfig;

function dispatcher() {
  return createDispatcher({
    db: store.db,
    client: createDispatcherClient(botToken, ws.apiUrl),
    render: { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => (id === 'maria' ? '<@U0MARIA01>' : id) },
    config: { team, roles },
    logger: createLogger('dispatch-test', 'silent'),
    now: () => clock,
  });
}
const row = async (dedupeKey: string) => (await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.dedupeKey, dedupeKey)))[0]!;

/** Gates queued for sam's DM, one per work item key: the backlog a busy hour leaves there. */
async function queueGatesForSam(tag: string, keys: string[]): Promise<void> {
  for (const [i, key] of keys.entries()) {
    await enqueueNotification(store.db, {
      dedupeKey: `gate:${tag}:${i + 1}`,
      developerId: 'sam',
      urgency: 'decision',
      payload: { kind: 'gate', workItemKey: key, title: `${tag} gate ${i + 1}`, summary: 's' },
    });
  }
}

/** A blocking CI alert on sam's work item `key`. */
const ciAlertForSam = (key: string) =>
  enqueueNotification(store.db, {
    dedupeKey: `ci:${key}`,
    developerId: 'sam',
    urgency: 'blocking',
    payload: {
      kind: 'ci-alert',
      workItemKey: key,
      phaseId: 'api',
      prUrl: 'https://github.com/o/r/pull/1',
      ownerId: 'sam',
      failures: [{ job: 'e2e-aws', classification: 'real', signature: 'NodePool never ready' }],
    },
  });

/** The work item keys matching `pattern` that sam's DM shows, in the order they were posted. */
const keysPostedToSam = (pattern: RegExp) =>
  ws
    .messagesIn('sam')
    .map((m) => pattern.exec(`${m.text} ${JSON.stringify(m.blocks ?? [])}`)?.[0])
    .filter((key) => key !== undefined);

beforeAll(async () => {
  store = await openTestStore();
  await seedTeam(store);
  ws = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/slack/events', signingSecret, botToken, users: workspaceUsers });
});
afterAll(async () => {
  await ws?.stop();
  await store?.close();
});

describe('outbox dispatcher', () => {
  it('delivers a decision to the DM once, recording where it went, whatever the enqueue and run count', async () => {
    const n = {
      dedupeKey: 'gate:HOSTEDCP-1:api',
      developerId: 'maria',
      urgency: 'decision' as const,
      payload: { kind: 'gate' as const, workItemKey: 'HOSTEDCP-1', phaseId: 'api', title: 'API phase ready', summary: 'ok' },
    };
    expect(await enqueueNotification(store.db, n)).toBe(true);
    expect(await enqueueNotification(store.db, n)).toBe(false);
    const d = dispatcher();
    await Promise.all([d.runOnce(), dispatcher().runOnce()]);
    await d.runOnce();
    const sent = ws.messagesIn('maria').filter((m) => m.text.includes('API phase ready'));
    expect(sent).toHaveLength(1);
    const r = await row('gate:HOSTEDCP-1:api');
    expect(r).toMatchObject({ status: 'delivered', slackTs: sent[0]!.ts, slackChannel: ws.dmChannel('maria'), attempts: 1 });
  });

  it('honours Retry-After on 429 and backs off on 5xx', async () => {
    await enqueueNotification(store.db, {
      dedupeKey: 'pr:1',
      developerId: 'sam',
      urgency: 'decision',
      payload: {
        kind: 'pr-ready',
        workItemKey: 'HOSTEDCP-9',
        phaseId: 'api',
        prUrl: 'https://github.com/o/r/pull/9',
        ciSummary: 'green',
        reviewers: [],
        confidence: [],
      },
    });
    ws.rateLimitNext('chat.postMessage', 30);
    const d = dispatcher();
    expect(await d.runOnce()).toMatchObject({ retrying: 1, delivered: 0 });
    expect((await row('pr:1')).notBefore.getTime()).toBe(clock.getTime() + 30_000);
    ws.failNext('chat.postMessage', 503);
    clock = new Date(clock.getTime() + 31_000);
    expect(await d.runOnce()).toMatchObject({ retrying: 1 });
    expect(await row('pr:1')).toMatchObject({ attempts: 2, lastError: 'HTTP 503' });
    clock = new Date(clock.getTime() + 10_000);
    expect(await d.runOnce()).toMatchObject({ delivered: 1 });
    const sent = ws.messagesIn('sam').filter((m) => m.text.includes('PR ready for HOSTEDCP-9'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text.startsWith('<@U0SAM0002>')).toBe(true); // sam wants decisions immediately: mentioned
  });

  it('holds maria’s decisions in her quiet hours but still delivers blocking alerts', async () => {
    clock = new Date('2099-01-15T22:00:00Z'); // 23:00 in Madrid
    await enqueueNotification(store.db, {
      dedupeKey: 'gate:night',
      developerId: 'maria',
      urgency: 'decision',
      payload: { kind: 'gate', workItemKey: 'HOSTEDCP-2', title: 'Plan v1', summary: 's' },
    });
    await enqueueNotification(store.db, {
      dedupeKey: 'ci:night',
      developerId: 'maria',
      channel: '#sitroom-alerts',
      urgency: 'blocking',
      payload: {
        kind: 'ci-alert',
        workItemKey: 'HOSTEDCP-2',
        phaseId: 'api',
        prUrl: 'https://github.com/o/r/pull/2',
        ownerId: 'maria',
        failures: [{ job: 'e2e-aws', classification: 'real', signature: 'NodePool never ready' }],
      },
    });
    expect(await dispatcher().runOnce()).toMatchObject({ held: 1, delivered: 1 });
    expect((await row('gate:night')).notBefore).toEqual(new Date('2099-01-16T06:30:00Z'));
    const alert = ws.messagesIn('sitroom-alerts').find((m) => m.text.includes('HOSTEDCP-2'));
    expect(JSON.stringify(alert?.blocks)).toContain('<@U0MARIA01>');
  });

  it('posts a blocking alert before the gates and notices already waiting for the same DM', async () => {
    clock = new Date('2099-01-15T10:00:00Z');
    await queueGatesForSam('backlog', ['HOSTEDCP-71', 'HOSTEDCP-72', 'HOSTEDCP-73']);
    await ciAlertForSam('HOSTEDCP-79');
    expect(await dispatcher().runOnce()).toMatchObject({ delivered: 4 });
    expect(keysPostedToSam(/HOSTEDCP-7\d/)).toEqual(['HOSTEDCP-79', 'HOSTEDCP-71', 'HOSTEDCP-72', 'HOSTEDCP-73']);
  });

  it('takes a blocking alert enqueued while a paced batch is going out between two rows of that batch', async () => {
    clock = new Date('2099-01-15T10:00:00Z');
    const backlog = 12;
    await queueGatesForSam(
      'paced',
      Array.from({ length: backlog }, (_, i) => `HOSTEDCP-8${String(i + 1).padStart(2, '0')}`),
    );
    // Slack's per-channel windows at a fifth of their length: three posts go at once, the next three 0.6 s later,
    // so the twelve rows take about two seconds and the alert arrives while the fourth post waits.
    const paced = createDispatcher({
      db: store.db,
      client: createDispatcherClient(botToken, ws.apiUrl),
      render: { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
      config: { team, roles },
      logger: createLogger('dispatch-test', 'silent'),
      now: () => clock,
      pacer: createSlackPacer({ windowScale: 0.2 }),
    });
    const pass = paced.runOnce();
    await new Promise((r) => setTimeout(r, 300));
    await ciAlertForSam('HOSTEDCP-899');
    // Before, the batch went out whole and the alert waited for the next pass, behind whatever came next.
    expect(await pass).toMatchObject({ delivered: backlog + 1 });
    const order = keysPostedToSam(/HOSTEDCP-8\d\d/);
    expect(order).toHaveLength(backlog + 1);
    expect(order.indexOf('HOSTEDCP-899'), order.join(' ')).toBeLessThan(backlog);
  });

  it('stops after the row it is posting, and the rows it had claimed go out at once from the next dispatcher', async () => {
    clock = new Date('2099-01-15T10:00:00Z');
    const backlog = 9;
    await queueGatesForSam(
      'stopping',
      Array.from({ length: backlog }, (_, i) => `HOSTEDCP-95${i + 1}`),
    );
    const posted = () => keysPostedToSam(/HOSTEDCP-95\d/).length;
    // One post a second in a DM: the whole backlog would take about nine seconds; a deployment gets 30 s to stop.
    const first = dispatcher();
    first.start(50);
    while (posted() === 0) await new Promise((r) => setTimeout(r, 20));
    await first.stop();
    const atStop = posted();
    expect(atStop).toBeGreaterThan(0);
    expect(atStop).toBeLessThan(backlog);
    // The clock stands still here, so a row still under the stopped dispatcher's lease would never come due.
    const second = dispatcher();
    let report = await second.runOnce();
    while (posted() < backlog && report.delivered > 0) report = await second.runOnce();
    expect(posted()).toBe(backlog);
  });

  it('follows a role file edited while it runs: quiet hours removed, the held decision goes out on the next pass', async () => {
    clock = new Date('2099-01-20T22:00:00Z'); // 23:00 in Madrid, inside maria's quiet hours
    let current = { team, roles };
    const d = createDispatcher({
      db: store.db,
      client: createDispatcherClient(botToken, ws.apiUrl),
      render: { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
      config: () => current,
      logger: createLogger('dispatch-test', 'silent'),
      now: () => clock,
    });
    await enqueueNotification(store.db, {
      dedupeKey: 'gate:edited-role',
      developerId: 'maria',
      urgency: 'decision',
      payload: { kind: 'gate', workItemKey: 'HOSTEDCP-7', title: 'Plan v3', summary: 's' },
    });
    await d.runOnce();
    // Held to the end of her quiet hours (07:30 Madrid), not sent.
    expect(await row('gate:edited-role')).toMatchObject({ status: 'pending', notBefore: new Date('2099-01-21T06:30:00Z') });
    const { quiet_hours: _dropped, ...awake } = prefs.maria!;
    current = { team, roles: new Map([...roles, ['maria', { notifications: awake } as unknown as RoleFile]]) };
    await store.db.update(notificationOutbox).set({ notBefore: clock }).where(eq(notificationOutbox.dedupeKey, 'gate:edited-role'));
    await d.runOnce();
    expect((await row('gate:edited-role')).status).toBe('delivered');
    expect(ws.messagesIn('maria').filter((m) => m.text.includes('Plan v3'))).toHaveLength(1);
  });

  it('logs silent items and sends them as one digest after digest time', async () => {
    clock = new Date('2099-01-16T09:00:00Z');
    await enqueueNotification(store.db, {
      dedupeKey: 'info:1',
      developerId: 'maria',
      urgency: 'info',
      payload: { kind: 'info', text: 'Knowledge entry promoted: NodePool conditions' },
    });
    await enqueueNotification(store.db, {
      dedupeKey: 'flake:1',
      developerId: 'maria',
      channel: '#sitroom-alerts',
      urgency: 'blocking',
      payload: {
        kind: 'ci-alert',
        workItemKey: 'HOSTEDCP-3',
        phaseId: 'api',
        prUrl: 'https://x/3',
        ownerId: 'maria',
        failures: [{ job: 'e2e', classification: 'known-flake', signature: 'etcd leader changed' }],
      },
    });
    const d = dispatcher();
    expect(await d.runOnce()).toMatchObject({ logged: 2, digests: 0 });
    expect(ws.messagesIn('sitroom-alerts').some((m) => m.text.includes('HOSTEDCP-3'))).toBe(false);
    clock = new Date('2099-01-16T16:00:00Z'); // 17:00 Madrid
    expect(await d.runOnce()).toMatchObject({ digests: 1 });
    expect(await d.runOnce()).toMatchObject({ digests: 0 });
    const digest = ws.messagesIn('maria').filter((m) => m.text.startsWith('Digest:'));
    expect(digest).toHaveLength(1);
    expect(JSON.stringify(digest[0]!.blocks)).toContain('Knowledge entry promoted');
    expect((await row('info:1')).status).toBe('digest');
  });

  it('posts channel alerts to the channel id, resolved from the configured name once with conversations.list', async () => {
    clock = new Date('2099-01-17T09:00:00Z');
    const alert = (n: number) => ({
      dedupeKey: `ci:by-id:${n}`,
      developerId: 'maria',
      channel: team.notifications.alerts_channel,
      urgency: 'blocking' as const,
      payload: {
        kind: 'ci-alert' as const,
        workItemKey: `HOSTEDCP-4${n}`,
        phaseId: 'api',
        prUrl: `https://github.com/o/r/pull/4${n}`,
        ownerId: 'maria',
        failures: [{ job: 'unit', classification: 'real' as const, signature: 'expected condition reason CapacityError' }],
      },
    });
    const listsBefore = ws.apiCalls.filter((c) => c.method === 'conversations.list').length;
    const d = dispatcher();
    await enqueueNotification(store.db, alert(1));
    await enqueueNotification(store.db, alert(2));
    expect(await d.runOnce()).toMatchObject({ delivered: 2 });
    await enqueueNotification(store.db, alert(3));
    expect(await d.runOnce()).toMatchObject({ delivered: 1 });
    const id = ws.channelId('sitroom-alerts');
    expect(id).toMatch(/^C/);
    const posts = ws.apiCalls.filter((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('CI blocked on HOSTEDCP-4'));
    expect(posts.map((p) => p.args.channel)).toEqual([id, id, id]);
    expect(ws.apiCalls.filter((c) => c.method === 'conversations.list').length - listsBefore).toBe(1);
    expect(await row('ci:by-id:3')).toMatchObject({ status: 'delivered', slackChannel: id });
    expect(ws.messagesIn('sitroom-alerts').filter((m) => m.text.includes('CI blocked on HOSTEDCP-4'))).toHaveLength(3);
  });

  it('finds the alerts channel on a later page of conversations.list', async () => {
    const names = [...Array.from({ length: 450 }, (_, i) => `team-${String(i).padStart(3, '0')}`), 'hypershift-data-plane'];
    const big = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/slack/events', signingSecret, botToken, users: workspaceUsers, channels: names });
    try {
      const client = createDispatcherClient(botToken, big.apiUrl);
      // The workspace answers in Slack's shape: pages with a next_cursor, errors for what Slack refuses.
      const page = await client.conversations.list({ limit: 2 });
      expect(page.channels?.map((c) => c.name)).toEqual(['team-000', 'team-001']);
      expect(page.channels?.[0]).toMatchObject({ is_channel: true, is_private: false, is_archived: false, is_member: true });
      expect(page.response_metadata?.next_cursor).toBeTruthy();
      await expect(client.conversations.list({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ data: { error: 'invalid_cursor' } });
      await expect(client.conversations.list({ types: 'public_channel,shared' })).rejects.toMatchObject({ data: { error: 'invalid_types' } });

      const d = createDispatcher({
        db: store.db,
        client,
        render: { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
        config: { team, roles },
        logger: createLogger('dispatch-test', 'silent'),
        now: () => clock,
      });
      await enqueueNotification(store.db, {
        dedupeKey: 'ci:paged',
        developerId: 'maria',
        channel: '#hypershift-data-plane',
        urgency: 'blocking',
        payload: {
          kind: 'ci-alert',
          workItemKey: 'HOSTEDCP-77',
          phaseId: 'api',
          prUrl: 'https://github.com/o/r/pull/77',
          ownerId: 'maria',
          failures: [{ job: 'unit', classification: 'real', signature: 'boom' }],
        },
      });
      expect(await d.runOnce()).toMatchObject({ delivered: 1 });
      expect(big.apiCalls.filter((c) => c.method === 'conversations.list' && c.args.limit === '200')).toHaveLength(3);
      expect(big.messagesIn('hypershift-data-plane').map((m) => m.text)).toEqual([expect.stringContaining('CI blocked on HOSTEDCP-77')]);
    } finally {
      await big.stop();
    }
  });

  it('a message Slack would reject fails permanently instead of retrying forever', async () => {
    clock = new Date('2099-01-17T10:00:00Z');
    await enqueueNotification(store.db, {
      dedupeKey: 'nowhere',
      developerId: 'maria',
      channel: '#does-not-exist',
      urgency: 'blocking',
      payload: { kind: 'info', text: 'x' },
    });
    expect(await dispatcher().runOnce()).toMatchObject({ failed: 1 });
    expect(await row('nowhere')).toMatchObject({ status: 'failed', lastError: 'channel_not_found' });
  });
});
