// The local workspace's browser page and its /ui/* endpoints, attacked as a web page on another site, a DNS
// rebinding name and a careless script would. Requests: each row is a clear 4xx, the workspace still answers,
// and no tap reaches the app (the real Bolt app behind it records no decision). Rendering: text from people
// and from the app (message text, names, block text, button links, modal fields) shows as text in Chromium,
// and no script of it runs.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import { startLocalWorkspace, uiBodyLimitBytes, type LocalWorkspace } from '../../src/local-slack/server.js';
import { openTestStore } from '../support/db.js';
import { launchChromium } from '../support/browser.js';
import { needs } from '../support/requirements.js';
import { until } from '../support/slack-view.js';
import { startHarness, type Harness } from '../slack/harness.js';

let store: OpenStore;
let h: Harness;
let gate: { channel: string; ts: string };

beforeAll(async () => {
  store = await openTestStore();
  h = await startHarness(store);
  await h.notify({
    dedupeKey: 'gate:HOSTEDCP-2101:platform-bridge',
    developerId: 'maria',
    urgency: 'decision',
    payload: {
      kind: 'gate',
      workItemKey: 'HOSTEDCP-2101',
      phaseId: 'platform-bridge',
      title: 'Platform bridge is ready for review',
      summary: 'make verify passed.',
      mode: 'approval-required',
    },
  });
  const message = h.workspace.messagesIn(h.workspace.dmChannel('maria')).find((m) => m.text.includes('Platform bridge'));
  gate = { channel: message!.channel, ts: message!.ts };
}, 180_000);
afterAll(async () => {
  await h?.stop();
  await store?.close();
});

