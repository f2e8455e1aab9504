// Hostile requests to the product's HTTP front door (team dashboard and CI webhook), as a browser or a
// script on the network sends them. Each row asserts a clear 4xx refusal, that the server still answers
// afterwards, and that the store did not change (no decision appended, no proposal reviewed).
import { request } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createCiWebhookHandler, signCiPayload } from '../../src/http/ci-webhook.js';
import { createGitHubWebhookHandler, signGitHubPayload } from '../../src/http/github-webhook.js';
import { claimDelivery, releaseDelivery } from '../../src/db/github-deliveries.js';
import { createDashboardHandler, dashboardLoginLink } from '../../src/http/dashboard/index.js';
import { csrfToken, issueToken, sessionCookie } from '../../src/http/dashboard/session.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { openTestStore } from '../support/db.js';
import { connectTestEnvironment } from '../support/temporal.js';
import { phaseByPrUrl } from '../../src/db/work-items.js';
import { createTemporalOrchestrator } from '../../src/orchestrator/temporal.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const secret = 'security-dashboard-secret-0123456789abcdef';
const ciSecret = 'security-ci-secret-0123456789';
const githubSecret = 'security-github-webhook-secret-0123';
const config = loadConfig();
// The roster the dashboard consults on every request; a test removes someone from it.
const roster = new Map([...config.roles.values()].map((r) => [r.developer, r.display_name]));
const curator = config.team.approvals.approvers[0]!;

let store: OpenStore;
let server: HttpServer;
let env: TestWorkflowEnvironment;
let proposalId: number;
const errors: unknown[] = [];

beforeAll(async () => {
  store = await openTestStore();
  env = await connectTestEnvironment();
  const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
  await upsertDevelopers(store.db, config.roles.values());
  const p = await knowledge.proposals.proposeFromResolvedWorkItem({
    workItemKey: 'HOSTEDCP-9901',
    developerId: 'sam',
    draft: {
      id: 'security-probe',
      title: 'A proposal hostile requests must not review',
      body: 'A body long enough for the proposal schema.',
      applicability: { files: ['api/x.go'] },
    },
  });
  await knowledge.proposals.respondToProposal(p.id, 'sam', 'yes');
  proposalId = p.id;
  server = await startHttpServer({
    port: 0,
    routes: [
      createDashboardHandler({ db: store.db, knowledge, secret, displayNames: () => roster }),
      createCiWebhookHandler({ orchestrator: webhookOrchestrator(), secret: ciSecret }),
      createGitHubWebhookHandler({
        orchestrator: webhookOrchestrator(),
        secret: githubSecret,
        claimDelivery: (id, event) => claimDelivery(store.db, id, event),
        releaseDelivery: (id) => releaseDelivery(store.db, id),
      }),
    ],
    onError: (err) => errors.push(err),
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await store?.close();
  await env?.teardown();
});

/** The orchestrator the CI webhook hands results to, bound to this test's store and Temporal, as the product binds it. */
function webhookOrchestrator() {
  const unused = () => Promise.reject(new Error('not used by the CI webhook'));
  return createTemporalOrchestrator({
    client: env.client,
    taskQueue: 'security-http',
    workItemKeysFor: unused,
    recentCi: unused,
    recentKnowledge: unused,
    phaseForPr: (prUrl) => phaseByPrUrl(store.db, prUrl),
  });
}

/** What a hostile request must not change: decisions appended, proposals reviewed, GitHub deliveries claimed. */
async function storeFingerprint(): Promise<string> {
  const d = await store.db.execute(sql`select count(*)::int as n from decisions`);
  const k = await store.db.execute(sql`select count(*)::int as n from knowledge_proposals where status <> 'awaiting-review'`);
  const g = await store.db.execute(sql`select count(*)::int as n from github_deliveries`);
  const rowsOf = (r: unknown) => (r as { rows?: unknown[] }).rows ?? r;
  return JSON.stringify([rowsOf(d), rowsOf(k), rowsOf(g)]);
}

const session = (developer = curator) => `${sessionCookie}=${encodeURIComponent(issueToken(secret, developer, new Date(Date.now() + 3_600_000), 'session'))}`;
const sessionToken = (developer = curator) => issueToken(secret, developer, new Date(Date.now() + 3_600_000), 'session');

function reviewForm(developer = curator, extra: Record<string, string> = {}) {
  // The CSRF token is bound to the exact session token the cookie carries.
  const token = sessionToken(developer);
  return {
    cookie: `${sessionCookie}=${encodeURIComponent(token)}`,
    body: new URLSearchParams({ csrf: csrfToken(secret, token), decision: 'approve', ...extra }).toString(),
  };
}

interface Row {
  name: string;
  request: () => { path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer };
  status: number | number[];
}

const ciBody = JSON.stringify({
  prUrl: 'https://github.com/openshift/hypershift/pull/1',
  report: { runId: 'r', job: 'j', commit: 'abcdef0', attempt: 1, state: 'success', tests: [] },
});
const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
const ciPost = (headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...headers });

// GitHub's webhook: a pull_request delivery for a PR that is no phase's.
const ghBody = JSON.stringify({
  action: 'edited',
  number: 7,
  changes: { body: { from: '' } },
  pull_request: { number: 7, html_url: 'https://github.com/openshift/hypershift/pull/7', title: 't', body: 'b', merged: false, user: { login: 'x' } },
});
const ghPost = (headers: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  'x-github-event': 'pull_request',
  'x-github-delivery': 'a1b2c3d4-0000-4000-8000-000000000001',
  ...headers,
});
const ghSigned = (body: string | Buffer, headers: Record<string, string> = {}) => ({
  path: '/github/webhook',
  method: 'POST',
  headers: ghPost({ 'x-hub-signature-256': signGitHubPayload(githubSecret, body), ...headers }),
  body,
});

