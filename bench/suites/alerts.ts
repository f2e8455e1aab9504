// Alert latency (issue 18 item 4): from a CI result arriving to the alert a person sees in their DM and in the
// team's alerts channel. The product runs as `sitroom dev` composes it in GitHub mode: the composition root
// (createCore), a worker from the product's factory, and runSurfaces (HTTP front door with `POST
// /github/webhook`, the local Slack-compatible workspace, the real Bolt app and the outbox dispatcher), against
// the loopback GitHub (a real bare repository behind it, its Prow job publishing JUnit to a loopback bucket).
// Each work item is planned, approved and run by the real workflows and the offline RH-A until its first
// phase's PR is open and its CI watch waits; the Prow job on that PR holds its result until the bench lets it
// go. Then, for N PRs at once (default 5, 10 and 50), every held job reports a real test failure at the same
// moment: the loopback GitHub posts the failed commit status and sends the signed `status` delivery, the
// product reads the run's JUnit, the CI watch decides it is no flake and raises the blocking alert, and the
// dispatcher posts it. Latency: from the release to the "CI blocked" alert in the owner's DM and in the
// channel (both seen in the workspace's store, as a person's client shows them). Baseline: N concurrent bare
// chat.postMessage round trips on the same workspace, measured in the same run. One more batch (the second
// size) arrives the other way a result can: the CI system's signed push to `POST /ci/webhook`. The poll path
// (the CI watch reading Prow itself) is not timed: its wait is the watch's poll interval (15 s backing off to
// 5 min), which a webhook cuts short; the latency after the read is the same CI watch and dispatcher.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite, type Stats } from '../lib.js';
import { environmentFrom } from '../../src/config/environment.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/db/client.js';
import { inBatches } from '../support/harness.js';
import { like } from 'drizzle-orm';
import { decisions, notificationOutbox } from '../../src/db/schema/core.js';
import { git } from '../../src/integrations/git.js';
import { renderJUnit } from '../../src/integrations/ci/junit.js';
import { signCiPayload } from '../../src/http/ci-webhook.js';
import { startLocalWorkspace, type StoredMessage } from '../../src/local-slack/server.js';
import { createCore, createOrchestrator } from '../../src/main/compose.js';
import { Lifecycle, runSurfaces } from '../../src/main/processes.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Orchestrator } from '../../src/orchestrator/port.js';
import { createWorker } from '../../src/temporal/worker.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { startFakeGitHub, type FakeGitHub } from '../../test/support/doubles/github.js';
import { benchWorkflowBundle, quietTemporalLogs, startBenchTemporal } from '../support/temporal.js';

const owner = 'maria';
const intention = 'NodePool should report capacity errors per platform';
const token = 'ghp_benchalertsfaketoken000000000000000';
/** Work items brought to CI at once while setting up (each runs RH-A's first phase and opens a PR). */
const setupParallel = 4;
const setupTimeoutMs = 600_000;
/**
 * How long a batch's alerts may take before the path counts as broken. Fifty alerts into one channel need
 * 50 s at Slack's per-channel rate alone; on a loaded 2-core machine the 50-PR batch's p99 reached 94 s, and
 * a later run passed 120 s.
 */
const alertTimeoutMs = 300_000;
/** The product's own ports for this run (runSurfaces listens on them). */
const ports = { PORT: '4400', SLACK_PORT: '4401', WORKSPACE_PORT: '4402' };

const failingJUnit = renderJUnit([
  {
    name: 'unit',
    cases: [
      {
        suite: 'nodepool',
        name: 'TestNodePoolCapacityErrorCondition',
        classname: 'nodepool',
        timeSeconds: 0.2,
        status: 'failed',
        message: 'expected condition NodePoolCapacityError to be True, got False',
      },
    ],
  },
]);

