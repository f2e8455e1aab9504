// Slack's surface for AI apps, through the local workspace and the real Bolt app: prompts fitted to the person
// when they open the DM, a status while RH-A works then the answer streamed with Slack's streaming methods,
// feedback recorded once whatever the taps, "Open dashboard" minting a link for the tapper only, metadata on
// gate messages, the bot joining the alerts channel, and the loopback Slack refusing what Slack refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { OpenStore } from '../../src/db/client.js';
import { decisions } from '../../src/db/schema/core.js';
import type { AskOptions } from '../../src/orchestrator/port.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace, type StoredMessage } from '../../src/local-slack/server.js';
import { createDispatcher, createDispatcherClient } from '../../src/slack/delivery/dispatcher.js';
import { enqueueNotification } from '../../src/db/outbox.js';
import { verifyToken } from '../../src/http/dashboard/session.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { ActionIds } from '../../src/slack/ids.js';
import { openTestStore } from '../support/db.js';
import { botToken, RecordingOrchestrator, seedTeam, signingSecret, workspaceUsers } from './harness.js';

/** A long answer, and the progress RH-A reports while it works. */
class StreamingOrchestrator extends RecordingOrchestrator {
  override async ask(_developerId: string, question: string, options?: AskOptions) {
    options?.onProgress?.('is reading capi.go…');
    await new Promise((r) => setTimeout(r, 1_100)); // past the status line's one-a-second pace
    options?.onProgress?.('is asking the domain model…');
    await new Promise((r) => setTimeout(r, 1_100));
    const paragraph = (n: number) =>
      `Paragraph ${n} about "${question}": the platform machine status feeds the Machine conditions, which the NodePool controller aggregates per platform before it reports them.`;
    return {
      text: Array.from({ length: 14 }, (_, i) => paragraph(i + 1)).join('\n\n'),
      citations: ['hypershift-operator/controllers/nodepool/capi.go', 'api/hypershift/v1beta1/nodepool_conditions.go'],
    };
  }
}

const dashboardSecret = 'a-dashboard-secret-of-at-least-32-characters';
const alertsChannel = loadConfig().team.notifications.alerts_channel.replace(/^#/, '');
let store: OpenStore;
let workspace: LocalWorkspace;
let slack: SlackApp;
let orchestrator: StreamingOrchestrator;

beforeAll(async () => {
  store = await openTestStore();
  await seedTeam(store);
  orchestrator = new StreamingOrchestrator();
  workspace = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret,
    botToken,
    users: workspaceUsers,
    channels: ['general', alertsChannel],
    botOutsideChannels: [alertsChannel],
  });
  const config = loadConfig();
  slack = createSlackApp({
    orchestrator,
    store,
    botToken,
    signingSecret,
    appToken: '',
    slackApiUrl: workspace.apiUrl,
    port: 0,
    logger: createLogger('slack-test', 'silent'),
    dashboardUrl: 'https://sitroom.example.com/dashboard',
    dashboardSecret,
    currentConfig: () => config,
  });
  const { requestUrl } = await slack.start();
  workspace.setAppUrl(requestUrl!);
});
afterAll(async () => {
  await slack?.stop();
  await workspace?.stop();
  await store?.close();
});

describe('opening the DM', () => {
  it('pins prompts fitted to the person: the decision waiting for them and their active work item', async () => {
    const delivered = await workspace.openMessages('maria');
    expect(delivered.status).toBe(200);
    const pinned = await workspace.waitFor(() => workspace.suggestedPromptsIn('maria'));
    expect(pinned.prompts.length).toBeGreaterThan(0);
    expect(pinned.prompts.length).toBeLessThanOrEqual(4);
    expect(pinned.prompts[0]!.title).toContain('HOSTEDCP-2101');
    expect(pinned.prompts.some((p) => p.message.includes('platform-bridge'))).toBe(true);
    expect(pinned.title).toBe('Working on HOSTEDCP-2101');
    // Under agent_view the prompts go on the DM itself, without a thread.
    const call = workspace.apiCalls.filter((c) => c.method === 'assistant.threads.setSuggestedPrompts').at(-1)!;
    expect(call.args.thread_ts).toBeUndefined();
  });

  it('offers a new engineer the orientation questions', async () => {
    await workspace.openMessages('priya');
    const pinned = await workspace.waitFor(() => workspace.suggestedPromptsIn('priya'));
    const priya = loadConfig().roles.get('priya');
    if (priya?.experience === 'new') expect(pinned.prompts.some((p) => p.title === 'Orient me in HyperShift')).toBe(true);
    else expect(pinned.prompts.some((p) => p.title === 'Orient me in HyperShift')).toBe(false);
  });
});

