// The real Bolt app in Socket Mode: it opens its connection with apps.connections.open and the app-level
// token, and everything a person does in the local workspace reaches it as Socket Mode envelopes that it
// acknowledges on the same WebSocket. Nothing goes to a request URL (the app has none).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { OpenStore } from '../../src/db/client.js';
import { createDispatcher, createDispatcherClient } from '../../src/slack/delivery/dispatcher.js';
import { enqueueNotification } from '../../src/db/outbox.js';
import type { Notification } from '../../src/contracts/notifications.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace, type StoredMessage } from '../../src/local-slack/server.js';
import { openTestStore } from '../support/db.js';
import { botToken, RecordingOrchestrator, seedTeam, signingSecret, workspaceUsers } from './harness.js';

const appToken = 'xapp-1-A0SITROOM1-local-socket-mode-test';
const logger = createLogger('slack-socket-test', 'silent');

let store: OpenStore;
let workspace: LocalWorkspace;
let slack: SlackApp;
let started: { requestUrl?: string };
const orchestrator = new RecordingOrchestrator();
let notify: (n: Notification) => Promise<void>;

/** Calls a Web API method of the workspace the way WebClient does, with a chosen bearer token. */
async function callApi(method: string, token?: string): Promise<{ ok: boolean; error?: string; url?: string }> {
  const res = await fetch(`${workspace.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: '',
  });
  return (await res.json()) as { ok: boolean; error?: string; url?: string };
}

const openSockets = (ws: LocalWorkspace) => ws.socketConnections.filter((c) => c.closedAt === undefined);

beforeAll(async () => {
  store = await openTestStore();
  await seedTeam(store);
  // The request URL points nowhere: if anything were delivered over HTTP it would fail.
  workspace = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/slack/events', signingSecret, botToken, appToken, users: workspaceUsers });
  slack = createSlackApp({
    orchestrator,
    store,
    botToken,
    signingSecret,
    appToken,
    slackApiUrl: workspace.apiUrl,
    dashboardUrl: 'http://127.0.0.1:3000',
    logger,
  });
  started = await slack.start();
  const client = createDispatcherClient(botToken, workspace.apiUrl);
  const daytime = () => new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 11 * 3_600_000);
  const dispatcher = createDispatcher({ db: store.db, client, render: slack.deps.render, logger, now: daytime });
  notify = async (n) => {
    await enqueueNotification(store.db, n);
    await dispatcher.runOnce();
  };
});

afterAll(async () => {
  await slack?.stop();
  await workspace?.stop();
  await store?.close();
});

describe('the Bolt app in Socket Mode against the local workspace', () => {
  it('connects with the app-level token and is greeted with hello', () => {
    expect(slack.mode).toBe('socket');
    expect(started.requestUrl).toBeUndefined();
    // start() resolves only once the client has read the server's hello.
    expect(workspace.apiCalls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(1);
    expect(workspace.transport()).toBe('socket');
    const [connection] = openSockets(workspace);
    expect(openSockets(workspace)).toHaveLength(1);
    expect(connection!.hello).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0SITROOM1' } });
  });

  it('a DM question is delivered as an events_api envelope, acknowledged, and answered in its thread', async () => {
    const dm = workspace.dmChannel('maria');
    const { ts, deliveries } = await workspace.sendMessage('maria', dm, 'show me the error propagation path from an Azure machine to NodePool conditions');
    expect(deliveries).toEqual([{ status: 200, body: '', attempts: 1, transport: 'socket' }]);
    const answer = await workspace.waitFor(() =>
      workspace.threadReplies(dm, ts).find((m) => m.text.includes('provider machine status feeds Machine conditions')),
    );
    expect(answer.text).toContain('nodepool_conditions.go');
    expect(workspace.deliveries.at(-1)).toMatchObject({ transport: 'socket', kind: 'events_api', type: 'message', ok: true, attempt: 1 });
  });

  it('a tap on a decision prompt is acknowledged over the socket within 3 s and decides once', async () => {
    await notify({
      dedupeKey: `gate:HOSTEDCP-2101:api:${Date.now()}`,
      developerId: 'maria',
      urgency: 'decision',
      payload: {
        kind: 'gate',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'api',
        title: 'Phase api is ready',
        summary: 'make verify passed; 14 files changed in api/ and nodepool/.',
        mode: 'approval-required',
      },
    });
    const prompt: StoredMessage = await workspace.waitFor(() => workspace.messagesIn('maria').find((m) => m.text.includes('Phase api is ready')));
    const before = orchestrator.decisions.length;
    const logged = workspace.deliveries.length;
    const [first, second] = await Promise.all([
      workspace.tap('maria', prompt, 'sitroom:decide:approve-phase'),
      workspace.tap('maria', prompt, 'sitroom:decide:approve-phase'),
    ]);
    expect(first).toMatchObject({ status: 200, transport: 'socket', attempts: 1 });
    expect(second).toMatchObject({ status: 200, transport: 'socket', attempts: 1 });
    const taps = workspace.deliveries.slice(logged);
    expect(taps).toHaveLength(2);
    for (const tap of taps) {
      expect(tap).toMatchObject({ transport: 'socket', kind: 'interactive', type: 'block_actions', ok: true });
      expect(tap.ms).toBeLessThan(3_000);
    }
    const updated = await workspace.waitFor(() => workspace.messagesIn('maria').find((m) => m.ts === prompt.ts && m.edited));
    expect(JSON.stringify(updated.blocks)).toContain('Phase api approved — by <@U0MARIA01>');
    await new Promise((r) => setTimeout(r, 200));
    const made = orchestrator.decisions.slice(before);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ workItemKey: 'HOSTEDCP-2101', kind: 'approve-phase', phaseId: 'api', actor: 'maria', surface: 'slack-button' });
  });

  it('a slash command is acknowledged with its immediate answer in the ack payload', async () => {
    const help = await workspace.slashCommand('maria', 'general', '/sitroom', 'deploy everything');
    expect(help).toMatchObject({ status: 200, transport: 'socket' });
    expect(JSON.parse(help.body)).toMatchObject({ response_type: 'ephemeral' });
    await workspace.waitFor(() => workspace.ephemeralsFor('maria').find((e) => e.text.includes("I don't know `deploy`")));
    const status = await workspace.slashCommand('maria', 'general', '/sitroom', 'status');
    expect(status).toMatchObject({ status: 200, transport: 'socket' });
    expect(workspace.deliveries.at(-1)).toMatchObject({ kind: 'slash_commands', type: '/sitroom', ok: true });
    const answer = await workspace.waitFor(() => workspace.ephemeralsFor('maria').find((e) => e.text.includes('Active work (1)')));
    expect(answer.text).toContain('platform-bridge: running');
  });

  it('a modal submission refused by the app stays open with the errors sent in the ack', async () => {
    await notify({
      dedupeKey: `gate:HOSTEDCP-2101:docs:${Date.now()}`,
      developerId: 'maria',
      urgency: 'decision',
      payload: {
        kind: 'gate',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'docs',
        title: 'Phase docs is ready',
        summary: 'Docs updated.',
        mode: 'approval-required',
      },
    });
    const prompt = await workspace.waitFor(() => workspace.messagesIn('maria').find((m) => m.text.includes('Phase docs is ready')));
    await workspace.tap('maria', prompt, 'sitroom:open:reject-reason');
    await workspace.waitFor(() => workspace.modalOf('maria'));
    const empty = await workspace.submitModal('maria', { reason: '' });
    expect(JSON.parse(empty.body)).toMatchObject({ response_action: 'errors' });
    expect(workspace.modalOf('maria')).toBeDefined();
    const given = await workspace.submitModal('maria', { reason: 'Docs must cover the Azure capacity condition' });
    expect(given).toMatchObject({ status: 200, body: '', transport: 'socket' });
    expect(workspace.modalOf('maria')).toBeUndefined();
    await workspace.waitFor(() => orchestrator.decisions.find((d) => d.kind === 'reject-phase' && d.phaseId === 'docs'));
  });

  it('apps.connections.open refuses any token but the app-level one, and an app with a wrong token does not start', async () => {
    expect(await callApi('apps.connections.open', 'xapp-1-A0SITROOM1-not-the-token')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await callApi('apps.connections.open', botToken)).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await callApi('apps.connections.open')).toEqual({ ok: false, error: 'not_authed' });
    const good = await callApi('apps.connections.open', appToken);
    expect(good.ok).toBe(true);
    expect(good.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);

    const connectionsBefore = workspace.socketConnections.length;
    const wrong = createSlackApp({ orchestrator, store, botToken, signingSecret, appToken: 'xapp-1-A0SITROOM1-wrong', slackApiUrl: workspace.apiUrl, logger });
    await expect(wrong.start()).rejects.toThrow(/invalid_auth/);
    await wrong.stop();
    expect(workspace.socketConnections.length).toBe(connectionsBefore);
  });

  it('a WebSocket without a valid ticket is refused, and a ticket opens one connection only', async () => {
    const refusedWith = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error(`connected to ${url}`)));
        ws.on('error', () => undefined);
      });
    const { url } = await callApi('apps.connections.open', appToken);
    const forged = url!.replace(/ticket=[^&]+/, 'ticket=forged');
    expect(await refusedWith(forged)).toBe(401);
    // The ticket from apps.connections.open works once (here: a raw client that says nothing back).
    const raw = new WebSocket(url!);
    const hello = await new Promise<Record<string, unknown>>((resolve) =>
      raw.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)),
    );
    expect(hello).toMatchObject({ type: 'hello', num_connections: 2 });
    raw.close();
    await workspace.waitFor(() => openSockets(workspace).length === 1);
    expect(await refusedWith(url!)).toBe(401);
  });

  it('after a refresh_requested disconnect the app reconnects and keeps answering', async () => {
    const [old] = openSockets(workspace);
    workspace.refreshSocketConnections();
    // The official client closes at once and reconnects after its back-off (5 s by default).
    await workspace.waitFor(() => old!.closedAt !== undefined, 2_000);
    const fresh = await workspace.waitFor(() => openSockets(workspace).find((c) => c.id !== old!.id), 10_000);
    expect(fresh.hello).toMatchObject({ type: 'hello', connection_info: { app_id: 'A0SITROOM1' } });
    const dm = workspace.dmChannel('priya');
    const { ts, deliveries } = await workspace.sendMessage('priya', dm, 'where do NodePool conditions come from?');
    expect(deliveries[0]).toMatchObject({ status: 200, transport: 'socket', attempts: 1 });
    await workspace.waitFor(() => workspace.threadReplies(dm, ts).find((m) => m.text.includes('NodePool conditions come from')));
  }, 20_000);

  it('stopping the app closes its socket; what happens afterwards is recorded as undelivered, not sent over HTTP', async () => {
    await slack.stop();
    await workspace.waitFor(() => openSockets(workspace).length === 0);
    expect(workspace.socketConnections.at(-1)!.closeCode).toBe(1000);
    const result = await workspace.slashCommand('sam', 'general', '/sitroom', 'status');
    expect(result).toMatchObject({ status: 0, transport: 'socket' });
    expect(workspace.deliveries.at(-1)).toMatchObject({ transport: 'socket', ok: false, failure: 'no_connection' });
    expect(workspace.deliveries.every((d) => d.transport === 'socket')).toBe(true);
  });
});

describe('the Socket Mode protocol, seen from a client that acknowledges late', () => {
  it('an envelope not acknowledged in time is recorded as a failure and the event is retried with retry_attempt', async () => {
    const ws = await startLocalWorkspace({
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret: 's',
      botToken: 'xoxb-x',
      appToken: 'xapp-x',
      users: [{ id: 'U1', name: 'u' }],
      deliveryTimeoutMs: 300,
      eventRetryDelaysMs: [10, 10],
    });
    try {
      const res = await fetch(`${ws.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: 'Bearer xapp-x' } });
      const { url } = (await res.json()) as { url: string };
      const client = new WebSocket(url);
      const envelopes: Array<Record<string, unknown>> = [];
      client.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        if (message.type === 'hello') return;
        envelopes.push(message);
        // The first delivery goes unanswered; the retry is acknowledged the way SocketModeClient does.
        if (envelopes.length === 2) client.send(JSON.stringify({ envelope_id: message.envelope_id, payload: {} }));
      });
      await new Promise((r) => client.once('open', r));
      await ws.waitFor(() => ws.transport() === 'socket');

      const result = await ws.deliverEvent({ type: 'app_home_opened', user: 'U1', tab: 'home' });
      expect(result).toEqual({ status: 200, body: '', attempts: 2, transport: 'socket' });
      expect(envelopes.map((e) => [e.type, e.retry_attempt, e.retry_reason, e.accepts_response_payload])).toEqual([
        ['events_api', 0, '', false],
        ['events_api', 1, 'timeout', false],
      ]);
      expect(envelopes[0]!.envelope_id).not.toBe(envelopes[1]!.envelope_id);
      // Both envelopes carry the same event: the app deduplicates by event_id.
      expect((envelopes[1]!.payload as { event_id: string }).event_id).toBe((envelopes[0]!.payload as { event_id: string }).event_id);
      expect(ws.deliveries.map((d) => [d.attempt, d.ok, d.failure])).toEqual([
        [1, false, 'timeout'],
        [2, true, undefined],
      ]);

      // A late ack for the first envelope changes nothing; an event never acknowledged fails after every retry.
      client.send(JSON.stringify({ envelope_id: envelopes[0]!.envelope_id, payload: {} }));
      client.removeAllListeners('message');
      const unanswered = await ws.deliverEvent({ type: 'app_home_opened', user: 'U1', tab: 'home' });
      expect(unanswered).toMatchObject({ status: 0, attempts: 3, transport: 'socket' });
      expect(ws.deliveries.slice(2).map((d) => d.failure)).toEqual(['timeout', 'timeout', 'timeout']);
      client.close();
    } finally {
      await ws.stop();
    }
  });
});
