// Hostile or broken input at the two public doors — the Slack request URL and the CI webhook: forged
// signatures, oversized bodies, unknown action ids, payloads that do not parse. Each is refused with the
// status Slack or a CI bridge would act on, and nothing reaches the store or the workflows.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { decisions, notificationOutbox, processedSlackEvents } from '../../src/db/schema/core.js';
import { signCiPayload } from '../../src/http/ci-webhook.js';
import { maxBodyBytes } from '../../src/http/server.js';
import { signedHeaders } from '../../src/local-slack/signing.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { conditionPhase, faultKey, onePhasePlan, startSurfaces, type Surfaces } from './support.js';

let rt: TestRuntime;
let surfaces: Surfaces;
let key: string;
let gate: StoredMessage;
beforeAll(async () => {
  rt = await startTestRuntime();
  surfaces = await startSurfaces(rt);
  key = faultKey('BAD');
  await rt.env.client.workflow.start('workItemWorkflow', {
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
  const dm = surfaces.workspace.dmChannel('U0MARIA01');
  gate = await eventually(
    async () => surfaces.workspace.messagesIn(dm).find((m) => m.text.includes(`Plan for ${key}`)),
    (m) => m !== undefined,
    'plan gate in maria’s DM',
  ).then((m) => m!);
});
afterAll(async () => {
  await surfaces?.stop();
  await rt?.stop();
});

/** What would betray a refused request that got through anyway. */
async function storedCounts() {
  const db = rt.core.store.db;
  const [d] = await db.select({ n: count() }).from(decisions);
  const [e] = await db.select({ n: count() }).from(processedSlackEvents);
  const [o] = await db.select({ n: count() }).from(notificationOutbox);
  const state = await rt.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery);
  return { decisions: d!.n, slackEvents: e!.n, outbox: o!.n, status: state.status, planVersion: state.planVersion };
}

/** A block_actions interaction as Slack sends it, for maria tapping `action` on the gate message. */
function interaction(action: { action_id: string; value?: string }): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0MARIA01', username: 'maria', name: 'maria', team_id: surfaces.workspace.teamId },
    api_app_id: 'A0LOCAL',
    token: 'local-verification-token',
    container: { type: 'message', message_ts: gate.ts, channel_id: gate.channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    team: { id: surfaces.workspace.teamId, domain: 'local' },
    channel: { id: gate.channel, name: 'directmessage' },
    message: gate,
    state: { values: {} },
    actions: [{ ...action, block_id: 'gate', type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
const form = 'application/x-www-form-urlencoded';
/** POSTs on a connection of its own (no keep-alive pool) and returns the status. */
function postOnce(body: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(surfaces.slackRequestUrl);
  return new Promise((resolveStatus, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        resolveStatus(res.statusCode ?? 0);
      },
    );
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err),
    );
    req.end(body);
  });
}
const approveButton = () => {
  for (const b of gate.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value?: string }> }>) {
    const found = b.elements?.find((e) => e.action_id === 'sitroom:decide:approve-plan');
    if (found) return found;
  }
  throw new Error('the plan gate has no approve button');
};