const rows: Row[] = [
  // Dashboard: sessions and cookies
  { name: 'malformed cookie escape', request: () => ({ path: '/dashboard', headers: { cookie: `${sessionCookie}=%E0%A4%A` } }), status: 401 },
  {
    name: 'cookie of nulls and control bytes',
    request: () => ({ path: '/dashboard', headers: { cookie: `${sessionCookie}=%00%00%01.%00.%00` } }),
    status: 401,
  },
  { name: 'huge cookie', request: () => ({ path: '/dashboard', headers: { cookie: `${sessionCookie}=${'a'.repeat(12_000)}` } }), status: [401, 431] },
  { name: 'session for someone not on the roster', request: () => ({ path: '/dashboard', headers: { cookie: session('mallory') } }), status: 401 },
  {
    name: 'expired session',
    request: () => ({ path: '/dashboard', headers: { cookie: `${sessionCookie}=${issueToken(secret, curator, new Date(Date.now() - 1000), 'session')}` } }),
    status: 401,
  },
  {
    name: 'session signed with another secret',
    request: () => ({
      path: '/dashboard',
      headers: { cookie: `${sessionCookie}=${issueToken('x'.repeat(40), curator, new Date(Date.now() + 60_000), 'session')}` },
    }),
    status: 401,
  },
  {
    name: 'login link used as a session',
    request: () => ({ path: '/dashboard', headers: { cookie: `${sessionCookie}=${issueToken(secret, curator, new Date(Date.now() + 60_000), 'login')}` } }),
    status: 401,
  },
  { name: 'login with a unicode token', request: () => ({ path: `/dashboard/login?token=${encodeURIComponent('mária.99999999999.ü')}` }), status: 401 },
  { name: 'login with an invalid percent escape', request: () => ({ path: '/dashboard/login?token=%E0%A4%A' }), status: 401 },
  // Dashboard: the review form
  {
    name: 'Origin: null on a review',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, origin: 'null', 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm().body,
    }),
    status: 403,
  },
  {
    name: 'unparseable Origin on a review',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, origin: 'http://[::1', 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm().body,
    }),
    status: 403,
  },
  {
    name: 'cross-site Origin on a review',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm().body,
    }),
    status: 403,
  },
  {
    name: 'review without the CSRF token',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    }),
    status: 403,
  },
  {
    name: 'out-of-range proposal id',
    request: () => ({
      path: `/dashboard/proposals/99999999999999999999/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm().body,
    }),
    status: 404,
  },
  {
    name: 'proposal id beyond a PostgreSQL integer',
    request: () => ({
      path: `/dashboard/proposals/2147483648/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm().body,
    }),
    status: 404,
  },
  {
    name: 'proposal id zero',
    request: () => ({
      path: `/dashboard/proposals/0/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm().body,
    }),
    status: 404,
  },
  {
    name: 'review decision of the wrong type',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm(curator, { decision: '{"$ne":null}' }).body,
    }),
    status: 400,
  },
  {
    name: 'review by someone removed from the roster',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm('mallory').cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: reviewForm('mallory').body,
    }),
    status: 401,
  },
  {
    name: 'review body over the limit',
    request: () => ({
      path: `/dashboard/proposals/${proposalId}/review`,
      method: 'POST',
      headers: { cookie: reviewForm().cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${reviewForm().body}&note=${'x'.repeat(70_000)}`,
    }),
    status: 413,
  },
  // CI webhook
  {
    name: 'non-ASCII bytes in the signature header',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': `sha256=${'é'.repeat(64)}` }), body: ciBody }),
    status: 401,
  },
  {
    name: 'signature of the right length in multi-byte characters',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': 'ü'.repeat(71) }), body: ciBody }),
    status: 401,
  },
  { name: 'no signature', request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost(), body: ciBody }), status: 401 },
  {
    name: 'signature of another body (replayed header)',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': signCiPayload(ciSecret, '{}') }), body: ciBody }),
    status: 401,
  },
  {
    name: 'signed JSON null',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': signCiPayload(ciSecret, 'null') }), body: 'null' }),
    status: 400,
  },
  {
    name: 'signed body of the wrong types',
    request: () => ({
      path: '/ci/webhook',
      method: 'POST',
      headers: ciPost({ 'x-sitroom-signature': signCiPayload(ciSecret, '{"prUrl":1,"report":[]}') }),
      body: '{"prUrl":1,"report":[]}',
    }),
    status: 400,
  },
  {
    name: 'signed deeply nested JSON',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': signCiPayload(ciSecret, deep) }), body: deep }),
    status: 400,
  },
  {
    name: 'signed invalid UTF-8',
    request: () => ({
      path: '/ci/webhook',
      method: 'POST',
      headers: ciPost({ 'x-sitroom-signature': signCiPayload(ciSecret, Buffer.from([0xff, 0xfe, 0x7b]).toString('utf8')) }),
      body: Buffer.from([0xff, 0xfe, 0x7b]),
    }),
    status: 400,
  },
  {
    name: 'signed report for an unknown PR',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': signCiPayload(ciSecret, ciBody) }), body: ciBody }),
    status: 404,
  },
  {
    name: 'body over the limit',
    request: () => ({ path: '/ci/webhook', method: 'POST', headers: ciPost({ 'x-sitroom-signature': 'sha256=0' }), body: 'x'.repeat(1_100_000) }),
    status: 413,
  },
  { name: 'GET on the webhook', request: () => ({ path: '/ci/webhook' }), status: 405 },
  // GitHub webhook: signature, delivery id, payload (the shared guard's 413/415 come first)
  { name: 'GitHub: GET on the webhook', request: () => ({ path: '/github/webhook' }), status: 405 },
  { name: 'GitHub: no signature', request: () => ({ path: '/github/webhook', method: 'POST', headers: ghPost(), body: ghBody }), status: 401 },
  {
    name: 'GitHub: forged signature (another secret)',
    request: () => ({
      path: '/github/webhook',
      method: 'POST',
      headers: ghPost({ 'x-hub-signature-256': signGitHubPayload('not-the-secret-000000', ghBody) }),
      body: ghBody,
    }),
    status: 401,
  },
  {
    name: 'GitHub: signature of another body',
    request: () => ({
      path: '/github/webhook',
      method: 'POST',
      headers: ghPost({ 'x-hub-signature-256': signGitHubPayload(githubSecret, '{}') }),
      body: ghBody,
    }),
    status: 401,
  },
  {
    name: 'GitHub: SHA-1 signature only',
    request: () => ({
      path: '/github/webhook',
      method: 'POST',
      headers: ghPost({ 'x-hub-signature': 'sha1=0000000000000000000000000000000000000000' }),
      body: ghBody,
    }),
    status: 401,
  },
  {
    name: 'GitHub: non-ASCII bytes in the signature header',
    request: () => ({ path: '/github/webhook', method: 'POST', headers: ghPost({ 'x-hub-signature-256': `sha256=${'é'.repeat(64)}` }), body: ghBody }),
    status: 401,
  },
  {
    name: 'GitHub: body over the limit',
    request: () => ({ path: '/github/webhook', method: 'POST', headers: ghPost({ 'x-hub-signature-256': 'sha256=0' }), body: 'x'.repeat(5_100_000) }),
    status: 413,
  },
  { name: 'GitHub: signed, without a delivery id', request: () => ghSigned(ghBody, { 'x-github-delivery': '' }), status: 400 },
  { name: 'GitHub: signed, a delivery id with a path in it', request: () => ghSigned(ghBody, { 'x-github-delivery': '../../etc/passwd' }), status: 400 },
  { name: 'GitHub: signed invalid UTF-8', request: () => ghSigned(Buffer.from([0xff, 0xfe, 0x7b])), status: 400 },
  { name: 'GitHub: signed deeply nested JSON', request: () => ghSigned(deep), status: 400 },
  { name: 'GitHub: signed payload of the wrong types', request: () => ghSigned('{"action":"edited","pull_request":{"number":"7"}}'), status: 400 },
  {
    name: 'GitHub: signed status with a sha that is not one',
    request: () => ghSigned('{"sha":"main","context":"ci/prow/unit","state":"success"}', { 'x-github-event': 'status' }),
    status: 400,
  },
];

