// Situation Room deployed as a team runs it: `sitroom worker` and `sitroom slack` as two processes started the
// way the README and the Helm chart start them (every secret given, nothing generated, no dev defaults),
// sharing PostgreSQL, reaching Temporal only over mTLS through a TLS terminator in front of the dev server
// (configured through the documented TEMPORAL_TLS_* variables alone), Slack through the local workspace and
// Claude through a loopback Messages API that only the worker is told about.
//
// The steps follow issue 15's "done when".
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { and, eq, like } from 'drizzle-orm';
import * as apps from 'kubernetes-models/apps/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { questionUsagePrefix } from '../../src/activities/ask.js';
import { manifestBotScopes } from '../../src/cli/doctor.js';
import { exampleTargetRepo } from '../../src/config/load.js';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { agentUsage } from '../../src/db/schema/agent.js';
import { startLocalWorkspace, type LocalWorkspace, type StoredMessage } from '../../src/local-slack/server.js';
import { ActionIds } from '../../src/slack/ids.js';
import { launchChromium, phoneScreen } from '../support/browser.js';
import { repoRoot } from '../../src/paths.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { createDatabase } from '../support/db.js';
import { startFakeAnthropic, text, toolUse, type FakeAnthropic } from '../support/doubles/anthropic.js';
import { doctorLine, runDoctor } from '../support/doctor.js';
import { findHelm } from '../support/helm.js';
import { needs, requirement, skipOrFail } from '../support/requirements.js';
import { makeTestCertificates, startTlsTerminator, type TestCertificates, type TlsTerminator } from '../support/tls-terminator.js';

const exec = promisify(execFile);
const adminUrl = inject('databaseUrl');
const botToken = 'xoxb-deployed-test-token';
const signingSecret = 'deployed-signing-secret-0123456789';
const dashboardSecret = 'deployed-dashboard-secret-0123456789abcdef';
const alertsChannel = 'hypershift-data-plane';
const question = 'Which file declares the NodePool Ready condition?';
const answerText = 'NodePool readiness is declared in api/hypershift/v1beta1/nodepool_conditions.go (NodePoolReadyConditionType).';

const workItemKey = 'HOSTEDCP-2290';
const intention = 'NodePool should report capacity errors per platform';
const plannedWork = {
  workItemKey,
  intention,
  summary: 'Add a capacity condition to NodePool and set it from the AWS platform code.',
  phases: [
    {
      id: 'api-surface',
      title: 'Declare the capacity condition',
      activity: 'api_changes',
      files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
      constraints: [],
      validation: [{ command: 'make api', why: 'regenerate the API' }],
      dependsOn: [],
      mergeOrder: 1,
    },
    {
      id: 'aws-capacity',
      title: 'Report AWS capacity errors',
      activity: 'implementation',
      files: ['hypershift-operator/controllers/nodepool/aws.go'],
      constraints: [],
      validation: [{ command: 'make test', why: 'unit tests' }],
      dependsOn: ['api-surface'],
      mergeOrder: 2,
    },
  ],
};

interface ProductProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `npx sitroom <command>` (bin/sitroom.js) with only the variables a deployment sets, and PATH/HOME. */
function startSitroom(command: 'worker' | 'slack', vars: Record<string, string>, readyLine: string): Promise<ProductProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/sitroom.js'), command], {
    cwd: repoRoot,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'info', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: ProductProcess = {
    name: command,
    child,
    output: () => out,
    async stop() {
      // SIGTERM to the bin's pid alone, as Kubernetes or systemd sends it: the CLI runs in that process, so its
      // drain must end it cleanly (exit 0).
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      const code = await exited;
      expect(code, `sitroom ${command} after SIGTERM:\n${out}`).toBe(0);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sitroom ${command} was not ready within 180 s:\n${out}`)), 180_000);
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
      if (out.includes(readyLine)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sitroom ${command} exited (${code}) before it was ready:\n${out}`));
    });
  });
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let certs: TestCertificates;
let terminator: TlsTerminator;
let anthropic: FakeAnthropic;
let workspace: LocalWorkspace;
let outsideWorkspace: LocalWorkspace;
let targetRepo: string;
let databaseUrl: string;
let store: OpenStore;
let worker: ProductProcess | undefined;
let slack: ProductProcess | undefined;
/** What both processes share: the deployment's Temporal (over mTLS), database and team checkout. */
let shared: Record<string, string>;
/** What the Slack process is given on top. */
let slackVars: Record<string, string>;
/** The streamed answer to her second question, whose footer carries "Open dashboard". */
let streamed: StoredMessage;
/** The plan gate her `/sitroom plan` brought to her DM. */
let gate: StoredMessage;

