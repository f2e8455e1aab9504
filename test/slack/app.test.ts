// The real Bolt app, driven through the local Slack-compatible workspace over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import { processedSlackEvents } from '../../src/db/schema/core.js';
import { signedHeaders } from '../../src/local-slack/signing.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { openTestStore } from '../support/db.js';
import { startHarness, type Harness } from './harness.js';

let store: OpenStore;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore();
  h = await startHarness(store);
});
afterAll(async () => {
  await h?.stop();
  await store?.close();
});

const gate = (phaseId: string) => ({
  dedupeKey: `gate:HOSTEDCP-2101:${phaseId}:${Math.random()}`,
  developerId: 'maria',
  urgency: 'decision' as const,
  payload: {
    kind: 'gate' as const,
    workItemKey: 'HOSTEDCP-2101',
    phaseId,
    title: `Phase ${phaseId} is ready`,
    summary: 'make verify passed; 14 files changed in api/ and nodepool/.',
    mode: 'approval-required',
  },
});

async function gateInMariasDm(phaseId: string): Promise<StoredMessage> {
  await h.notify(gate(phaseId));
  return h.workspace.waitFor(() => h.workspace.messagesIn('maria').find((m) => m.text.includes(`Phase ${phaseId} is ready`)));
}

const buttonsOf = (m: StoredMessage) => (m.blocks ?? []).filter((b) => (b as { type: string }).type === 'actions');

describe('request verification', () => {
  it('refuses a forged signature and a stale timestamp with 401', async () => {
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0MARIA01' }, actions: [] }) }).toString();
    const forged = await h.workspace.postToApp(body, 'application/x-www-form-urlencoded', {
      ...signedHeaders('not-the-secret', body, 'application/x-www-form-urlencoded'),
    });
    expect(forged.status).toBe(401);
    const stale = await h.workspace.postToApp(
      body,
      'application/x-www-form-urlencoded',
      signedHeaders('local-signing-secret-for-tests', body, 'application/x-www-form-urlencoded', Math.floor(Date.now() / 1000) - 400),
    );
    expect(stale.status).toBe(401);
    // The same payload correctly signed is accepted: the 401s are about the signature, not the body.
    const linkTap = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U0MARIA01' },
        team: { id: 'T0LOCAL01' },
        actions: [{ type: 'button', action_id: 'sitroom:link', block_id: 'b', action_ts: '1.1' }],
      }),
    }).toString();
    const good = await h.workspace.postToApp(
      linkTap,
      'application/x-www-form-urlencoded',
      signedHeaders('local-signing-secret-for-tests', linkTap, 'application/x-www-form-urlencoded'),
    );
    expect(good.status).toBe(200);
  });
});

