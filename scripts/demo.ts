// `npm run demo`: issue 8's day with Situation Room, played against a running `npm run dev` the way people
// would play it — through the local Slack workspace's HTTP endpoints (the same ones its browser page uses)
// and the team dashboard — and narrated here. Open the printed workspace URL to watch it happen.
//
//   WORKSPACE_URL  default http://127.0.0.1:3002   (the local Slack workspace of `npm run dev`)
//   DASHBOARD_URL  default http://127.0.0.1:3000   (the HTTP front door with /dashboard)
//   DEMO_KEY       default HOSTEDCP-<4 digits>      (a fresh ticket key, so runs do not collide)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardLoginLink } from '../src/http/dashboard/index.js';

const workspaceUrl = (process.env.WORKSPACE_URL ?? `http://127.0.0.1:${process.env.WORKSPACE_PORT ?? 3002}`).replace(/\/$/, '');
const httpUrl = (process.env.DASHBOARD_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/(dashboard)?\/?$/, '');
const suffix = String(Date.now()).slice(-4);
const key = process.env.DEMO_KEY ?? `HOSTEDCP-${suffix}`;
const secondKey = `${key.replace(/-\d+$/, '')}-${Number(suffix) + 1}`;
// The offline agent adds a condition type per ticket; on a second run against the same dev data the first
// ones are on main already, so pick names the target repository does not have yet.
const conditionsFile = join(process.env.TARGET_REPO ?? join(process.cwd(), '.data', 'target-repo'), 'api/hypershift/v1beta1/nodepool_conditions.go');
const existing = existsSync(conditionsFile) ? readFileSync(conditionsFile, 'utf8') : '';
const unused = (names: string[]) => names.find((n) => !existing.includes(`"${n}"`)) ?? `${names[0]}${suffix}`;
const errorClass = unused(['CapacityError', 'QuotaError', 'ZoneError', 'SubnetError', 'ImageError', 'NetworkError', 'DiskError']).replace(/Error.*$/, '').toLowerCase();
const secondType = unused(['QuotaExceeded', 'ImageUnavailable', 'ZoneUnavailable', 'SubnetExhausted', 'VolumeUnavailable', 'KeyPairMissing']);
const intention = `NodePool should report ${errorClass} errors per platform`;
const stepTimeoutMs = Number(process.env.DEMO_STEP_TIMEOUT_MS ?? 180_000);

interface Message { channel: string; ts: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string; edited?: unknown }
interface UiState { me: string; botUserId: string; channels: Array<{ id: string; name: string; isIm: boolean }>; messages: Message[]; ephemerals: Message[]; modal: unknown }

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
let stepNo = 0;
const step = (title: string) => console.log(`\n${bold(`${++stepNo}. ${title}`)}`);
const say = (line: string) => console.log(`   ${line}`);
const quote = (text: string, lines = 12) =>
  text.split('\n').slice(0, lines).forEach((l) => console.log(dim(`   │ ${l}`)));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ui<T>(path: string, body?: Record<string, string>): Promise<T> {
  const res = await fetch(`${workspaceUrl}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const state = (user: string) => ui<UiState>(`/ui/state?user=${encodeURIComponent(user)}`);
const seen = (m: Message) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;

/** Slack's mrkdwn in blocks, as plain lines for the terminal. */
function readable(m: Message): string {
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string' && (o.type === 'mrkdwn' || o.type === 'plain_text')) texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(m.blocks ?? []);
  return (texts.length ? texts.join('\n') : m.text).replace(/<([^|>]+)\|([^>]+)>/g, '$2').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
}

async function waitFor(user: string, what: string, match: (m: Message, s: UiState) => boolean, timeoutMs = stepTimeoutMs): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state(user);
    const found = s.messages.find((m) => match(m, s));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no ${what} after ${Math.round(timeoutMs / 1000)} s. If it is evening in ${user}'s time zone, their quiet hours hold non-urgent messages until morning (see .rh-agentic/roles/${user}.yaml); the dev terminal shows errors otherwise.`);
    }
    await pause(500);
  }
}

async function dmOf(user: string): Promise<string> {
  const s = await state(user);
  const dm = s.channels.find((c) => c.isIm);
  if (!dm) throw new Error(`${user} has no DM with the app in the workspace`);
  return dm.id;
}

async function tap(user: string, m: Message, actionId: string): Promise<void> {
  const r = await ui<{ status: number; body: string }>('/ui/tap', { user, channel: m.channel, ts: m.ts, actionId });
  if (r.status !== 200) throw new Error(`tapping ${actionId} answered HTTP ${r.status}: ${r.body}`);
}