describe('the Slack request URL', () => {
  it('refuses a forged signature and a replayed (stale) request with 401', async () => {
    const before = await storedCounts();
    const body = interaction(approveButton());
    const forged = await surfaces.workspace.postToApp(body, form, signedHeaders('not-the-signing-secret', body, form));
    expect(forged.status).toBe(401);
    const stale = await surfaces.workspace.postToApp(body, form, signedHeaders(surfaces.signingSecret, body, form, Math.floor(Date.now() / 1000) - 600));
    expect(stale.status).toBe(401);
    const unsigned = await surfaces.workspace.postToApp(body, form);
    expect(unsigned.status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedCounts()).toEqual(before);
  });

  it('refuses a body over Bolt’s 4 MB limit with 413', async () => {
    const before = await storedCounts();
    const body = interaction({ ...approveButton(), value: 'x'.repeat(5 * 1024 * 1024) });
    // Its own connection: Bolt answers 413 without reading the rest of the body, which leaves that
    // keep-alive connection unusable for the requests after it.
    expect(await postOnce(body, signedHeaders(surfaces.signingSecret, body, form))).toBe(413);
    expect(await storedCounts()).toEqual(before);
  });

  it('an action id no listener owns is acknowledged and explained privately, and changes nothing', async () => {
    const before = await storedCounts();
    const body = interaction({ action_id: 'sitroom:drop:everything', value: approveButton().value! });
    const res = await surfaces.workspace.postToApp(body, form, signedHeaders(surfaces.signingSecret, body, form));
    expect(res.status).toBe(200);
    await eventually(
      async () => surfaces.workspace.ephemeralsFor('U0MARIA01'),
      (e) => e.some((m) => m.text.includes('not one I know')),
      'private explanation',
      10_000,
    );
    expect(await storedCounts()).toEqual(before);
  });

  it('a decision button whose value was tampered with decides nothing: garbage is not recognised, a foreign key is refused', async () => {
    const before = await storedCounts();
    const send = async (value: string) => {
      const body = interaction({ action_id: 'sitroom:decide:approve-plan', value });
      return (await surfaces.workspace.postToApp(body, form, signedHeaders(surfaces.signingSecret, body, form))).status;
    };
    expect(await send('{"kind":"drop-tables"')).toBe(200);
    await eventually(
      async () => surfaces.workspace.ephemeralsFor('U0MARIA01'),
      (e) => e.some((m) => m.text.includes('does not carry a decision I recognise')),
      'garbage explained',
      10_000,
    );
    const foreign = approveButton().value!.replace(key, 'HOSTEDCP-1');
    expect(foreign).not.toBe(approveButton().value);
    expect(await send(foreign)).toBe(200);
    await eventually(
      async () => surfaces.workspace.ephemeralsFor('U0MARIA01'),
      (e) => e.some((m) => m.text.startsWith('Not applied') && m.text.includes('HOSTEDCP-1')),
      'foreign key refused',
      10_000,
    );
    expect(await storedCounts()).toEqual(before);
  });
});

describe('the CI webhook', () => {
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${surfaces.http.url}/ci/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const report = (prUrl: string) =>
    JSON.stringify({
      prUrl,
      report: {
        runId: 'run-1',
        job: 'unit',
        commit: 'abcdef1',
        attempt: 1,
        state: 'success',
        tests: [{ job: 'unit', test: 'TestNodePool', status: 'passed' }],
      },
    });

  it('refuses a bad signature (401), an oversized body (413), a malformed report (400) and an unknown PR (404), storing nothing', async () => {
    const before = await storedCounts();
    const body = report('file:///nowhere#sitroom/none/api-1');
    expect((await post(body, { 'x-sitroom-signature': signCiPayload('wrong-secret', body) })).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);

    const huge = JSON.stringify({ prUrl: 'file:///x', report: { padding: 'y'.repeat(maxBodyBytes + 10) } });
    expect((await post(huge, { 'x-sitroom-signature': signCiPayload(surfaces.ciSecret, huge) })).status).toBe(413);

    const injected = JSON.stringify({
      prUrl: 'file:///x',
      report: { runId: 'r', job: 'unit', commit: '$(rm -rf /)', attempt: 1, state: 'merged', tests: [] },
      approve: true,
    });
    const bad = await post(injected, { 'x-sitroom-signature': signCiPayload(surfaces.ciSecret, injected) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/commit|state|approve/);

    const unknown = await post(body, { 'x-sitroom-signature': signCiPayload(surfaces.ciSecret, body) });
    expect(unknown.status).toBe(404);
    expect(await storedCounts()).toEqual(before);
  });
});

describe('after all the refusals', () => {
  it('after all that, the genuine tap still decides — once', async () => {
    const before = await storedCounts();
    expect((await surfaces.workspace.tap('U0MARIA01', gate, 'sitroom:decide:approve-plan')).status).toBe(200);
    const after = await eventually(storedCounts, (c) => c.decisions > before.decisions && c.status !== 'awaiting-plan-approval', 'plan approved');
    expect(after.decisions).toBe(before.decisions + 1);
  });
});