describe('asking in the DM', () => {
  let answer: StoredMessage;

  it('shows what RH-A is doing, then streams the answer in pieces into the question’s thread', async () => {
    const sent = await workspace.sendMessage('maria', 'maria', 'How do NodePool conditions reach the API?');
    const dm = workspace.dmChannel('maria');
    answer = await workspace.waitFor(() => workspace.threadReplies('maria', sent.ts).find((m) => m.stream?.state === 'completed'), 15_000);
    const statuses = workspace.statuses.filter((s) => s.channel === dm && s.threadTs === sent.ts).map((s) => s.status);
    expect(statuses.slice(0, 2)).toEqual(['is thinking…', 'is reading capi.go…']);
    expect(statuses).toContain('is asking the domain model…');
    // Slack took the status down when the answer started.
    expect(statuses.at(-1)).toBe('');

    const calls = workspace.apiCalls.filter(
      (c) =>
        ['assistant.threads.setStatus', 'chat.startStream', 'chat.appendStream', 'chat.stopStream'].includes(c.method) &&
        (c.args.channel === dm || c.args.channel_id === dm),
    );
    const firstStream = calls.findIndex((c) => c.method === 'chat.startStream');
    expect(calls.slice(0, firstStream).every((c) => c.method === 'assistant.threads.setStatus')).toBe(true);
    expect(calls.filter((c) => c.method === 'chat.appendStream').length).toBeGreaterThan(0);
    expect(calls.at(-1)!.method).toBe('chat.stopStream');
    expect(answer.stream!.appended).toBeGreaterThan(0);
    expect(answer.text).toContain('Paragraph 1 about');
    expect(answer.text).toContain('Paragraph 14 about');
    const types = (answer.blocks ?? []).map((b) => (b as { type: string }).type);
    expect(types).toContain('context_actions');
  });

  it('records 👍 once for a double tap, and 👎 as a second opinion', async () => {
    await workspace.tapFeedback('maria', answer, ActionIds.answerFeedback, 'positive');
    await workspace.tapFeedback('maria', answer, ActionIds.answerFeedback, 'positive');
    const rows = async () =>
      store.db
        .select()
        .from(decisions)
        .where(and(eq(decisions.kind, 'answer-feedback'), eq(decisions.actor, 'maria')));
    await workspace.waitFor(() => true);
    let recorded = await rows();
    for (let i = 0; i < 100 && recorded.length < 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      recorded = await rows();
    }
    await new Promise((r) => setTimeout(r, 300));
    recorded = await rows();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.detail).toMatchObject({ rating: 'helpful', answerTs: answer.ts });
    await workspace.tapFeedback('maria', answer, ActionIds.answerFeedback, 'negative');
    for (let i = 0; i < 100 && recorded.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      recorded = await rows();
    }
    expect(recorded.map((r) => (r.detail as { rating: string }).rating).sort()).toEqual(['helpful', 'not-helpful']);
  });

  it('"Open dashboard" sends the tapper, and only them, a short-lived sign-in link', async () => {
    const before = workspace.ephemeralsFor('maria').length;
    await workspace.tap('maria', answer, ActionIds.openDashboard);
    const link = await workspace.waitFor(() =>
      workspace
        .ephemeralsFor('maria')
        .slice(before)
        .find((e) => e.text.includes('/dashboard/login')),
    );
    const url = new URL(/https:\/\/\S+/.exec(link.text)![0]);
    expect(url.origin + url.pathname).toBe('https://sitroom.example.com/dashboard/login');
    expect(verifyToken(dashboardSecret, url.searchParams.get('token')!, 'login', new Date())).toBe('maria');
    // Ten minutes: expired a quarter of an hour later.
    expect(verifyToken(dashboardSecret, url.searchParams.get('token')!, 'login', new Date(Date.now() + 15 * 60_000))).toBeUndefined();
    expect(workspace.ephemeralsFor('sam').some((e) => e.text.includes('/dashboard/login'))).toBe(false);
  });
});