describe('decisions', () => {
  it('a tap decides once and updates the prompt in place, even when tapped twice', async () => {
    const prompt = await gateInMariasDm('api');
    // The decision, the phase's other modes, and pause/cancel of the work item.
    expect(buttonsOf(prompt).map((b) => (b as { block_id?: string }).block_id)).toEqual(['gate', 'phase-modes', 'controls']);
    const before = h.orchestrator.decisions.length;
    const [first, second] = await Promise.all([
      h.workspace.tap('maria', prompt, 'sitroom:decide:approve-phase'),
      h.workspace.tap('maria', prompt, 'sitroom:decide:approve-phase'),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const updated = await h.workspace.waitFor(() => h.workspace.messagesIn('maria').find((m) => m.ts === prompt.ts && m.edited));
    expect(buttonsOf(updated)).toHaveLength(0);
    expect(JSON.stringify(updated.blocks)).toContain('Phase api approved — by <@U0MARIA01>');
    await new Promise((r) => setTimeout(r, 200));
    const made = h.orchestrator.decisions.slice(before);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ workItemKey: 'HOSTEDCP-2101', kind: 'approve-phase', phaseId: 'api', actor: 'maria', surface: 'slack-button' });
    expect(made[0]!.idempotencyKey).toContain(prompt.ts);
  });

  it('a tap by someone who may not decide gets an ephemeral refusal and leaves the buttons', async () => {
    await h.notify({ ...gate('platform-bridge'), channel: '#general' });
    const prompt = await h.workspace.waitFor(() => h.workspace.messagesIn('general').find((m) => m.text.includes('Phase platform-bridge is ready')));
    await h.workspace.tap('sam', prompt, 'sitroom:decide:approve-phase');
    const refusal = await h.workspace.waitFor(() => h.workspace.ephemeralsFor('sam').find((e) => e.text.includes('may not decide')));
    expect(refusal.text).toContain('Not applied');
    expect(refusal.channel).toBe(prompt.channel);
    expect(h.workspace.messagesIn('general').find((m) => m.ts === prompt.ts)?.edited).toBeUndefined();
    // The refusal does not use up the tap: maria's approval on the same message still applies.
    await h.workspace.tap('maria', prompt, 'sitroom:decide:approve-phase');
    await h.workspace.waitFor(() => h.workspace.messagesIn('general').find((m) => m.ts === prompt.ts && m.edited));
  });

  it('a tap by someone not on the team is refused without asking the orchestrator', async () => {
    await h.notify({ ...gate('nodepool'), channel: '#general' });
    const prompt = await h.workspace.waitFor(() => h.workspace.messagesIn('general').find((m) => m.text.includes('Phase nodepool is ready')));
    const before = h.orchestrator.decisions.length;
    await h.workspace.tap('eve', prompt, 'sitroom:decide:approve-phase');
    await h.workspace.waitFor(() => h.workspace.ephemeralsFor('eve').find((e) => e.text.includes('roster')));
    expect(h.orchestrator.decisions.length).toBe(before);
  });

  it('"reject with reason" opens a modal whose submission rejects and updates the prompt', async () => {
    const prompt = await gateInMariasDm('docs');
    await h.workspace.tap('maria', prompt, 'sitroom:open:reject-reason');
    await h.workspace.waitFor(() => h.workspace.modalOf('maria'));
    const empty = await h.workspace.submitModal('maria', { reason: '' });
    expect(JSON.parse(empty.body)).toMatchObject({ response_action: 'errors' });
    await h.workspace.submitModal('maria', { reason: 'Docs must cover the Azure capacity condition' });
    const updated = await h.workspace.waitFor(() => h.workspace.messagesIn('maria').find((m) => m.ts === prompt.ts && m.edited));
    expect(JSON.stringify(updated.blocks)).toContain('Phase docs rejected (Docs must cover the Azure capacity condition)');
    expect(h.orchestrator.decisions.at(-1)).toMatchObject({
      kind: 'reject-phase',
      phaseId: 'docs',
      surface: 'slack-modal',
      reason: 'Docs must cover the Azure capacity condition',
    });
  });

  it('"edit first" on a knowledge proposal carries the edited text to the decision', async () => {
    await h.notify({
      dedupeKey: 'kp:1',
      developerId: 'priya',
      urgency: 'decision',
      payload: {
        kind: 'knowledge-proposal',
        proposalId: 'kp-1',
        workItemKey: 'HOSTEDCP-2101',
        title: 'Azure capacity errors',
        body: 'Map SkuNotAvailable to NodePool condition reason.',
      },
    });
    const prompt = await h.workspace.waitFor(() => h.workspace.messagesIn('priya').find((m) => m.text.includes('Azure capacity errors')));
    await h.workspace.tap('priya', prompt, 'sitroom:open:knowledge-edit');
    const modal = await h.workspace.waitFor(() => h.workspace.modalOf('priya'));
    expect(JSON.stringify(modal)).toContain('Map SkuNotAvailable to NodePool condition reason.');
    await h.workspace.submitModal('priya', { knowledge_body: 'Map SkuNotAvailable and ZonalAllocationFailed to the capacity reason.' });
    await h.workspace.waitFor(() => h.workspace.messagesIn('priya').find((m) => m.ts === prompt.ts && m.edited));
    expect(h.orchestrator.decisions.at(-1)).toMatchObject({
      kind: 'knowledge-proposal',
      value: 'edit',
      phaseId: 'kp-1',
      actor: 'priya',
      text: 'Azure capacity errors\n\nMap SkuNotAvailable and ZonalAllocationFailed to the capacity reason.',
    });
  });
});

