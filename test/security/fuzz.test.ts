// A fuzz pass over every HTTP surface a stranger can reach: the Slack receiver (bodies signed with the real
// secret, so they get past the signature to Bolt), the dashboard and the CI webhook, and the local workspace's
// /ui/* endpoints. A seeded generator (fixed seed, a bounded count per surface) draws hostile bodies and
// headers from a few classes: nulls, wrong types, huge, deep nesting, unicode, invalid UTF-8, cross-site
// headers and replays of earlier requests. Every answer must be a clean 2xx/4xx within the timeout, the
// processes must still answer afterwards, and the store must be unchanged: no decision applied.
import { sql } from 'drizzle-orm';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createCiWebhookHandler } from '../../src/http/ci-webhook.js';
import { createDashboardHandler } from '../../src/http/dashboard/index.js';
import { issueToken, sessionCookie } from '../../src/http/dashboard/session.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { signedHeaders } from '../../src/local-slack/signing.js';
import type { Orchestrator } from '../../src/orchestrator/port.js';
import { openTestStore } from '../support/db.js';
import { signingSecret, startHarness, type Harness } from '../slack/harness.js';

const perSurface = 300;
const seed = 0x51_7e_00_17;
const dashboardSecret = 'fuzz-dashboard-secret-0123456789abcdef';
const ciSecret = 'fuzz-ci-secret';

/** mulberry32: small, fast and the same sequence on every machine for one seed. */
function generator(start: number) {
  let a = start >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

type Rand = ReturnType<typeof generator>;
const classes = ['null', 'wrong-type', 'huge', 'deep', 'unicode', 'invalid-utf8', 'cross-site', 'replay'] as const;
type ProbeClass = (typeof classes)[number];

const oddStrings = [
  '',
  '\u0000',
  '\u202e',
  '\ud800',
  '😀'.repeat(50),
  'é',
  '<script>alert(1)</script>',
  '"><img src=x onerror=1>',
  '%00',
  '../../etc/passwd',
  '<!channel>',
  'null',
  '{"$ne":null}',
  'sitroom:decide:approve-phase',
];
const wrongTypes = [null, 0, -1, 1e308, true, false, [], [null], {}, { id: null }, 'x', ['a', 1]];

/** A value of the class: the building block of every body. */
function valueOf(r: Rand, kind: ProbeClass): unknown {
  switch (kind) {
    case 'null':
      return null;
    case 'wrong-type':
      return r.pick(wrongTypes);
    case 'huge':
      return 'x'.repeat(r.pick([10_000, 300_000, 1_500_000]));
    case 'deep': {
      let v: unknown = r.pick(oddStrings);
      for (let i = 0, n = r.pick([50, 500, 5_000]); i < n; i++) v = r.int(2) ? [v] : { a: v };
      return v;
    }
    case 'unicode':
      return r.pick(oddStrings) + String.fromCodePoint(r.int(0x10ffff - 0xe000) + 0xe000);
    default:
      return r.pick(oddStrings);
  }
}

/** A JSON object shaped like what the surface expects, with some fields replaced by values of the class. */
function objectLike(r: Rand, template: Record<string, unknown>, kind: ProbeClass): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) out[key] = r.int(3) === 0 ? valueOf(r, kind) : value;
  if (r.int(4) === 0) out[r.pick(oddStrings)] = valueOf(r, kind);
  return out;
}