/** Sent with node:http, so Host, Origin and the Sec-Fetch-* headers are exactly what a hostile client sends. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(h.workspace.url);
  const body = options.body ?? '';
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'POST',
        headers: { host: url.host, 'content-length': String(Buffer.byteLength(body)), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const tapBody = () => JSON.stringify({ user: 'U0MARIA01', channel: gate.channel, ts: gate.ts, actionId: 'sitroom:decide:approve-phase' });

const rows: Array<{ name: string; path?: string; method?: string; headers?: () => Record<string, string>; body?: () => string | Buffer; status: number }> = [
  { name: 'a tap on a real gate from another site (Origin)', headers: () => ({ ...json, origin: 'https://evil.example' }), body: tapBody, status: 403 },
  { name: 'a tap with Origin: null (sandboxed frame)', headers: () => ({ ...json, origin: 'null' }), body: tapBody, status: 403 },
  {
    name: 'a tap with Sec-Fetch-Site: cross-site',
    headers: () => ({ ...json, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' }),
    body: tapBody,
    status: 403,
  },
  { name: 'a tap as a text/plain form (no preflight)', headers: () => ({ 'content-type': 'text/plain' }), body: tapBody, status: 415 },
  {
    name: 'a tap as an urlencoded form',
    headers: () => ({ 'content-type': 'application/x-www-form-urlencoded' }),
    body: () => new URLSearchParams({ user: 'U0MARIA01', channel: gate.channel, ts: gate.ts, actionId: 'sitroom:decide:approve-phase' }).toString(),
    status: 415,
  },
  {
    name: 'a tap addressed to a DNS-rebinding name',
    headers: () => ({ ...json, host: `attacker.example:${new URL(h.workspace.url).port}` }),
    body: tapBody,
    status: 421,
  },
  {
    name: 'reading state through a DNS-rebinding name',
    path: '/ui/state?user=maria',
    method: 'GET',
    headers: () => ({ host: 'attacker.example' }),
    status: 421,
  },
  { name: 'the page through a DNS-rebinding name', path: '/', method: 'GET', headers: () => ({ host: 'attacker.example' }), status: 421 },
  {
    name: 'a body over the limit',
    path: '/ui/send',
    headers: () => json,
    body: () => JSON.stringify({ user: 'U0MARIA01', channel: 'general', text: 'x'.repeat(uiBodyLimitBytes) }),
    status: 413,
  },
  { name: 'malformed JSON', headers: () => json, body: () => '{"user":', status: 400 },
  { name: 'JSON null', headers: () => json, body: () => 'null', status: 400 },
  { name: 'a JSON array', headers: () => json, body: () => '[1,2]', status: 400 },
  { name: 'fields of the wrong type', headers: () => json, body: () => JSON.stringify({ user: 7, channel: null, ts: [], actionId: {} }), status: 400 },
  { name: 'deeply nested JSON', headers: () => json, body: () => `{"user":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, status: 400 },
  { name: 'invalid UTF-8', headers: () => json, body: () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400 },
  {
    name: 'an unknown person',
    headers: () => json,
    body: () => JSON.stringify({ user: 'U0NOBODY', channel: gate.channel, ts: gate.ts, actionId: 'sitroom:decide:approve-phase' }),
    status: 404,
  },
  {
    name: 'an unknown message',
    headers: () => json,
    body: () => JSON.stringify({ user: 'U0MARIA01', channel: gate.channel, ts: '1.000001', actionId: 'sitroom:decide:approve-phase' }),
    status: 404,
  },
  {
    name: 'a modal submission whose values are not JSON',
    path: '/ui/submit',
    headers: () => json,
    body: () => JSON.stringify({ user: 'U0MARIA01', values: '{oops' }),
    status: 400,
  },
  { name: 'an action that does not exist', path: '/ui/nothing', headers: () => json, body: () => '{}', status: 404 },
];

describe("hostile requests to the local workspace's /ui/* endpoints", () => {
  it.each(rows)('$name → $status', async ({ path, method, headers, body, status }) => {
    const decisions = h.orchestrator.decisions.length;
    const deliveries = h.workspace.deliveries.length;
    const answer = await send(path ?? '/ui/tap', { method: method ?? 'POST', ...(headers ? { headers: headers() } : {}), ...(body ? { body: body() } : {}) });
    expect(answer.status, answer.body).toBe(status);
    if (status !== 421) expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: expect.any(String) });
    // Alive, and nothing reached the app.
    expect((await send('/ui/state?user=maria', { method: 'GET' })).status).toBe(200);
    expect(h.orchestrator.decisions.length).toBe(decisions);
    expect(h.workspace.deliveries.length).toBe(deliveries);
  });

  it("the page's own request (same origin, JSON) still taps the gate", async () => {
    const answer = await send('/ui/tap', { headers: { ...json, origin: new URL(h.workspace.url).origin, 'sec-fetch-site': 'same-origin' }, body: tapBody() });
    expect(answer.status, answer.body).toBe(200);
    // The app acknowledges once the tap is stored and applies it right after, so the decision follows the 200.
    const decided = await until(
      () => h.orchestrator.decisions.find((d) => d.kind === 'approve-phase' && d.phaseId === 'platform-bridge'),
      'the tap applied',
      15_000,
    );
    expect(decided).toMatchObject({ kind: 'approve-phase', phaseId: 'platform-bridge', actor: 'maria' });
  });
});

// Each payload sets window.X when its markup is parsed as HTML and runs; a dialog would show the same.
const img = '<img src=x onerror=X=1>';
const script = '<script>X=2</script>';
const svg = '<svg onload=X=3>';

describe('the page renders text from people and from the app as text', () => {
  const browserAvailable = needs('chromium').available;
  let workspace: LocalWorkspace;
  let app: Server;
  let browser: Browser;
  const botToken = 'xoxb-xss-test';

  beforeAll(async () => {
    if (!browserAvailable) return;
    // A stand-in app that opens a hostile modal when a person runs a command, as any app may.
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const trigger = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('trigger_id');
        if (!trigger) return void res.writeHead(200).end();
        const view = {
          type: 'modal',
          title: { type: 'plain_text', text: img },
          submit: { type: 'plain_text', text: svg },
          close: { type: 'plain_text', text: '"><b>x</b>' },
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: `modal section ${img}` } },
            {
              type: 'input',
              block_id: `b"${img}`,
              label: { type: 'plain_text', text: `label ${script}` },
              hint: { type: 'plain_text', text: `hint ${svg}` },
              element: { type: 'plain_text_input', action_id: 'a', initial_value: `"></textarea>${img}`, multiline: true },
            },
          ],
        };
        void api('views.open', { trigger_id: trigger, view }).then(() => res.writeHead(200).end());
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    workspace = await startLocalWorkspace({
      appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/slack/events`,
      signingSecret: 'xss-signing-secret',
      botToken,
      users: [
        { id: 'U0MARIA01', name: 'maria', realName: 'Maria Alvarez' },
        { id: 'U0MALLORY', name: 'mallory', realName: `Mallory ${img}` },
      ],
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await workspace?.stop();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
  });

  async function api(method: string, args: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${workspace.apiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${botToken}` },
      body: JSON.stringify(args),
    });
    const answer = (await res.json()) as { ok: boolean; error?: string };
    if (!answer.ok) throw new Error(`${method}: ${answer.error} ${JSON.stringify(answer)}`);
  }

  it('message text, names, block text, button links and modal fields never run', async () => {
    const dm = workspace.dmChannel('maria');
    // From the app: Slack-escaped text (what escapeMrkdwn sends) and raw markup, in every block the page draws.
    await api('chat.postMessage', {
      channel: dm,
      text: `fallback ${img}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `Header ${img}` } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `*bold ${img}* _it ${svg}_ \`code ${script}\` <https://example.com/?q="onmouseover=X=6|label ${img}> &lt;!channel&gt; <@U0MALLORY>`,
          },
          fields: [{ type: 'mrkdwn', text: `field ${svg}` }],
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: `context ${img}` },
            { type: 'plain_text', text: `plain ${script}` },
          ],
        },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'go', text: { type: 'plain_text', text: `Go ${img}` }, url: 'javascript:X=4' },
            { type: 'button', action_id: `x"${img}`, style: 'primary', value: 'v', text: { type: 'plain_text', text: 'Tap' } },
          ],
        },
      ],
    });
    await api('chat.postMessage', { channel: dm, text: `no blocks ${img} \`\`\`${script}\`\`\`` });
    // From a person: raw text in a channel, shown with their hostile display name.
    await workspace.sendMessage('mallory', 'general', `hello ${img} ${script} <javascript:X=5|click>`);
    await workspace.slashCommand('maria', dm, '/sitroom', 'open');
    expect(workspace.modalOf('maria')).toBeDefined();

    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${workspace.url}/?user=U0MARIA01&conv=${dm}`);
    await page.locator('.msg', { hasText: 'no blocks' }).waitFor();
    await page.locator('#modal.open').waitFor();
    const dmText = await page.locator('body').innerText();
    expect(dmText).toContain(`Header ${img}`);
    expect(dmText).toContain(`code ${script}`);
    expect(dmText).toContain('<!channel>');
    expect(dmText).toContain(`@Mallory ${img}`);
    expect(dmText).toContain(`label ${script}`);
    expect(await page.locator('#modal textarea').inputValue()).toBe(`"></textarea>${img}`);
    expect(await page.locator('a.sbtn').getAttribute('href')).toBe('#');
    expect(await page.locator('.blk-section a').first().getAttribute('href')).toBe('https://example.com/?q="onmouseover=X=6');
    expect(dmText).toContain('label <img src=x onerror=X=1');
    expect(await page.locator('#messages img, #messages svg, #messages script').count()).toBe(0);

    await page.selectOption('#conv', workspace.channelId('general'));
    await page.locator('.msg', { hasText: 'hello' }).waitFor();
    const channelText = await page.locator('#messages').innerText();
    expect(channelText).toContain(`Mallory ${img}`);
    expect(channelText).toContain(`hello ${img} ${script}`);
    await page.waitForTimeout(300);
    expect(await page.evaluate('typeof window.X')).toBe('undefined');
    expect(await page.locator('#messages img, #messages svg, #messages script, #sheet img, #sheet b').count()).toBe(0);
    expect(dialogs).toBe(0);
    await page.close();
  });
});