describe('hostile requests to the dashboard and the CI webhook', () => {
  it.each(rows)('$name → refused', async ({ request, status }) => {
    const before = await storeFingerprint();
    const r = request();
    const res = await fetch(`${server.url}${r.path}`, {
      method: r.method ?? 'GET',
      redirect: 'manual',
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.body !== undefined ? { body: r.body } : {}),
    });
    await res.arrayBuffer();
    expect([status].flat()).toContain(res.status);
    expect(errors).toEqual([]);
    // The process is alive and the store unchanged.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await storeFingerprint()).toBe(before);
  });

  // Sent with node:http: fetch decides Host and the Sec-Fetch-* headers itself, a browser or a script need not.
  const raw = (path: string, method: string, headers: Record<string, string>, body = '') =>
    new Promise<number>((resolveStatus, reject) => {
      const url = new URL(server.url);
      const req = request(
        { host: url.hostname, port: url.port, path, method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          res.resume();
          res.on('end', () => resolveStatus(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it.each([
    {
      name: 'a DNS-rebinding Host on the dashboard',
      method: 'GET',
      path: () => '/dashboard',
      headers: () => ({ host: `evil.example:${new URL(server.url).port}`, cookie: session() }),
      body: () => '',
      status: 421,
    },
    {
      name: 'a Host that is not a host name',
      method: 'GET',
      path: () => '/dashboard',
      headers: () => ({ host: 'a b/c', cookie: session() }),
      body: () => '',
      status: 421,
    },
    {
      name: 'Sec-Fetch-Site: cross-site on a review with a valid token',
      method: 'POST',
      path: () => `/dashboard/proposals/${proposalId}/review`,
      headers: () => ({
        host: new URL(server.url).host,
        cookie: reviewForm().cookie,
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
        'content-type': 'application/x-www-form-urlencoded',
      }),
      body: () => reviewForm().body,
      status: 403,
    },
    {
      name: 'a review sent as text/plain (a cross-site form needs no preflight for it)',
      method: 'POST',
      path: () => `/dashboard/proposals/${proposalId}/review`,
      headers: () => ({ host: new URL(server.url).host, cookie: reviewForm().cookie, 'content-type': 'text/plain' }),
      body: () => reviewForm().body,
      status: 415,
    },
    {
      name: 'a signed GitHub delivery sent form-encoded',
      method: 'POST',
      path: () => '/github/webhook',
      headers: () => ({
        host: new URL(server.url).host,
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'f0',
        'x-hub-signature-256': signGitHubPayload(githubSecret, `payload=${encodeURIComponent(ghBody)}`),
      }),
      body: () => `payload=${encodeURIComponent(ghBody)}`,
      status: 415,
    },
    {
      name: 'a signed CI report sent as text/plain',
      method: 'POST',
      path: () => '/ci/webhook',
      headers: () => ({ host: new URL(server.url).host, 'content-type': 'text/plain', 'x-sitroom-signature': signCiPayload(ciSecret, ciBody) }),
      body: () => ciBody,
      status: 415,
    },
  ])('$name → refused by the shared request guard', async ({ method, path, headers, body, status }) => {
    const before = await storeFingerprint();
    expect(await raw(path(), method, headers(), body())).toBe(status);
    expect(errors).toEqual([]);
    expect(await storeFingerprint()).toBe(before);
  });

  it('GitHub: a verified delivery is handled once; its redelivery (same X-GitHub-Delivery) is ignored', async () => {
    const id = `redelivered-${Date.now()}`;
    const send = () => fetch(`${server.url}/github/webhook`, { method: 'POST', headers: ghSigned(ghBody, { 'x-github-delivery': id }).headers, body: ghBody });
    const first = await send();
    expect(first.status).toBe(202);
    // Not a phase PR: accepted as verified, then left alone.
    expect(await first.json()).toEqual({ outcome: 'ignored', reason: 'https://github.com/openshift/hypershift/pull/7 is not a phase PR' });
    const again = await send();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ outcome: 'ignored', reason: `delivery ${id} was handled before` });
    const claimed = await store.db.execute(sql`select count(*)::int as n from github_deliveries where delivery_id = ${id}`);
    expect(((claimed as unknown as { rows: Array<{ n: number }> }).rows ?? claimed)[0]!.n).toBe(1);
    expect(
      (
        await fetch(`${server.url}/github/webhook`, {
          method: 'POST',
          headers: ghSigned('{}', { 'x-github-event': 'ping', 'x-github-delivery': `${id}-ping` }).headers,
          body: '{}',
        })
      ).status,
    ).toBe(200);
  });

  it('a link followed from Slack (a cross-site top-level navigation) still signs the person in', async () => {
    const link = new URL(dashboardLoginLink(server.url, secret, curator, new Date()));
    expect(await raw(`${link.pathname}${link.search}`, 'GET', { host: link.host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBe(303);
  });

  it('a person removed from the roster loses the session they hold', async () => {
    const cookie = session('sam');
    expect((await fetch(`${server.url}/dashboard`, { headers: { cookie } })).status).toBe(200);
    const name = roster.get('sam')!;
    roster.delete('sam');
    try {
      expect((await fetch(`${server.url}/dashboard`, { headers: { cookie } })).status).toBe(401);
      expect((await fetch(dashboardLoginLink(server.url, secret, 'sam', new Date()), { redirect: 'manual' })).status).toBe(401);
    } finally {
      roster.set('sam', name);
    }
  });

  it('a fuzz pass of random paths, cookies and bodies (fixed seed) never reaches a 5xx', async () => {
    let seed = 0x5eed;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = [
      '%',
      '%00',
      '%E0',
      '/',
      '..',
      'é',
      '\u202e',
      '"',
      "'",
      '<',
      '{',
      '[',
      '9',
      '-1',
      'null',
      'review',
      'proposals',
      'dashboard',
      'login',
      'ci',
      'webhook',
      '?token=',
      '&',
      '=',
    ];
    const pick = (k: number) => Array.from({ length: k }, () => alphabet[rand(alphabet.length)]).join('');
    const before = await storeFingerprint();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      const path = `/${['dashboard', 'ci/webhook', 'dashboard/proposals'][rand(3)]}/${pick(rand(6))}`;
      const headers: Record<string, string> = {};
      if (rand(2)) headers.cookie = `${sessionCookie}=${encodeURIComponent(pick(rand(8)))}`;
      if (rand(3) === 0) headers.cookie = reviewForm().cookie;
      if (rand(2)) headers.origin = ['null', 'http://evil', '%', ''][rand(4)]!;
      if (rand(2)) headers['x-sitroom-signature'] = pick(rand(4));
      let res: Response;
      try {
        res = await fetch(`${server.url}${path}`, {
          method: rand(2) ? 'POST' : 'GET',
          headers,
          redirect: 'manual',
          ...(rand(2) ? { body: pick(rand(10)) } : {}),
        });
      } catch {
        continue; // fetch itself refused the URL: nothing was sent
      }
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(
      [...statuses.keys()].filter((s) => s >= 500),
      JSON.stringify([...statuses]),
    ).toEqual([]);
    expect(errors).toEqual([]);
    expect(await storeFingerprint()).toBe(before);
  });
});