interface Probe {
  kind: ProbeClass;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sent over node:http so Host, Origin and the Sec-Fetch-* headers are whatever the probe says. */
function send(baseUrl: string, probe: Probe): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolveStatus, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: probe.path,
        method: probe.method,
        headers: { host: url.host, ...probe.headers, 'content-length': String(probe.body.length) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolveStatus(res.statusCode ?? 0));
      },
    );
    // A hang is a failure: no answer within 10 s rejects.
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer in 10 s to ${probe.kind} ${probe.method} ${probe.path}`)));
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolveStatus(-1) : reject(err)));
    req.end(probe.body);
  });
}

/** Encodes a value as the body: JSON text, or for invalid-utf8 the same with bytes no UTF-8 decoder accepts. */
function encode(r: Rand, kind: ProbeClass, value: unknown): Buffer {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch {
    text = 'null';
  }
  if (kind === 'deep' && r.int(2)) text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const body = Buffer.from(text, 'utf8');
  if (kind !== 'invalid-utf8') return body;
  const at = r.int(body.length + 1);
  return Buffer.concat([
    body.subarray(0, at),
    Buffer.from(r.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]])),
    body.subarray(at),
  ]);
}

/** Percent-encoding that also takes a lone surrogate (sent as the bytes a careless client would send). */
function uri(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd')) + '%ED%A0%80';
  }
}

function crossSite(r: Rand): Record<string, string> {
  return r.pick<Record<string, string>>([
    { origin: 'null' },
    { origin: 'https://evil.example' },
    { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' },
    { host: 'attacker.example' },
    { origin: 'http://[::1' },
  ]);
}

const tally = new Map<string, Map<string, number>>();
function count(surface: string, kind: ProbeClass, status: number): void {
  const bySurface = tally.get(surface) ?? new Map<string, number>();
  tally.set(surface, bySurface);
  const bucket = `${kind} ${status < 0 ? 'reset' : `${Math.floor(status / 100)}xx`}`;
  bySurface.set(bucket, (bySurface.get(bucket) ?? 0) + 1);
}

/** Runs the probes a few at a time (a burst, not a queue) and returns every status. */
async function run(surface: string, baseUrl: string, make: (r: Rand, i: number, sent: Probe[]) => Probe): Promise<number[]> {
  const r = generator(seed ^ surface.length);
  const sent: Probe[] = [];
  const statuses: number[] = [];
  for (let i = 0; i < perSurface; i += 6) {
    const batch = Array.from({ length: Math.min(6, perSurface - i) }, (_, j) => make(r, i + j, sent));
    sent.push(...batch);
    const answers = await Promise.all(batch.map((p) => send(baseUrl, p)));
    answers.forEach((status, j) => {
      count(surface, batch[j]!.kind, status);
      statuses.push(status);
    });
  }
  return statuses;
}

let store: OpenStore;
let h: Harness;
let http: HttpServer;
const httpErrors: unknown[] = [];

/**
 * What no probe may change: decisions (the audit log and the orchestrator's), reviewed proposals, plans asked
 * for. A well-formed signed delivery nobody decides on (App Home opened) may still be claimed once, which only
 * records that it was seen: claims are counted in the report, not here.
 */
async function fingerprint(): Promise<string> {
  const rows = await store.db.execute(
    sql`select (select count(*) from decisions)::int as decisions, (select count(*) from knowledge_proposals where status <> 'awaiting-review')::int as reviewed`,
  );
  return JSON.stringify([(rows as unknown as { rows: unknown[] }).rows ?? rows, h.orchestrator.decisions.length, h.orchestrator.plans.length]);
}

beforeAll(async () => {
  store = await openTestStore();
  h = await startHarness(store);
  const config = loadConfig();
  await upsertDevelopers(store.db, config.roles.values());
  const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
  const refuse = () => Promise.reject(new Error('the fuzz pass must not reach the orchestrator'));
  const orchestrator = { deliverCiResults: refuse } as unknown as Orchestrator;
  http = await startHttpServer({
    port: 0,
    routes: [
      createDashboardHandler({
        db: store.db,
        knowledge,
        secret: dashboardSecret,
        displayNames: new Map([...config.roles.values()].map((r) => [r.developer, r.display_name])),
      }),
      createCiWebhookHandler({ orchestrator, secret: ciSecret }),
    ],
    onError: (err) => httpErrors.push(err),
  });
}, 180_000);

afterAll(async () => {
  await http?.close();
  await h?.stop();
  await store?.close();
  const lines = [...tally].flatMap(([surface, buckets]) => [`${surface}:`, ...[...buckets].sort().map(([bucket, n]) => `  ${bucket}: ${n}`)]);
  process.stdout.write(`fuzz (seed ${seed.toString(16)}, ${perSurface} per surface)\n${lines.join('\n')}\n`);
});

function expectClean(statuses: number[]): void {
  const bad = statuses.filter((s) => s >= 500 || s === 0);
  expect(bad, `5xx answers: ${JSON.stringify(bad)}`).toEqual([]);
  expect(statuses).toHaveLength(perSurface);
}

describe(`fuzz pass (seed ${seed.toString(16)}, ${perSurface} requests per surface)`, () => {
  it('Slack receiver: signed hostile bodies reach Bolt and are refused or ignored', { timeout: 600_000 }, async () => {
    const before = await fingerprint();
    const templates = [
      {
        type: 'block_actions',
        user: { id: 'U0MARIA01' },
        team: { id: 'T0LOCAL01' },
        actions: [{ type: 'button', action_id: 'sitroom:link', block_id: 'b', action_ts: '1.1' }],
      },
      { type: 'view_submission', user: { id: 'U0MARIA01' }, view: { id: 'V1', callback_id: 'sitroom:reject-reason', state: { values: {} } } },
      { type: 'event_callback', event_id: 'Ev1', team_id: 'T0LOCAL01', event: { type: 'app_home_opened', user: 'U0MARIA01', tab: 'home' } },
      { type: 'url_verification', challenge: 'c' },
    ];
    const appUrl = new URL(h.requestUrl);
    const results = await run('slack', appUrl.origin, (r, _i, sent) => {
      const kind = r.pick(classes);
      if (kind === 'replay' && sent.length > 0) return { ...r.pick(sent), kind };
      const asForm = r.int(2) === 0;
      const value = r.int(4) === 0 ? valueOf(r, kind) : objectLike(r, r.pick(templates), kind);
      let body = encode(r, kind, value);
      const contentType = asForm ? 'application/x-www-form-urlencoded' : 'application/json';
      if (asForm) body = Buffer.concat([Buffer.from('payload='), Buffer.from(uri(body.toString('latin1')))]);
      // Signed with the real secret (a replay keeps its old signature and timestamp).
      const headers: Record<string, string> = {
        ...signedHeaders(signingSecret, body.toString('utf8'), contentType),
        ...(kind === 'cross-site' ? crossSite(r) : {}),
      };
      return { kind, path: '/slack/events', method: 'POST', headers, body };
    });
    expectClean(results);
    expect(await fingerprint()).toBe(before);
    // Alive: a valid signed request is still answered, and nothing was decided.
    const linkTap = new URLSearchParams({ payload: JSON.stringify(templates[0]) }).toString();
    expect(
      (await h.workspace.postToApp(linkTap, 'application/x-www-form-urlencoded', signedHeaders(signingSecret, linkTap, 'application/x-www-form-urlencoded')))
        .status,
    ).toBe(200);
    expect(h.orchestrator.decisions).toEqual([]);
    expect(await fingerprint()).toBe(before);
  });

  it('dashboard and CI webhook: hostile forms, cookies and reports', { timeout: 600_000 }, async () => {
    const before = await fingerprint();
    const session = `${sessionCookie}=${encodeURIComponent(issueToken(dashboardSecret, 'maria', new Date(Date.now() + 3_600_000), 'session'))}`;
    const results = await run('dashboard', http.url, (r, _i, sent) => {
      const kind = r.pick(classes);
      if (kind === 'replay' && sent.length > 0) return { ...r.pick(sent), kind };
      const ci = r.int(3) === 0;
      const headers: Record<string, string> = kind === 'cross-site' ? crossSite(r) : {};
      if (ci) {
        const body = encode(
          r,
          kind,
          objectLike(
            r,
            {
              prUrl: 'https://github.com/openshift/hypershift/pull/1',
              report: { runId: 'r', job: 'j', commit: 'abcdef0', attempt: 1, state: 'success', tests: [] },
            },
            kind,
          ),
        );
        return {
          kind,
          path: '/ci/webhook',
          method: 'POST',
          headers: {
            'content-type': r.pick(['application/json', 'text/plain', '']),
            'x-sitroom-signature': r.pick(['', 'sha256=0', String(valueOf(r, 'unicode')).replace(/[^\x20-\x7e]/g, '?')]),
            ...headers,
          },
          body,
        };
      }
      const fields = objectLike(r, { decision: 'approve', csrf: 'x', note: 'n' }, kind);
      const form = new URLSearchParams(
        Object.entries(fields).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : encode(r, 'null', v).toString('utf8')]),
      ).toString();
      const body = kind === 'invalid-utf8' ? encode(r, kind, form) : Buffer.from(form);
      const path = r.pick([
        '/dashboard',
        `/dashboard/proposals/${r.pick(['1', '0', '-1', '99999999999999999999', '%00', 'x'])}/review`,
        '/dashboard/login?token=' + uri(String(valueOf(r, kind)).slice(0, 200)),
      ]);
      const cookie = r.pick([session, `${sessionCookie}=${uri(String(valueOf(r, kind)).slice(0, 4000))}`, `${sessionCookie}=%E0%A4%A`]);
      return {
        kind,
        path,
        method: path.endsWith('/review') ? 'POST' : 'GET',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: path.endsWith('/review') ? body : Buffer.alloc(0),
      };
    });
    expectClean(results);
    expect(httpErrors).toEqual([]);
    expect(await send(http.url, { kind: 'null', path: '/healthz', method: 'GET', headers: {}, body: Buffer.alloc(0) })).toBe(200);
    expect(await fingerprint()).toBe(before);
  });

  it("workspace /ui/*: the page's endpoints with hostile bodies and headers", { timeout: 600_000 }, async () => {
    const before = await fingerprint();
    const deliveries = h.workspace.deliveries.length;
    const dm = h.workspace.dmChannel('maria');
    const results = await run('workspace', h.workspace.url, (r, _i, sent) => {
      const kind = r.pick(classes);
      if (kind === 'replay' && sent.length > 0) return { ...r.pick(sent), kind };
      const action = r.pick(['tap', 'send', 'submit', 'close', 'home', 'command', 'nothing']);
      // Names that exist are left out of the mix: a well-formed request by a real person is a real action, not a probe.
      const fields = objectLike(
        r,
        {
          user: r.pick(['U0NOBODY', 'nobody', '']),
          channel: r.pick([dm, 'general', 'C0NONE']),
          ts: '1.000001',
          actionId: 'sitroom:decide:approve-phase',
          text: 'hi',
          values: '{}',
        },
        kind,
      );
      const value = r.int(5) === 0 ? valueOf(r, kind) : fields;
      const headers: Record<string, string> = {
        'content-type': r.int(8) === 0 ? r.pick(['text/plain', 'application/x-www-form-urlencoded', '']) : 'application/json',
        ...(kind === 'cross-site' ? crossSite(r) : {}),
      };
      return { kind, path: `/ui/${action}`, method: 'POST', headers, body: encode(r, kind, value) };
    });
    expectClean(results);
    expect(await send(h.workspace.url, { kind: 'null', path: '/ui/state?user=maria', method: 'GET', headers: {}, body: Buffer.alloc(0) })).toBe(200);
    expect(h.workspace.deliveries.length).toBe(deliveries);
    expect(await fingerprint()).toBe(before);
  });
});