describe('gate messages', () => {
  it('carry message metadata naming the workflow, and nothing else', async () => {
    const client = createDispatcherClient(botToken, workspace.apiUrl);
    const dispatcher = createDispatcher({
      db: store.db,
      client,
      render: slack.deps.render,
      logger: createLogger('slack-test', 'silent'),
      now: () => new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 11 * 3_600_000),
    });
    await enqueueNotification(store.db, {
      dedupeKey: `gate:HOSTEDCP-2101:api:${Date.now()}`,
      developerId: 'maria',
      urgency: 'decision',
      payload: {
        kind: 'gate',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'api',
        title: 'Phase api is ready',
        summary: 'make verify passed',
        mode: 'approval-required',
      },
    });
    await dispatcher.runOnce();
    const gate = await workspace.waitFor(() => workspace.messagesIn('maria').find((m) => m.text.includes('Phase api is ready')));
    expect(gate.metadata).toEqual({
      event_type: 'sitroom_gate',
      event_payload: { work_item_key: 'HOSTEDCP-2101', phase_id: 'api', gate: 'phase', workflow_id: 'work-item:HOSTEDCP-2101' },
    });
  });
});

describe('the alerts channel', () => {
  it('is joined by the bot itself at start', () => {
    expect(slack.alertsChannel(), JSON.stringify(slack.alertsChannel())).toMatchObject({ ok: true, joined: true });
    expect(workspace.apiCalls.some((c) => c.method === 'conversations.join')).toBe(true);
  });

  it('is refused with the exact reason when it is private', async () => {
    const privateWs = await startLocalWorkspace({
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret,
      botToken,
      users: workspaceUsers,
      channels: ['general'],
      privateChannels: [alertsChannel],
    });
    const call = (method: string, args: Record<string, unknown>) =>
      fetch(`${privateWs.apiUrl}${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(args),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    try {
      // The bot cannot see a private channel it is not in, and cannot join one.
      const listed = await call('conversations.list', { types: 'public_channel,private_channel' });
      expect((listed.channels as Array<{ name: string }>).map((c) => c.name)).toEqual(['general']);
      const other = createSlackApp({
        orchestrator,
        store,
        botToken,
        signingSecret,
        appToken: '',
        slackApiUrl: privateWs.apiUrl,
        port: 0,
        logger: createLogger('slack-test', 'silent'),
        currentConfig: () => loadConfig(),
      });
      await other.start();
      const state = other.alertsChannel();
      await other.stop();
      expect(state).toMatchObject({ ok: false });
      expect(state && !state.ok ? state.fix : '').toContain('/invite @sitroom');
    } finally {
      await privateWs.stop();
    }
  });
});

describe('the loopback Slack validates like Slack', () => {
  const call = (method: string, args: Record<string, unknown>) =>
    fetch(`${workspace.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    }).then((r) => r.json() as Promise<{ ok: boolean; error?: string; response_metadata?: { messages?: string[] } }>);

  it('answers unknown_method, invalid_arguments and each method’s own errors', async () => {
    expect(await call('chat.streamEverything', {})).toMatchObject({ ok: false, error: 'unknown_method' });
    const missing = await call('assistant.threads.setStatus', { channel_id: workspace.dmChannel('maria') });
    expect(missing).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(missing.response_metadata?.messages?.join(' ')).toContain('thread_ts');
    expect(
      await call('assistant.threads.setSuggestedPrompts', {
        channel_id: workspace.dmChannel('maria'),
        prompts: Array.from({ length: 5 }, (_, i) => ({ title: `t${i}`, message: 'm' })),
      }),
    ).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(await call('chat.startStream', { channel: workspace.dmChannel('maria'), markdown_text: 'x' })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
    expect(await call('chat.startStream', { channel: workspace.channelId('#general'), markdown_text: 'x' })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
    expect(await call('chat.appendStream', { channel: workspace.dmChannel('maria'), ts: '1.000001', markdown_text: 'x' })).toMatchObject({
      ok: false,
      error: 'message_not_found',
    });
    expect(await call('chat.postMessage', { channel: workspace.dmChannel('maria'), text: 'x', metadata: { event_type: 'x' } })).toMatchObject({
      ok: false,
      error: 'invalid_metadata_schema',
    });
  });

  it('refuses to append to a stream once it is stopped', async () => {
    const question = await workspace.sendMessage('eve', 'eve', 'hello');
    void question;
    const sent = workspace.messagesIn('maria').at(-1)!;
    const dm = workspace.dmChannel('maria');
    const started = (await call('chat.startStream', { channel: dm, thread_ts: sent.ts, markdown_text: 'part one' })) as unknown as { ok: boolean; ts: string };
    expect(started.ok).toBe(true);
    expect(await call('chat.stopStream', { channel: dm, ts: started.ts, markdown_text: ' and the end' })).toMatchObject({ ok: true });
    expect(await call('chat.appendStream', { channel: dm, ts: started.ts, markdown_text: 'late' })).toMatchObject({
      ok: false,
      error: 'message_not_in_streaming_state',
    });
  });
});