async function devIsRunning(): Promise<boolean> {
  try {
    const res = await fetch(`${workspaceUrl}/ui/state`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function dashboardSecret(): string | undefined {
  if (process.env.SITROOM_DASHBOARD_SECRET) return process.env.SITROOM_DASHBOARD_SECRET;
  const file = join(process.cwd(), '.data', 'dashboard-secret'); // written by `npm run dev` on first start
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

async function main(): Promise<number> {
  if (!(await devIsRunning())) {
    console.error(`Situation Room is not running: nothing answers at ${workspaceUrl}.`);
    console.error('Start it in another terminal with `npm run dev`, wait for "Situation Room is ready", then run `npm run demo` again.');
    console.error('(Set WORKSPACE_URL / DASHBOARD_URL if you started it on other ports.)');
    return 1;
  }
  console.log(bold("A day with Situation Room — maria (senior), sam (new), priya (curator)"));
  console.log(`Watch it in your browser: ${workspaceUrl}/?user=maria  (switch user at the top right)`);
  console.log(`Team dashboard: ${httpUrl}/dashboard   ·   ticket ${key}`);
  const maria = await dmOf('maria');
  const sam = await dmOf('sam');
  const since = (await state('maria')).messages.length;
  const isBot = (m: Message, s: UiState) => m.user === s.botUserId;

  step('Morning briefing (the same workflow the 08:30 schedule starts)');
  await ui('/ui/command', { user: 'maria', channel: maria, text: '/sitroom briefing' });
  await ui('/ui/command', { user: 'sam', channel: sam, text: '/sitroom briefing' });
  // One briefing per person and morning: when today's was already sent (the schedule, an earlier run), show it.
  const latestBriefing = async (user: string, dm: string) => {
    const fresh = await waitFor(user, `${user}'s briefing`, (m, s) => isBot(m, s) && m.channel === dm && m.text.includes('Briefing for') && Number(m.ts) > Date.now() / 1000 - 120, 20_000).catch(() => undefined);
    if (fresh) return fresh;
    say(dim(`(today's briefing for ${user} was already sent; showing it)`));
    return waitFor(user, `${user}'s briefing`, (m, s) => isBot(m, s) && m.channel === dm && m.text.includes('Briefing for'));
  };
  const briefing = await latestBriefing('maria', maria);
  say("maria's DM:");
  quote(readable(briefing));
  const samBriefing = await latestBriefing('sam', sam);
  say("sam's DM (a new engineer gets the domain model first):");
  quote(readable(samBriefing), 6);

  step('maria asks for the error propagation path');
  const question = 'show me the error propagation path from an Azure machine to NodePool conditions';
  say(`maria: “${question}”`);
  const asked = await ui<{ ts: string }>('/ui/send', { user: 'maria', channel: maria, text: question });
  const path = await waitFor('maria', 'the path', (m, s) => isBot(m, s) && m.thread_ts === asked.ts);
  quote(path.text, 14);

  step('…and for options to fix it inside this repository only');
  const optionsQ = 'What are the options to fix the lossy step from an Azure machine to NodePool conditions, inside this repository only?';
  say(`maria: “${optionsQ}”`);
  const askedOptions = await ui<{ ts: string }>('/ui/send', { user: 'maria', channel: maria, text: optionsQ });
  quote((await waitFor('maria', 'the options', (m, s) => isBot(m, s) && m.thread_ts === askedOptions.ts)).text, 16);

  step('A plan: phases, dependencies, gates');
  say(`maria: /sitroom plan ${key} ${intention}`);
  await ui('/ui/command', { user: 'maria', channel: maria, text: `/sitroom plan ${key} ${intention}` });
  const planGate = await waitFor('maria', 'the plan gate', (m) => seen(m).includes(`Plan gate — ${key}`));
  quote(readable(planGate), 10);
  say('maria taps Approve.');
  await tap('maria', planGate, 'sitroom:decide:approve-plan');
  const phaseGate = await waitFor('maria', 'the gate of phase 1', (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('api-surface'));
  say('Phase 1 (API surface) needs approval for API changes; maria taps Approve: it runs full auto.');
  await tap('maria', phaseGate, 'sitroom:decide:approve-phase');

  step('Phase 1 runs: worktree, code, make api, make verify, go test, PR, CI');
  say('Local CI fails once on the known TestNodePoolAutoRepair flake; RH-O retries it without bothering anyone…');
  const ready = await waitFor('maria', '"PR ready"', (m) => seen(m).includes(`PR ready — ${key} api-surface`));
  quote(readable(ready), 10);

  step('Phase 2 needs judgement the offline agent does not have');
  const failed = await waitFor('maria', 'news of phase 2', (m) => m.text.includes(`${key} phase platform-bridge failed`), 120_000).catch(() => undefined);
  if (failed) quote(failed.text.replace(/<@\w+>\s*/, ''), 3);
  else say('(with ANTHROPIC_API_KEY set, RH-A implements the platform bridge here)');

  // "of KEY" because a rerun leaves maria more than one active ticket with a phase 3.
  step(`“pair with me on phase 3 of ${key}”`);
  const pairAsk = await ui<{ ts: string }>('/ui/send', { user: 'maria', channel: maria, text: `pair with me on phase 3 of ${key}` });
  const opened = await waitFor('maria', 'the pair thread', (m, s) => isBot(m, s) && m.thread_ts === pairAsk.ts);
  if (!opened.text.startsWith('Pairing on')) throw new Error(`the app answered: ${opened.text}`);
  quote(opened.text, 2);
  const snippet = [
    'for _, p := range np.Status.Conditions {',
    '\tmachines, _ := r.Machines.ListMachines(ctx, np.Namespace, np.Name)',
    '\tfor _, m := range machines {',
    '\t\tmsg = msg + m.Name + ": " + m.ProviderMessage + "; "',
    '\t}',
    '}',
    'np.Status.SetCondition(hyperv1.NodePoolCondition{Type: "CapacityError", Reason: "capacity_error", Message: msg})',
  ].join('\n');
  say('maria pastes her draft in the thread:');
  quote(snippet);
  await ui('/ui/send', { user: 'maria', channel: maria, text: snippet, threadTs: pairAsk.ts });
  const review = await waitFor('maria', 'the review', (m, s) => isBot(m, s) && m.thread_ts === pairAsk.ts && !m.text.startsWith('Pairing on'));
  quote(readable(review), 14);

  step(`A second ticket the offline agent can finish: ${secondKey}`);
  await ui('/ui/command', { user: 'maria', channel: maria, text: `/sitroom plan ${secondKey} add NodePool condition type ${secondType} with reason ${secondType}Reported` });
  await tap('maria', await waitFor('maria', 'its plan gate', (m) => seen(m).includes(`Plan gate — ${secondKey}`)), 'sitroom:decide:approve-plan');
  await tap('maria', await waitFor('maria', 'its phase gate', (m) => seen(m).includes(`Phase gate — ${secondKey}`)), 'sitroom:decide:approve-phase');
  say('approved; it runs, merges and resolves…');
  const offer = await waitFor('maria', 'the knowledge proposal', (m) => seen(m).includes('Keep this as team knowledge?') && seen(m).includes(secondKey));
  quote(readable(offer), 6);
  say('maria taps “Edit first”, rewrites the entry in the modal and submits.');
  await tap('maria', offer, 'sitroom:open:knowledge-edit');
  for (let i = 0; i < 20 && !(await state('maria')).modal; i++) await pause(250);
  const title = `Adding a NodePool condition (${secondKey}): make api before make verify, and expect the AutoRepair flake`;
  await ui('/ui/submit', { user: 'maria', values: JSON.stringify({ knowledge_title: title, knowledge_body: 'Run make api after adding the constants, then make verify and go test. CI may fail once on TestNodePoolAutoRepair (timed out waiting for the condition): RH-O retries it.' }) });

  step('priya reviews it on the team dashboard');
  const secret = dashboardSecret();
  if (!secret) {
    say('No dashboard secret found (.data/dashboard-secret or SITROOM_DASHBOARD_SECRET): open the sign-in link `npm run dev` printed for priya and approve it there.');
  } else {
    const login = await fetch(dashboardLoginLink(httpUrl, secret, 'priya', new Date()), { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`the dashboard refused priya's sign-in link (HTTP ${login.status}); is SITROOM_DASHBOARD_SECRET the one dev uses?`);
    let page = '';
    let id: string | undefined;
    for (let i = 0; i < 40 && !id; i++) {
      page = await (await fetch(`${httpUrl}/dashboard`, { headers: { cookie } })).text();
      const at = page.indexOf(title.replace(/&/g, '&amp;'));
      id = at >= 0 ? /action="\/dashboard\/proposals\/(\d+)\/review"/.exec(page.slice(at))?.[1] : undefined;
      if (!id) await pause(500);
    }
    if (!id) throw new Error('the edited entry did not reach the review queue');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await fetch(`${httpUrl}/dashboard/proposals/${id}/review`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, decision: 'approve', note: 'good catch on the flake' }).toString() });
    const flash = decodeURIComponent(/done=([^#]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '');
    say(`priya approves: ${flash || `HTTP ${res.status}`}`);
    say(`It is in the knowledge feed now: ${httpUrl}/dashboard#knowledge`);
  }

  const total = (await state('maria')).messages.length - since;
  console.log(`\n${bold('Done.')} ${total} new messages in maria's view. Scroll through them at ${workspaceUrl}/?user=maria`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`\ndemo stopped: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