async function until<T>(what: string, read: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`alerts bench: ${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const shows = (m: StoredMessage, text: string) => m.text.includes(text) || JSON.stringify(m.blocks ?? []).includes(text);

interface Watched {
  key: string;
  phaseId: string;
  prUrl: string;
  sha: string;
  release: () => void;
}

interface SizeRun {
  prs: number;
  /** How the result arrived: GitHub's signed `status` delivery, or the CI system's push to POST /ci/webhook. */
  path: 'github' | 'ci-webhook';
  /** Release → the alert's outbox row (webhook, CI watch, classification, notify), by the wall clock. */
  toOutbox: number[];
  /** Outbox row → marked delivered by the dispatcher (it polls every 500 ms, then posts to the DM and the channel). */
  outboxToPosted: number[];
  /** Release → alert in both the DM and the channel (the later of the two). */
  both: number[];
  dm: number[];
  channel: number[];
  bare: number[];
  alertsInDm: number;
  alertsInChannel: number;
  auditRows: number;
}

const suite: BenchSuite = async (opts) => {
  const sizes = sizesFor(opts, [5, 10, 50]);
  await quietTemporalLogs();
  const scratch = mkdtempSync(join(tmpdir(), 'sitroom-bench-alerts-'));
  const bare = join(scratch, 'hypershift.git');
  const webhookSecret = randomBytes(16).toString('hex');
  /** Prow runs waiting for the bench to let their result go, by commit. */
  const held = new Map<string, () => void>();
  const life = new Lifecycle();
  let github: FakeGitHub | undefined;
  const temporal = await startBenchTemporal();
  const started: string[] = [];
  try {
    await git(scratch, ['init', '-q', '--bare', '-b', 'main', bare]);
    github = await startFakeGitHub({
      owner: 'openshift',
      repo: 'hypershift',
      bareRepo: bare,
      token,
      jobs: [
        {
          name: 'unit',
          required: true,
          run: ({ sha }) => new Promise((resolve) => held.set(sha, () => resolve({ passed: false, junitXml: failingJUnit }))),
        },
      ],
    });
    const logger = createLogger('bench-alerts', 'silent');
    // Slack is the loopback workspace, reached as a deployment reaches Slack: by token, signing secret and API URL.
    const botToken = `xoxb-bench-alerts-${randomBytes(6).toString('hex')}`;
    const signingSecret = randomBytes(16).toString('hex');
    const example = loadConfig(exampleTargetRepo);
    const roles = [...example.roles.values()].filter((r) => r.slack_user_id);
    const alertsChannel = example.team.notifications.alerts_channel.replace(/^#/, '');
    const ws = await startLocalWorkspace({
      port: Number(ports.WORKSPACE_PORT),
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret,
      botToken,
      users: roles.map((r) => ({ id: r.slack_user_id!, name: r.developer, realName: r.display_name, tz: r.time_zone })),
      channels: ['general', alertsChannel],
    });
    life.add({ name: 'local Slack workspace', stop: () => ws.stop() });
    const environment = environmentFrom({
      ...ports,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: ws.apiUrl,
      GITHUB_TOKEN: token,
      GITHUB_API_URL: github.url,
      PROW_GCS_URL: github.url,
      GITHUB_PUSH_URL: bare,
      GITHUB_WEBHOOK_SECRET: webhookSecret,
      CI_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
      SITROOM_DASHBOARD_SECRET: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'silent',
    });
    const store = await openStore({ dataDir: 'memory://' });
    const core = await createCore({ environment, dataDir: join(scratch, 'data'), store, logger });
    life.add({ name: 'core', stop: () => core.close() });
    life.add({ name: 'store', stop: () => store.close() });
    if (core.mode !== 'github') throw new Error(`alerts bench: the product came up in ${core.mode} mode, not GitHub mode`);
    await git(core.targetRepo, ['push', '-q', bare, 'main']);

    const taskQueue = `bench-alerts-${Date.now().toString(36)}`;
    const { worker, connection } = await createWorker({
      address: temporal.address,
      taskQueue,
      activities: core.activities,
      logger: core.logger,
      workflowBundle: await benchWorkflowBundle(),
    });
    const running = worker.run();
    life.add({
      name: 'worker',
      stop: async () => {
        worker.shutdown();
        await running;
        await connection.close();
      },
    });
    const surfaces = await runSurfaces(
      core,
      { address: temporal.address, namespace: 'default', taskQueue, client: temporal.client, security: {}, route: 'bench' },
      life,
      { localWorkspace: false },
    );
    if (surfaces.slackEvents) ws.setAppUrl(surfaces.slackEvents);
    github.setWebhook({ url: `${surfaces.http}/github/webhook`, secret: webhookSecret });
    const orchestrator: Orchestrator = createOrchestrator(core, temporal.client, taskQueue);
    const alerts = core.config.current().team.notifications.alerts_channel.replace(/^#/, '');
    if (alerts !== alertsChannel) throw new Error(`alerts bench: the team's alerts channel is #${alerts}, not #${alertsChannel}`);
    const ownerId = ws.user(owner).id;
    const dm = ws.dmChannel(ownerId);

    // --- set up: work items brought to CI through the real workflows, the PR's job held ------------------
    const keyPrefix = `ALERT${Math.floor(Math.random() * 1e5)}`;
    const state = (key: string) =>
      temporal.client.workflow
        .getHandle(workItemWorkflowId(key))
        .query(workItemStateQuery)
        .catch(() => undefined);
    const decide = async (key: string, kind: 'approve-plan' | 'approve-phase', phaseId?: string) => {
      const outcome = await orchestrator.decide({
        workItemKey: key,
        kind,
        ...(phaseId ? { phaseId } : {}),
        actor: owner,
        surface: 'slack-button',
        idempotencyKey: `bench-alerts:${key}:${kind}:${phaseId ?? ''}`,
      });
      if (outcome.outcome !== 'applied' && outcome.outcome !== 'duplicate') throw new Error(`alerts bench: ${kind} on ${key}: ${JSON.stringify(outcome)}`);
    };
    const toCi = async (key: string): Promise<Watched> => {
      started.push(key);
      await orchestrator.requestPlan(owner, key, intention);
      await until(`${key} plan gate`, async () => ((await state(key))?.status === 'awaiting-plan-approval' ? true : undefined), setupTimeoutMs, 250);
      await decide(key, 'approve-plan');
      const gate = await until(
        `${key} first phase gate`,
        async () => {
          const s = await state(key);
          if (s?.status === 'cancelled') throw new Error(`alerts bench: ${key} is ${s.status}`);
          return s?.phases.find((p) => p.status === 'awaiting-approval' || p.status === 'running' || p.status === 'ci');
        },
        setupTimeoutMs,
        250,
      );
      if (gate.status === 'awaiting-approval') await decide(key, 'approve-phase', gate.id);
      const watching = await until(
        `${key} phase ${gate.id} in CI`,
        async () => {
          const p = (await state(key))?.phases.find((x) => x.id === gate.id);
          if (p?.status === 'failed') throw new Error(`alerts bench: ${key} phase ${gate.id} failed`);
          return p?.status === 'ci' && p.ciWatchId && p.prUrl ? p : undefined;
        },
        setupTimeoutMs,
        250,
      );
      const number = Number(/\/pull\/(\d+)$/.exec(watching.prUrl!)?.[1]);
      const sha = await until(
        `${key} Prow job held`,
        () => {
          const head = github!.pulls.find((p) => p.number === number)?.sha;
          return head && held.has(head) ? head : undefined;
        },
        60_000,
      );
      return { key, phaseId: gate.id, prUrl: watching.prUrl!, sha, release: held.get(sha)! };
    };
    const ciWebhookPrs = sizes[Math.min(1, sizes.length - 1)]!;
    const total = sizes.reduce((a, b) => a + b, 0) + ciWebhookPrs;
    const ready: Watched[] = [];
    const t0 = performance.now();
    await inBatches(
      Array.from({ length: total }, (_, i) => `${keyPrefix}-${i + 1}`),
      setupParallel,
      async (key) => {
        ready.push(await toCi(key));
        if (ready.length % 5 === 0 || ready.length === total)
          process.stderr.write(`bench alerts: ${ready.length}/${total} PRs in CI (${Math.round((performance.now() - t0) / 1000)} s)\n`);
      },
    );

    // --- measure: N held results let go at once ----------------------------------------------------------
    const bareRoundTrips = async (n: number): Promise<number[]> =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const t = performance.now();
          const res = await fetch(`${ws.apiUrl}chat.postMessage`, {
            method: 'POST',
            headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ channel: i % 2 === 0 ? ownerId : alerts, text: `bare post ${i}` }),
          });
          const body = (await res.json()) as { ok: boolean; error?: string };
          if (!body.ok) throw new Error(`alerts bench: bare chat.postMessage failed: ${body.error}`);
          return performance.now() - t;
        }),
      );
    await bareRoundTrips(10); // warms the workspace and the connection pool
    const ciSecret = environment.github.ciWebhookSecret!;
    /** The CI system's own push (POST /ci/webhook, signed with CI_WEBHOOK_SECRET): the same failure, as a report. */
    const pushReport = async (w: Watched) => {
      const body = JSON.stringify({
        prUrl: w.prUrl,
        report: {
          runId: `bench-ci-${w.key}`,
          job: 'unit',
          commit: w.sha,
          attempt: 1,
          state: 'failure',
          tests: [
            {
              job: 'unit',
              test: 'TestNodePoolCapacityErrorCondition',
              status: 'failed',
              message: 'expected condition NodePoolCapacityError to be True, got False',
            },
          ],
        },
      });
      const res = await fetch(`${surfaces.http}/ci/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sitroom-signature': signCiPayload(ciSecret, body) },
        body,
      });
      if (res.status !== 202) throw new Error(`alerts bench: POST /ci/webhook answered ${res.status}: ${await res.text()}`);
    };
    const runs: SizeRun[] = [];
    let next = 0;
    for (const [n, path] of [...sizes.map((n) => [n, 'github'] as const), [ciWebhookPrs, 'ci-webhook'] as const]) {
      const batch = ready.slice(next, next + n);
      next += n;
      const bare = await bareRoundTrips(n);
      const title = (w: Watched) => `CI blocked — ${w.key} ${w.phaseId}`;
      const failures: Error[] = [];
      const released = new Map<string, number>();
      const releasedWall = new Map<string, number>();
      const seenDm = new Map<string, number>();
      const seenChannel = new Map<string, number>();
      for (const w of batch) {
        released.set(w.key, performance.now());
        releasedWall.set(w.key, Date.now());
        if (path === 'github') w.release();
        else void pushReport(w).catch((err: Error) => failures.push(err));
      }
      await until(
        `${n} alerts in the DM and the channel`,
        () => {
          if (failures.length > 0) throw failures[0];
          const now = performance.now();
          const inDm = ws.messagesIn(dm);
          const inChannel = ws.messagesIn(alerts);
          for (const w of batch) {
            if (!seenDm.has(w.key) && inDm.some((m) => shows(m, title(w)))) seenDm.set(w.key, now);
            if (!seenChannel.has(w.key) && inChannel.some((m) => shows(m, title(w)))) seenChannel.set(w.key, now);
          }
          return seenDm.size === n && seenChannel.size === n ? true : undefined;
        },
        alertTimeoutMs,
        5,
      );
      // Anything said twice would show by now: the dispatcher polls every 500 ms.
      await new Promise((r) => setTimeout(r, 2_000));
      const keys = new Set(batch.map((w) => w.key));
      const rows = await store.db.select({ key: decisions.workItemKey, kind: decisions.kind }).from(decisions);
      const since = (w: Watched, at: Map<string, number>) => at.get(w.key)! - released.get(w.key)!;
      // Where the time went: the product's side ends when the alert is in the outbox, the dispatcher's when it is posted.
      const outbox = await store.db
        .select({ payload: notificationOutbox.payload, createdAt: notificationOutbox.createdAt, deliveredAt: notificationOutbox.deliveredAt })
        .from(notificationOutbox)
        .where(like(notificationOutbox.dedupeKey, 'ci-alert:%'));
      const rowOf = (w: Watched) => outbox.find((r) => (r.payload as { workItemKey?: string }).workItemKey === w.key);
      runs.push({
        path,
        toOutbox: batch.map((w) => (rowOf(w)?.createdAt.getTime() ?? NaN) - releasedWall.get(w.key)!),
        outboxToPosted: batch.map((w) => (rowOf(w)?.deliveredAt?.getTime() ?? NaN) - (rowOf(w)?.createdAt.getTime() ?? NaN)),
        prs: n,
        dm: batch.map((w) => since(w, seenDm)),
        channel: batch.map((w) => since(w, seenChannel)),
        both: batch.map((w) => Math.max(since(w, seenDm), since(w, seenChannel))),
        bare,
        alertsInDm: ws.messagesIn(dm).filter((m) => batch.some((w) => shows(m, title(w)))).length,
        alertsInChannel: ws.messagesIn(alerts).filter((m) => batch.some((w) => shows(m, title(w)))).length,
        auditRows: rows.filter((r) => r.kind === 'ci-alert' && r.key !== null && keys.has(r.key)).length,
      });
      const s = summarise(runs.at(-1)!.both);
      process.stderr.write(
        `bench alerts: ${n} concurrent PRs (${path}): p50 ${s.medianMs.toFixed(0)} ms, p99 ${s.p99Ms.toFixed(0)} ms; ${whereTheTimeWent(runs.at(-1)!)}\n`,
      );
    }
    return figuresOf(runs);
  } finally {
    // The product stops first. A held job let go while it still ran would send GitHub's webhooks to it, and
    // the calls to Temporal they start could still be retrying when the bench closes its connection below.
    await life.stopAll((msg) => process.stderr.write(`bench alerts: ${msg}\n`));
    for (const release of held.values()) release();
    await Promise.allSettled(started.map((k) => temporal.client.workflow.getHandle(workItemWorkflowId(k)).terminate('alerts bench finished')));
    await github?.close();
    await temporal.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
};

const p50Of = (xs: number[]) => {
  const known = xs.filter(Number.isFinite);
  return known.length > 0 ? summarise(known).medianMs.toFixed(0) : 'n/a';
};

/** Where the time went: the product's side until the alert is in the outbox, then the dispatcher's. */
const whereTheTimeWent = (r: SizeRun) =>
  `release to outbox row p50 ${p50Of(r.toOutbox)} ms (delivery, CI watch, classification, notify); ` +
  `outbox row to posted p50 ${p50Of(r.outboxToPosted)} ms (the dispatcher polls every 500 ms, then posts to the DM and the channel)`;

const alertedOnce = (r: SizeRun) => r.alertsInDm === r.prs && r.alertsInChannel === r.prs && r.auditRows === r.prs;
const onceTarget = 'every PR alerted exactly once in the DM and once in the channel (latency and ratio reported)';

function figuresOf(all: SizeRun[]): BenchFigure[] {
  const runs = all.filter((r) => r.path === 'github');
  const pushed = all.find((r) => r.path === 'ci-webhook');
  const top = runs.at(-1)!;
  const each = (pick: (r: SizeRun) => number[], q: (s: Stats) => number) => runs.map((r) => q(summarise(pick(r))));
  const figures: BenchFigure[] = [];
  for (const [label, pick] of [
    ['p50', (s: Stats) => s.medianMs],
    ['p99', (s: Stats) => s.p99Ms],
  ] as const) {
    const subject = summarise(top.both);
    const base = summarise(top.bare);
    figures.push({
      ...figure({
        suite: 'alerts',
        name: `GitHub status to alert in DM and channel, ${label}, ${top.prs} PRs`,
        baseline: `${top.prs} concurrent bare chat.postMessage`,
        subject,
        base,
        target: onceTarget,
        met: runs.every(alertedOnce),
        extra: {
          [`${label}RatioToBarePost`]: Number((pick(subject) / Math.max(pick(base), 1e-6)).toFixed(1)),
          [`dm${label}AtEachSize`]: each((r) => r.dm, pick)
            .map((v) => v.toFixed(0))
            .join(' '),
          [`channel${label}AtEachSize`]: each((r) => r.channel, pick)
            .map((v) => v.toFixed(0))
            .join(' '),
          [`barePost${label}AtEachSize`]: each((r) => r.bare, pick)
            .map((v) => v.toFixed(1))
            .join(' '),
          alertsInDmAtEachSize: runs.map((r) => `${r.alertsInDm}/${r.prs}`).join(' '),
          alertsInChannelAtEachSize: runs.map((r) => `${r.alertsInChannel}/${r.prs}`).join(' '),
          ciAlertAuditRowsAtEachSize: runs.map((r) => `${r.auditRows}/${r.prs}`).join(' '),
          whereTheTimeWentAtTop: whereTheTimeWent(top),
        },
        growth: growthOf(
          'concurrent PRs',
          runs.map((r) => r.prs),
          each((r) => r.both, pick),
          `ms ${label}`,
        ),
      }),
      // The table's ratio column: this figure's percentile against the bare post's.
      ratio: pick(subject) / Math.max(pick(base), 1e-6),
    });
  }
  if (pushed) {
    const subject = summarise(pushed.both);
    const base = summarise(pushed.bare);
    figures.push(
      figure({
        suite: 'alerts',
        name: `CI webhook push to alert in DM and channel, ${pushed.prs} PRs`,
        baseline: `${pushed.prs} concurrent bare chat.postMessage`,
        subject,
        base,
        target: onceTarget,
        met: alertedOnce(pushed),
        extra: {
          p99RatioToBarePost: Number((subject.p99Ms / Math.max(base.p99Ms, 1e-6)).toFixed(1)),
          alertsInDm: `${pushed.alertsInDm}/${pushed.prs}`,
          alertsInChannel: `${pushed.alertsInChannel}/${pushed.prs}`,
          ciAlertAuditRows: `${pushed.auditRows}/${pushed.prs}`,
          whereTheTimeWent: whereTheTimeWent(pushed),
        },
      }),
    );
  }
  return figures;
}

export default suite;
