// Hostile but correctly signed requests to the real Bolt app's /slack/events, sent over loopback HTTP the
// way Slack sends them. Each row asserts a refusal (or Slack's plain 200 for a body nothing acts on), that
// the process still answers a valid request afterwards, and that the store did not change.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import { signedHeaders } from '../../src/local-slack/signing.js';
import { openTestStore } from '../support/db.js';
import { signingSecret, startHarness, type Harness } from '../slack/harness.js';

let store: OpenStore;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore();
  h = await startHarness(store);
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await store?.close();
});

const form = 'application/x-www-form-urlencoded';
const json = 'application/json';
const formOf = (payload: string) => new URLSearchParams({ payload }).toString();
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

async function storeFingerprint(): Promise<string> {
  const rows = await store.db.execute(
    sql`select (select count(*) from processed_slack_events)::int as claims, (select count(*) from decisions)::int as decisions`,
  );
  return JSON.stringify((rows as unknown as { rows: unknown[] }).rows ?? rows);
}

async function validTapAnswers(): Promise<void> {
  const linkTap = formOf(
    JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0MARIA01' },
      team: { id: 'T0LOCAL01' },
      actions: [{ type: 'button', action_id: 'sitroom:link', block_id: 'b', action_ts: '1.1' }],
    }),
  );
  const good = await h.workspace.postToApp(linkTap, form, signedHeaders(signingSecret, linkTap, form));
  expect(good.status).toBe(200);
}

const hostile: Array<[string, string, string]> = [
  ['form payload=null', formOf('null'), form],
  ['JSON null', 'null', json],
  ['form payload=[]', formOf('[]'), form],
  ['form payload="x"', formOf('"x"'), form],
  ['form payload=42', formOf('42'), form],
  ['form payload that is not JSON', formOf('{not json'), form],
  ['JSON array', '[]', json],
  ['JSON string', '"x"', json],
  ['JSON number', '7', json],
  ['block_actions with wrong types', formOf(JSON.stringify({ type: 'block_actions', user: 5, actions: 'approve', container: null, view: [] })), form],
  ['block_actions whose actions hold null', formOf(JSON.stringify({ type: 'block_actions', user: { id: 'U0MARIA01' }, actions: [null] })), form],
  ['event_callback with a null event', JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: null }), json],
  ['view_submission with a null view', formOf(JSON.stringify({ type: 'view_submission', user: { id: 'U0MARIA01' }, view: null })), form],
  [
    'a command with wrong types',
    new URLSearchParams({ command: '/sitroom', text: '', trigger_id: '1.2', user_id: '' }).toString() + '&user_id=x&user_id=y',
    form,
  ],
  ['deeply nested JSON', `{"type":"event_callback","event_id":"Ev2","event":${deep(5000)}}`, json],
  ['deeply nested form payload', formOf(deep(100_000)), form],
  ['a body of 3 MB', JSON.stringify({ type: 'event_callback', event_id: 'Ev3', event: { type: 'message', text: 'x'.repeat(3_000_000) } }), json],
  [
    'unicode and NUL bytes',
    formOf(
      JSON.stringify({
        type: 'block_actions',
        user: { id: '\u0000\u202e\ud83d\ude00' },
        actions: [{ action_id: '\u0000sitroom:decide:approve-phase', value: '\ud800' }],
      }),
    ),
    form,
  ],
];

describe('a correctly signed hostile body is refused and the process lives', () => {
  it.each(hostile)('%s', async (_name, body, contentType) => {
    const before = await storeFingerprint();
    const response = await h.workspace.postToApp(body, contentType, signedHeaders(signingSecret, body, contentType));
    expect([200, 400, 401, 404, 413, 415]).toContain(response.status);
    expect(response.status).toBeLessThan(500);
    // Give a crash or a late listener the time to happen before checking the process answers.
    await new Promise((r) => setTimeout(r, 100));
    await validTapAnswers();
    expect(await storeFingerprint()).toBe(before);
  });
});

describe('the clock-skew window holds both ways', () => {
  const linkTap = formOf(
    JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0MARIA01' },
      team: { id: 'T0LOCAL01' },
      actions: [{ type: 'button', action_id: 'sitroom:link', block_id: 'b', action_ts: '1.1' }],
    }),
  );
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['10 minutes in the future', 600, 401],
    ['6 minutes in the past', -360, 401],
    ['4 minutes in the future', 240, 200],
    ['4 minutes in the past', -240, 200],
  ])('a correctly signed request dated %s', async (_name, offset, status) => {
    const response = await h.workspace.postToApp(linkTap, form, signedHeaders(signingSecret, linkTap, form, now() + offset));
    expect(response.status).toBe(status);
  });
});