describe('events', () => {
  it('a duplicate event (Slack retry with the same event_id) is processed once', async () => {
    const before = h.orchestrator.situations.length;
    const publishesBefore = h.workspace.apiCalls.filter((c) => c.method === 'views.publish').length;
    const eventId = `Ev${Date.now()}DUP`;
    const envelope = {
      token: 't',
      team_id: h.workspace.teamId,
      api_app_id: 'A0SITROOM1',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U0MARIA01', channel: 'D0MARIA01', tab: 'home', event_ts: '1.1' },
    };
    const body = JSON.stringify(envelope);
    const first = await h.workspace.postToApp(body, 'application/json', signedHeaders('local-signing-secret-for-tests', body, 'application/json'));
    const retry = await h.workspace.postToApp(body, 'application/json', {
      ...signedHeaders('local-signing-secret-for-tests', body, 'application/json'),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await h.workspace.waitFor(() => h.workspace.homeOf('maria'));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.orchestrator.situations.length - before).toBe(1);
    expect(h.workspace.apiCalls.filter((c) => c.method === 'views.publish').length - publishesBefore).toBe(1);
    const rows = await store.db.select().from(processedSlackEvents);
    expect(rows.filter((r) => r.idempotencyKey === `slack:event:${eventId}`)).toHaveLength(1);
  });

  it('App Home shows the situation with pending decisions as buttons', async () => {
    await h.workspace.openHome('priya');
    const home = await h.workspace.waitFor(() => h.workspace.homeOf('priya'));
    const text = JSON.stringify(home);
    expect(text).toContain('Approve phase platform-bridge');
    expect(text).toContain('HOSTEDCP-2101');
    expect(text).toContain('sitroom:decide:approve-phase');
  });

  it('"pair with me on phase 3" in a DM opens a thread; replies there go to the pair session', async () => {
    const dm = h.workspace.dmChannel('maria');
    const { ts } = await h.workspace.sendMessage('maria', dm, 'pair with me on phase 3');
    const intro = await h.workspace.waitFor(() => h.workspace.threadReplies(dm, ts).find((m) => m.text.includes('Pairing on')));
    expect(intro.text).toContain('nodepool');
    expect(h.orchestrator.pairStarts.at(-1)).toMatchObject({
      developerId: 'maria',
      workItemKey: 'HOSTEDCP-2101',
      phaseId: 'nodepool',
      channel: dm,
      threadTs: ts,
    });
    const reply = await h.workspace.sendMessage('maria', dm, 'keep the condition reason stable across platforms', ts);
    await h.workspace.waitFor(() => h.orchestrator.pairMessages.find((p) => p.messageTs === reply.ts));
    expect(h.orchestrator.pairMessages.at(-1)).toMatchObject({
      channel: dm,
      threadTs: ts,
      developerId: 'maria',
      text: 'keep the condition reason stable across platforms',
    });
  });

  it('the workspace retries an event the app did not acknowledge, with X-Slack-Retry-Num', async () => {
    const { createServer } = await import('node:http');
    const seen: Array<string | undefined> = [];
    const flaky = createServer((req, res) => {
      seen.push(req.headers['x-slack-retry-num'] as string | undefined);
      res.writeHead(seen.length === 1 ? 500 : 200).end();
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const { startLocalWorkspace } = await import('../../src/local-slack/server.js');
    const ws = await startLocalWorkspace({
      appUrl: `http://127.0.0.1:${(flaky.address() as { port: number }).port}/slack/events`,
      signingSecret: 's',
      botToken: 'xoxb-x',
      users: [{ id: 'U1', name: 'u' }],
      eventRetryDelaysMs: [10, 10, 10],
    });
    const result = await ws.deliverEvent({ type: 'app_home_opened', user: 'U1' });
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(seen).toEqual([undefined, '1']);
    await ws.stop();
    flaky.close();
  });
});

describe('/sitroom', () => {
  it('answers unknown input with help, and runs status', async () => {
    await h.workspace.slashCommand('maria', 'general', '/sitroom', 'deploy everything');
    const unknown = await h.workspace.waitFor(() => h.workspace.ephemeralsFor('maria').find((e) => e.text.includes("I don't know `deploy`")));
    expect(unknown.text).toContain('/sitroom plan');
    await h.workspace.slashCommand('maria', 'general', '/sitroom', 'status');
    const status = await h.workspace.waitFor(() => h.workspace.ephemeralsFor('maria').find((e) => e.text.includes('Active work (1)')));
    expect(status.text).toContain('platform-bridge: running');
  });

  it('acknowledges from the text alone; someone not on the team is told so afterwards and nothing is planned', async () => {
    const plansBefore = h.orchestrator.plans.length;
    const ack = await h.workspace.slashCommand('eve', 'general', '/sitroom', 'plan HOSTEDCP-3001 anything');
    // The ack is the "working on it" answer: who eve is was not looked up before it.
    expect(JSON.parse(ack.body)).toMatchObject({ response_type: 'ephemeral', text: 'Asking RH-A for a plan for HOSTEDCP-3001…' });
    await h.workspace.waitFor(() => h.workspace.ephemeralsFor('eve').find((e) => e.text.includes('not on this team’s roster')));
    expect(h.orchestrator.plans.length).toBe(plansBefore);
  });

  it('plan needs a Jira key and starts planning with one', async () => {
    await h.workspace.slashCommand('sam', 'general', '/sitroom', 'plan make it faster');
    await h.workspace.waitFor(() => h.workspace.ephemeralsFor('sam').find((e) => e.text.includes('needs a Jira key')));
    await h.workspace.slashCommand('sam', 'general', '/sitroom', 'plan hostedcp-3000 NodePool reports capacity errors');
    await h.workspace.waitFor(() => h.orchestrator.plans.find((p) => p.workItemKey === 'HOSTEDCP-3000'));
    expect(h.orchestrator.plans.at(-1)).toEqual({ developerId: 'sam', workItemKey: 'HOSTEDCP-3000', intention: 'NodePool reports capacity errors' });
  });
});