describe('deployed: sitroom worker and sitroom slack as separate processes, Temporal over mTLS', { timeout: 240_000 }, () => {
  needs('postgres');

  beforeAll(async () => {
    if (!adminUrl) return;
    certs = makeTestCertificates();
    terminator = await startTlsTerminator({ upstream: inject('temporalAddress'), certificates: certs, requireClientCertificate: true });
    targetRepo = mkdtempSync(join(tmpdir(), 'sitroom-deployed-target-'));
    cpSync(exampleTargetRepo, targetRepo, { recursive: true });
    // maria's quiet hours (20:00-07:30 Europe/Madrid) would hold her plan gate until morning when this runs in
    // the evening, as the product should; the deployed processes run on the real clock, so her copy has none.
    const mariaRole = join(targetRepo, '.rh-agentic/roles/maria.yaml');
    const withoutQuietHours = readFileSync(mariaRole, 'utf8').replace(/^\s*quiet_hours:.*\n/m, '');
    expect(withoutQuietHours).not.toContain('quiet_hours');
    writeFileSync(mariaRole, withoutQuietHours);
    await exec('git', ['init', '-q', '-b', 'main', targetRepo]);
    await exec('git', ['-C', targetRepo, 'add', '-A']);
    await exec('git', ['-C', targetRepo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'import']);
    databaseUrl = await createDatabase(adminUrl, 'sr_deployed');
    // The migration step of the deployment (the chart's init container runs `sitroom migrate`).
    await exec(process.execPath, [join(repoRoot, 'bin/sitroom.js'), 'migrate'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATABASE_URL: databaseUrl, TARGET_REPO: targetRepo },
      timeout: 120_000,
    });
    store = await openStore({ url: databaseUrl });

    // Claude answers a question in two turns: a file search in the checkout, then the answer.
    // Asked for a plan, it answers with one in the JSON block the planner asks for.
    anthropic = await startFakeAnthropic((request, index) => {
      if (JSON.stringify(request.system ?? '').includes('phase-gated plan'))
        return { stop_reason: 'end_turn', content: [text(`\`\`\`json\n${JSON.stringify(plannedWork)}\n\`\`\``)] };
      const last = JSON.stringify(request.messages.at(-1)?.content ?? '');
      if (last.includes('tool_result')) return { stop_reason: 'end_turn', content: [text(answerText)] };
      return { stop_reason: 'tool_use', content: [toolUse('search_files', { pattern: 'NodePoolReadyConditionType' })], output_tokens: 20 + index };
    });

    const { loadConfig } = await import('../../src/config/load.js');
    const { roles } = loadConfig(targetRepo);
    const users = [...roles.values()]
      .filter((r) => r.slack_user_id)
      .map((r) => ({ id: r.slack_user_id!, name: r.developer, realName: r.display_name, tz: r.time_zone }));
    workspace = await startLocalWorkspace({
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret,
      botToken,
      users,
      channels: ['general', alertsChannel],
      botScopes: manifestBotScopes(),
    });
    outsideWorkspace = await startLocalWorkspace({
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret,
      botToken,
      users,
      channels: ['general', alertsChannel],
      botScopes: manifestBotScopes(),
      botOutsideChannels: [alertsChannel],
    });

    shared = {
      DATABASE_URL: databaseUrl,
      TARGET_REPO: targetRepo,
      TEMPORAL_ADDRESS: terminator.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: `deployed-${Date.now().toString(36)}`,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyFile,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
    };
    const [port, slackPort] = [await freePort(), await freePort()];
    slackVars = {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: workspace.apiUrl,
      SITROOM_DASHBOARD_SECRET: dashboardSecret,
      PORT: String(port),
      SLACK_PORT: String(slackPort),
      SITROOM_PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    // Only the worker knows Claude: an answer that comes from the model was worked out on the worker.
    worker = await startSitroom(
      'worker',
      { ...shared, ANTHROPIC_API_KEY: 'sk-ant-deployed-test-0000000000', ANTHROPIC_BASE_URL: anthropic.url },
      'worker running',
    );
    slack = await startSitroom('slack', { ...shared, ...slackVars }, 'slack app running');
    workspace.setAppUrl(`http://127.0.0.1:${slackPort}/slack/events`);
  }, 420_000);

  afterAll(async () => {
    await slack?.stop();
    await worker?.stop();
    await store?.close();
    await workspace?.stop();
    await outsideWorkspace?.stop();
    await anthropic?.close();
    await terminator?.close();
    if (targetRepo) rmSync(targetRepo, { recursive: true, force: true });
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  it('both processes run with their secrets kept out of the logs, reaching Temporal through the mTLS terminator', () => {
    expect(terminator.forwarded()).toBeGreaterThan(0);
    expect(slack!.output()).not.toContain(botToken);
    expect(slack!.output()).not.toContain(dashboardSecret);
  });

  it('a person asks a question in the DM and gets the answer, worked out on the worker and metered there', async () => {
    const maria = workspace.user('maria');
    const dm = workspace.dmChannel(maria.id);
    const before = anthropic.requests.length;
    const { ts } = await workspace.sendMessage('maria', dm, question);
    const answer = await until(
      () => workspace.threadReplies(dm, ts).find((m) => m.user === workspace.botUserId && m.stream?.state !== 'streaming'),
      'the answer in the DM thread',
      120_000,
    );
    expect(answer.text).toContain(answerText);
    // The model was asked by the worker (the Slack process has no Anthropic settings) and searched the checkout there.
    expect(anthropic.requests.length).toBe(before + 2);
    const toolResult = JSON.stringify(anthropic.requests[before + 1]!.messages.at(-1)!.content);
    expect(toolResult).toContain('api/hypershift/v1beta1/nodepool_conditions.go');
    // Usage recorded in the ledger under the asker's question key (what the budget sums).
    const rows = await store.db
      .select()
      .from(agentUsage)
      .where(and(eq(agentUsage.step, 'answer'), like(agentUsage.idempotencyKey, `${questionUsagePrefix('maria')}%`)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agent: 'claude', turns: 2, workItemKey: null });
    expect(rows[0]!.outputTokens).toBeGreaterThan(0);
  });

  it('a delivery of the same DM event twice (a Slack retry) is answered once', async () => {
    const maria = workspace.user('maria');
    const dm = workspace.dmChannel(maria.id);
    const before = anthropic.requests.length;
    const ts = `${Math.floor(Date.now() / 1000)}.000${Math.floor(Math.random() * 900 + 100)}`;
    const event = { type: 'message', channel: dm, channel_type: 'im', user: maria.id, text: 'Who owns the NodePool controller?', ts };
    const eventId = `Ev${Date.now().toString(36).toUpperCase()}`;
    const deliveries = await Promise.all([workspace.deliverEvent(event, { eventId }), workspace.deliverEvent(event, { eventId })]);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    await until(
      () => workspace.threadReplies(dm, ts).find((m) => m.user === workspace.botUserId && m.stream?.state !== 'streaming'),
      'the answer to the retried event',
      120_000,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second answer, were one coming
    expect(workspace.threadReplies(dm, ts).filter((m) => m.user === workspace.botUserId)).toHaveLength(1);
    expect(anthropic.requests.length).toBe(before + 2);
  });

  it('helm template renders the chart into objects that validate against the Kubernetes schemas', (ctx) => {
    const helm = findHelm();
    if (!helm) return ctx.skip('helm is neither on PATH nor in `go env GOPATH`/bin');
    const result = spawnSync(helm, ['template', 'sitroom', '.', '--namespace', 'hypershift-team'], {
      cwd: join(repoRoot, 'deploy/helm/situation-room'),
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const manifests = parseAllDocuments(result.stdout)
      .map((d) => d.toJSON() as { apiVersion: string; kind: string; metadata: { name: string } } | null)
      .filter((m) => m !== null);
    const models: Record<string, Record<string, unknown>> = { v1: core, 'apps/v1': apps, 'networking.k8s.io/v1': networking };
    expect(manifests.map((m) => m.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service']));
    for (const m of manifests) {
      const Model = models[m.apiVersion]?.[m.kind] as (new (data: unknown) => { validate(): void }) | undefined;
      expect(Model, `${m.apiVersion} ${m.kind} has a schema`).toBeDefined();
      expect(() => new Model!(m).validate(), `${m.kind} ${m.metadata.name}`).not.toThrow();
    }
  });

  describe('sitroom doctor against this deployment', () => {
    const env = () => ({ ...shared, ...slackVars });

    it('passes the Slack, Temporal (over mTLS), database and checkout checks', async () => {
      const { out } = await runDoctor(env());
      for (const check of [
        'environment',
        'slack token',
        'slack scopes',
        'slack alerts channel',
        'temporal namespace',
        'database migrations',
        'target checkout',
      ]) {
        expect(doctorLine(out, check), check).toMatch(/^ok {4}/);
      }
      expect(out).not.toContain(botToken);
    });

    it('reports a wrong Slack token with where to copy the right one', async () => {
      const { code, out } = await runDoctor({ ...env(), SLACK_BOT_TOKEN: 'xoxb-wrong' });
      expect(doctorLine(out, 'slack token')).toMatch(/FAIL {2}slack token: auth.test answered invalid_auth\n {6}fix: SLACK_BOT_TOKEN is not a valid bot token/);
      expect(code).toBe(1);
    });

    it('reports the alerts channel the bot is not in, with the invite to send', async () => {
      const { code, out } = await runDoctor({ ...env(), SLACK_API_URL: outsideWorkspace.apiUrl });
      expect(doctorLine(out, 'slack alerts channel')).toMatch(
        new RegExp(`FAIL {2}slack alerts channel: the bot is not a member of #${alertsChannel}\\n {6}fix: in Slack, open #${alertsChannel} and run /invite @`),
      );
      expect(code).toBe(1);
    });

    it('reports Temporal unreachable, naming TEMPORAL_ADDRESS', async () => {
      const { code, out } = await runDoctor({ ...env(), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
      expect(doctorLine(out, 'temporal namespace')).toMatch(/FAIL {2}temporal namespace: .*\n {6}fix: .*TEMPORAL_ADDRESS/);
      expect(code).toBe(1);
    });

    it('reports a database that is not migrated, with the command that migrates it', async () => {
      const { code, out } = await runDoctor({ ...env(), DATABASE_URL: await createDatabase(adminUrl, 'sr_deployed_empty') });
      expect(doctorLine(out, 'database migrations')).toMatch(
        /FAIL {2}database migrations: (\d+) of \1 migrations not applied .*\n {6}fix: run `sitroom migrate`/,
      );
      expect(code).toBe(1);
    });

    it('reports a target checkout that is not a git repository', async () => {
      const notGit = mkdtempSync(join(tmpdir(), 'sitroom-deployed-plain-'));
      cpSync(join(exampleTargetRepo, '.rh-agentic'), join(notGit, '.rh-agentic'), { recursive: true });
      try {
        const { code, out } = await runDoctor({ ...env(), TARGET_REPO: notGit });
        expect(doctorLine(out, 'target checkout')).toMatch(
          new RegExp(`FAIL {2}target checkout: ${notGit} is not a git repository\\n {6}fix: clone the team's repository there`),
        );
        expect(code).toBe(1);
      } finally {
        rmSync(notGit, { recursive: true, force: true });
      }
    });
  });

  it('opening the DM offers suggested prompts fitted to her', async () => {
    await workspace.openMessages('maria');
    const pinned = await until(() => workspace.suggestedPromptsIn('maria'), 'suggested prompts');
    expect(pinned.prompts.length).toBeGreaterThan(0);
    expect(pinned.prompts.every((p) => p.title.length > 0 && p.message.length > 0)).toBe(true);
  });

  it('while the worker answers, the DM shows a status, then the answer streams into the thread', async () => {
    const dm = workspace.dmChannel(workspace.user('maria').id);
    const sent = await workspace.sendMessage('maria', dm, 'Where is the NodePool Ready condition declared?');
    streamed = await until(() => workspace.threadReplies(dm, sent.ts).find((m) => m.stream?.state === 'completed'), 'the streamed answer', 120_000);
    expect(workspace.statuses.filter((s) => s.threadTs === sent.ts).map((s) => s.status)[0]).toBe('is thinking…');
    expect(workspace.apiCalls.some((c) => c.method === 'chat.startStream' && c.args.thread_ts === sent.ts)).toBe(true);
    expect(streamed.text).toContain(answerText);
  });

  it('she plans a change with /sitroom plan; the plan, drafted on the worker, comes to her DM as a gate', async () => {
    const dm = workspace.dmChannel(workspace.user('maria').id);
    expect((await workspace.slashCommand('maria', dm, '/sitroom', `plan ${workItemKey} ${intention}`)).status).toBe(200);
    gate = await until(
      () => workspace.messagesIn(dm).find((m) => JSON.stringify(m.blocks ?? []).includes(`Plan gate — ${workItemKey}`)),
      'the plan gate',
      120_000,
    );
    expect(anthropic.requests.some((r) => JSON.stringify(r.system ?? '').includes('phase-gated plan'))).toBe(true);
  });

  it('on a 390×844 phone, the gate\'s Details link, after "Open dashboard", lands her signed in on the work item\'s page', async (ctx) => {
    const chrome = requirement('chromium');
    if (!chrome.available) skipOrFail(ctx, chrome.note);
    // The link exactly as Slack shows it: the url of the gate's "Details" button.
    const details = linkUrl(gate, 'Details');
    expect(details).toBe(`${slackVars.SITROOM_PUBLIC_URL!}/dashboard/work-items/${workItemKey}`);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext(phoneScreen);
      const tab = await context.newPage();
      const noOverflow = async () =>
        expect(Number(await tab.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))).toBeLessThanOrEqual(0);

      // First time on this phone: not signed in; the page says where the sign-in link comes from.
      const first = await tab.goto(details);
      expect(first?.status()).toBe(401);
      expect(await tab.locator('main, body').first().innerText()).toContain('tap Open dashboard');
      await noOverflow();

      // She taps "Open dashboard" under the answer in her DM; the link only she sees brings her back to the work item.
      const before = workspace.ephemeralsFor('maria').length;
      await workspace.tap('maria', streamed, ActionIds.openDashboard);
      const link = await until(
        () =>
          workspace
            .ephemeralsFor('maria')
            .slice(before)
            .find((e) => e.text.includes('/dashboard/login')),
        'the sign-in link',
      );
      const signIn = /http:\/\/\S+/.exec(link.text)![0].replace(/[>|].*$/, '');
      expect(signIn.startsWith(slackVars.SITROOM_PUBLIC_URL!)).toBe(true);
      const landed = await tab.goto(signIn);
      expect(landed?.status()).toBe(200);
      expect(new URL(tab.url()).pathname).toBe(`/dashboard/work-items/${workItemKey}`);
      expect((await context.cookies()).some((c) => c.name === 'sitroom_dashboard' && c.httpOnly)).toBe(true);

      // Signed in, the Details link itself opens the page: the plan, its phases and the gate waiting for her.
      const again = await tab.goto(details);
      expect(again?.status()).toBe(200);
      await expect.poll(() => tab.locator('#plan h2').innerText()).toBe('Plan v1 (2 phases)');
      for (const phase of plannedWork.phases) expect(await tab.locator(`#phase-${phase.id}`).isVisible()).toBe(true);
      expect(await tab.locator('#pending h2').innerText()).toMatch(/^Pending decisions \([1-9]\d*\)$/);
      expect(await tab.locator('#pending').innerText()).toMatch(/approve/i);
      expect(await tab.locator('#plan').isVisible()).toBe(true);
      await noOverflow();
    } finally {
      await browser.close();
    }
  });
});

/** The url of the link button labelled `label` in a message's blocks, as Slack shows it. */
function linkUrl(message: StoredMessage, label: string): string {
  for (const block of (message.blocks ?? []) as Array<{ elements?: Array<{ type?: string; text?: { text?: string }; url?: string }> }>) {
    const button = block.elements?.find((e) => e.type === 'button' && e.text?.text === label && e.url);
    if (button) return button.url!;
  }
  throw new Error(`no "${label}" link in ${JSON.stringify(message.blocks)}`);
}
