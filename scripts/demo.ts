// `npm run demo`: issue 8's day with Situation Room on one ticket, played against a running `npm run dev` the
// way people would play it — through the local Slack workspace's HTTP endpoints (the same ones its browser page
// uses), a git commit in the phase's worktree, and the team dashboard — and narrated here. It is the story
// test/e2e/scenario.test.ts asserts. Open the printed workspace URL to watch it happen.
//
//   WORKSPACE_URL  default http://127.0.0.1:3002   (the local Slack workspace of `npm run dev`)
//   DASHBOARD_URL  default http://127.0.0.1:3000   (the HTTP front door with /dashboard)
//   TARGET_REPO    default .data/target-repo         (the repository `npm run dev` works in; local mode)
//   DEMO_KEY       default HOSTEDCP-<4 digits>      (a fresh ticket key, so runs do not collide)
// They are parsed with the product's own (src/config/environment.ts), so a bad one is named before anything runs.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { providerFailures } from '../src/agent/recipes.js';
import { loadConfig } from '../src/config/load.js';
import { readEnvironment } from '../src/config/process-environment.js';
import { dashboardLoginLink } from '../src/http/dashboard/index.js';
import { quietHoursEnd } from '../src/notifications/routing.js';
// maria's hand-written integration is the one the end-to-end scenario commits, so both tell the same story.
import { handWrittenIntegration } from '../test/agent/hand-written-integration.js';

const environment = readEnvironment();
const workspaceUrl = (environment.demo.workspaceUrl ?? `http://127.0.0.1:${environment.ports.workspace}`).replace(/\/$/, '');
const httpUrl = (environment.demo.dashboardUrl ?? `http://127.0.0.1:${environment.ports.http}`).replace(/\/(dashboard)?\/?$/, '');
const key = environment.demo.key ?? `HOSTEDCP-${String(Date.now()).slice(-4)}`;
const targetRepo = environment.paths.targetRepo ?? join(process.cwd(), '.data', 'target-repo');
const stepTimeoutMs = environment.demo.stepTimeoutMs;
const run = promisify(execFile);
const git = async (cwd: string, args: string[]) => (await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;

interface Message {
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  edited?: unknown;
}
interface UiState {
  me: string;
  botUserId: string;
  channels: Array<{ id: string; name: string; isIm: boolean }>;
  messages: Message[];
  ephemerals: Message[];
  modal: unknown;
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
let stepNo = 0;
const step = (title: string) => console.log(`\n${bold(`${++stepNo}. ${title}`)}`);
const say = (line: string) => console.log(`   ${line}`);
const quote = (text: string, lines = 12) =>
  text
    .split('\n')
    .slice(0, lines)
    .forEach((l) => console.log(dim(`   │ ${l}`)));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ui<T>(path: string, body?: Record<string, string>): Promise<T> {
  const res = await fetch(
    `${workspaceUrl}${path}`,
    body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {},
  );
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
  return (texts.length ? texts.join('\n') : m.text)
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&');
}

async function waitFor(user: string, what: string, match: (m: Message, s: UiState) => boolean, timeoutMs = stepTimeoutMs): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state(user);
    const found = s.messages.find((m) => match(m, s));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no ${what} after ${Math.round(timeoutMs / 1000)} s; the terminal of \`npm run dev\` shows what went wrong.`);
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
  if (environment.dashboard.secret) return environment.dashboard.secret;
  const file = join(process.cwd(), '.data', 'dashboard-secret'); // written by `npm run dev` on first start
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

const actionIds = (m: Message): string[] =>
  (m.blocks ?? []).flatMap((b) =>
    (b as { type: string }).type === 'actions' ? ((b as { elements?: Array<{ action_id: string }> }).elements ?? []).map((e) => e.action_id) : [],
  );

/**
 * The error class for this run's ticket: one the offline agent can carry through every phase (it knows each
 * provider's words for it) and that the target repository does not have yet — on a second run against the same
 * dev data the first ones are on main already.
 */
function pickConditionType(): string | undefined {
  const file = join(targetRepo, 'api/hypershift/v1beta1/nodepool_conditions.go');
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const known = Object.keys(providerFailures).map((c) => `${c[0]!.toUpperCase()}${c.slice(1)}Error`);
  return known.find((t) => !existing.includes(`"${t}"`));
}

const storyPeople = ['maria', 'sam'];
const roleFile = (id: string) => join(targetRepo, '.rh-agentic', 'roles', `${id}.yaml`);

const storyMinutes = 30;
/** Who of the story's people is in quiet hours now or soon: the product holds their non-urgent messages until morning. */
function quietNow(): Array<{ id: string; line: string }> {
  if (!existsSync(join(targetRepo, '.rh-agentic'))) return [];
  const { roles } = loadConfig(targetRepo);
  return storyPeople.flatMap((id) => {
    const role = roles.get(id);
    const quiet = role?.notifications.quiet_hours;
    // The story takes a quarter of an hour or so: quiet hours that begin while it plays count too.
    const inside = role && [0, storyMinutes].some((m) => quietHoursEnd(new Date(Date.now() + m * 60_000), quiet, role.time_zone));
    return inside && quiet ? [{ id, line: `${id} (${role.time_zone}, quiet hours ${quiet.start}–${quiet.end})` }] : [];
  });
}

/** dev's own copy of examples/target-repo (its first commit imports it), not a repository TARGET_REPO names. */
async function isExampleCopy(): Promise<boolean> {
  try {
    return (await git(targetRepo, ['log', '--reverse', '--format=%s'])).split('\n')[0] === 'Import example target repository';
  } catch {
    return false;
  }
}

/**
 * The demo's own team settings: quiet_hours dropped from the role files of `ids` in the example team for the
 * length of the story. The running product re-reads role files within seconds of a change, so its rule holds
 * messages for nobody in the story; the returned function writes the files back exactly as they were.
 */
function liftQuietHours(ids: string[]): () => void {
  const saved = new Map<string, string>();
  for (const id of ids) {
    const text = readFileSync(roleFile(id), 'utf8');
    saved.set(roleFile(id), text);
    const doc = parseDocument(text);
    doc.deleteIn(['notifications', 'quiet_hours']);
    writeFileSync(roleFile(id), doc.toString());
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const [file, text] of saved) writeFileSync(file, text);
  };
}
let restoreQuietHours: () => void = () => undefined;

async function main(): Promise<number> {
  if (!(await devIsRunning())) {
    console.error(`Situation Room is not running: nothing answers at ${workspaceUrl}.`);
    console.error('Start it in another terminal with `npm run dev`, wait for "Situation Room is ready", then run `npm run demo` again.');
    console.error('(Set WORKSPACE_URL / DASHBOARD_URL if you started it on other ports, TARGET_REPO if it works in another repository.)');
    return 1;
  }
  const conditionType = pickConditionType();
  if (!conditionType) {
    console.error(
      `${targetRepo} already has a condition for every error class the offline agent knows (${Object.keys(providerFailures).join(', ')}): earlier demo runs added them.`,
    );
    console.error('Stop `npm run dev`, remove .data/target-repo (it is copied again from examples/target-repo on start), and start it again.');
    return 1;
  }
  const quiet = quietNow();
  if (quiet.length) {
    const who = quiet.map((q) => q.line).join(' and ');
    if (!(await isExampleCopy())) {
      console.error(`It is quiet hours for ${who}: the product holds their non-urgent messages until then, so the story would stall.`);
      console.error(
        `${targetRepo} is not dev's copy of the example team, so the demo leaves its role files alone: run it in their daytime, or drop quiet_hours from ${join(targetRepo, '.rh-agentic/roles')} (the running product re-reads role files within seconds).`,
      );
      return 1;
    }
    restoreQuietHours = liftQuietHours(quiet.map((q) => q.id));
    process.once('SIGINT', () => {
      restoreQuietHours();
      process.exit(130);
    });
    console.log(
      dim(`It is quiet hours for ${who}. For this demo the example team in ${targetRepo} has no quiet hours; the role files are put back when it ends.`),
    );
    // The running product checks the role files every couple of seconds.
    await pause(3_000);
  }
  const errorClass = conditionType.replace(/Error$/, '').toLowerCase();
  const intention = `NodePool should report ${errorClass} errors per platform`;
  const hers = handWrittenIntegration(conditionType);

  console.log(bold(`A day with Situation Room on ${key} — maria (senior), sam (new), priya (curator)`));
  console.log(`Watch it in your browser: ${workspaceUrl}/?user=maria  (the menu at the top switches person; a phone-width window works)`);
  console.log(`Team dashboard: ${httpUrl}/dashboard`);
  const maria = await dmOf('maria');
  const sam = await dmOf('sam');
  const since = (await state('maria')).messages.length;
  const isBot = (m: Message, s: UiState) => m.user === s.botUserId;
  const inThread =
    (ts: string, after = '0') =>
    (m: Message, s: UiState) =>
      isBot(m, s) && m.thread_ts === ts && Number(m.ts) > Number(after) && !m.text.startsWith('Pairing on');

  step('Morning briefing (the same workflow the 08:30 schedule starts)');
  await ui('/ui/command', { user: 'maria', channel: maria, text: '/sitroom briefing' });
  await ui('/ui/command', { user: 'sam', channel: sam, text: '/sitroom briefing' });
  // One briefing per person and morning: when today's was already sent (the schedule, an earlier run), show it.
  const latestBriefing = async (user: string, dm: string) => {
    const fresh = await waitFor(
      user,
      `${user}'s briefing`,
      (m, s) => isBot(m, s) && m.channel === dm && m.text.includes('Briefing for') && Number(m.ts) > Date.now() / 1000 - 120,
      20_000,
    ).catch(() => undefined);
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
  quote((await waitFor('maria', 'the path', (m, s) => isBot(m, s) && m.thread_ts === asked.ts)).text, 14);

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
  const phaseGate = await waitFor('maria', 'the gate of phase 1', (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('phase api-surface'));
  say('Phase 1 (API surface) needs approval for API changes. On her phone she taps Approve: it runs full auto.');
  await tap('maria', phaseGate, 'sitroom:decide:approve-phase');

  step('Phase 1 runs: worktree, code, make api, make verify, go test, PR, CI');
  say('Local CI fails once on the known TestNodePoolAutoRepair flake; RH-O retries it without bothering anyone…');
  quote(readable(await waitFor('maria', '"PR ready" for phase 1', (m) => seen(m).includes(`PR ready — ${key} api-surface`))), 10);

  step('Phase 1 merges; phase 2, the platform bridge, runs on its own');
  say(`Each platform file maps only its own provider's ${errorClass} failure to the new condition's reason, with a table test.`);
  quote(readable(await waitFor('maria', '"PR ready" for phase 2', (m) => seen(m).includes(`PR ready — ${key} platform-bridge`))), 8);

  step('Phase 3 (NodePool integration) is core logic: maria pairs on it');
  const gate3 = await waitFor('maria', 'the gate of phase 3', (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('phase nodepool-integration'));
  say('maria taps Approve on its gate.');
  await tap('maria', gate3, 'sitroom:decide:approve-phase');
  const invite = await waitFor('maria', 'the pair invitation', (m) => m.text.includes(`${key} phase nodepool-integration is yours to pair on`));
  quote(invite.text.replace(/<@\w+>\s*/, ''), 3);
  const branch = /Push your commits to (\S+?)\.?$/m.exec(invite.text)?.[1];
  if (!branch) throw new Error('the invitation names no branch');
  // "of KEY" because a rerun leaves maria more than one active ticket with a phase 3.
  say(`maria: “pair with me on phase 3 of ${key}”`);
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
    `np.Status.SetCondition(hyperv1.NodePoolCondition{Type: "${conditionType}", Reason: "${errorClass}_error", Message: msg})`,
  ].join('\n');
  say('maria pastes her draft in the thread:');
  quote(snippet);
  const draft = await ui<{ ts: string }>('/ui/send', { user: 'maria', channel: maria, text: snippet, threadTs: pairAsk.ts });
  quote(readable(await waitFor('maria', 'the review', inThread(pairAsk.ts, draft.ts))), 14);

  step(`maria writes the integration on ${branch}, as the review said`);
  const worktree = [...(await git(targetRepo, ['worktree', 'list', '--porcelain'])).matchAll(/worktree (.+)\nHEAD \w+\nbranch refs\/heads\/(.+)/g)].find(
    (m) => m[2] === branch,
  )?.[1];
  if (!worktree) throw new Error(`no worktree of ${targetRepo} is on ${branch}`);
  await hers.write(worktree);
  await git(worktree, ['add', ...hers.files]);
  const diff = await git(worktree, ['diff', '--cached']);
  say(`The machine list the reconcile loop fetched, counts in the message ("${hers.message(2, 3)}"), CamelCase constants —`);
  say(
    `and a reason of her own, ${hers.reason}, with a status field counting the failing machines and a test that a DeepCopy owns it. She pastes the diff in the thread:`,
  );
  const pasted = await ui<{ ts: string }>('/ui/send', { user: 'maria', channel: maria, text: diff, threadTs: pairAsk.ts });
  quote(readable(await waitFor('maria', 'the review of her diff', inThread(pairAsk.ts, pasted.ts))), 4);
  await git(worktree, [
    '-c',
    'user.name=Maria Alvarez',
    '-c',
    'user.email=maria@example.com',
    'commit',
    '-q',
    '-m',
    `${key}: set ${conditionType} in the reconcile loop`,
  ]);
  say(`She commits — without running \`make api\` — and says “done” in the thread.`);
  await ui('/ui/send', { user: 'maria', channel: maria, text: 'done', threadTs: pairAsk.ts });

  step('Local CI fails for real: zz_generated.deepcopy.go is stale, so a DeepCopy shares her new field');
  const alert = await waitFor('maria', 'the CI alert', (m) => m.channel === maria && seen(m).includes(`CI blocked — ${key} nodepool-integration`));
  quote(readable(alert), 10);
  const inChannel = (await state('maria')).messages.find((m) => m.channel !== maria && seen(m).includes(`CI blocked — ${key} nodepool-integration`));
  say(inChannel ? `The same alert is in the team channel, with the same buttons.` : dim('(the team channel alert goes to a channel maria is not in here)'));
  const fix = actionIds(alert).find((id) => id.includes('fix-and-repush'));
  if (!fix) throw new Error(`the alert has no "Fix and re-push" button (${actionIds(alert).join(', ')})`);
  say('maria taps “Fix and re-push”: RH-A runs make api, verifies, tests and pushes to her branch.');
  await tap('maria', alert, fix);
  quote(readable(await waitFor('maria', '"PR ready" for phase 3', (m) => seen(m).includes(`PR ready — ${key} nodepool-integration`))), 8);

  step('Phase 3 merges; phase 4 documents the condition, from the code');
  quote(readable(await waitFor('maria', '"PR ready" for phase 4', (m) => seen(m).includes(`PR ready — ${key} docs-observability`))), 6);

  step('The ticket resolves: keep what was learned?');
  const offer = await waitFor('maria', 'the knowledge proposal', (m) => seen(m).includes('Keep this as team knowledge?') && seen(m).includes(key));
  quote(readable(offer), 8);
  say('maria taps “Edit first”, rewrites the entry in the modal and submits.');
  await tap('maria', offer, 'sitroom:open:knowledge-edit');
  for (let i = 0; i < 20 && !(await state('maria')).modal; i++) await pause(250);
  const title = `Reporting a provider error on NodePools (${key}): map it per platform, count it from the fetched list, make api after a new API field`;
  const body = `Each platform file maps only its own provider's ${errorClass} failure. The controller sets ${conditionType} from the machine list the reconcile loop already has, with counts in the message. A status field added during the integration needs make api before the push: CI catches the stale zz_generated.deepcopy.go, and RH-A can regenerate it.`;
  await ui('/ui/submit', { user: 'maria', values: JSON.stringify({ knowledge_title: title, knowledge_body: body }) });

  step('priya reviews it on the team dashboard');
  const secret = dashboardSecret();
  if (!secret) {
    say(
      'No dashboard secret found (.data/dashboard-secret or SITROOM_DASHBOARD_SECRET): open the sign-in link `npm run dev` printed for priya and approve it there.',
    );
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
    const res = await fetch(`${httpUrl}/dashboard/proposals/${id}/review`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, decision: 'approve', note: 'the make api lesson is the useful part' }).toString(),
    });
    const flash = decodeURIComponent(/done=([^#]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '');
    say(`priya approves: ${flash || `HTTP ${res.status}`}`);
    say(`It is in the knowledge feed now, as a curated (tier 1) entry: ${httpUrl}/dashboard#knowledge`);
  }

  const total = (await state('maria')).messages.length - since;
  console.log(`\n${bold('Done.')} ${total} new messages in maria's view. Scroll through them at ${workspaceUrl}/?user=maria`);
  return 0;
}

main().then(
  (code) => {
    restoreQuietHours();
    process.exit(code);
  },
  (err: unknown) => {
    restoreQuietHours();
    console.error(`\ndemo stopped: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
