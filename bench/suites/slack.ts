// Acknowledgement latency of button taps: bursts of concurrent taps on decision prompts, delivered by the
// local workspace (signed, over loopback HTTP) to the real Situation Room app, against a bare Bolt app whose
// action handler only acknowledges, measured in the same run. Slack gives an app 3 s to acknowledge.
// Sizes count concurrent taps (default 10, 50, 200; `--sizes`); each size gets about 600 measured taps per
// app, the two apps interleaved, and the figure is judged at the largest size.
import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { openBenchStore } from '../support/harness.js';
import { developers } from '../../src/db/schema/core.js';
import { createLogger } from '../../src/observability/logger.js';
import type { DecisionRequest, DecisionResult, Orchestrator, Situation } from '../../src/orchestrator/port.js';
import { renderNotification } from '../../src/slack/blocks/notifications.js';
import { createSlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/local-slack/server.js';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite, type Stats } from '../lib.js';

const signingSecret = 'bench-signing-secret';
const botToken = 'xoxb-bench-token';
const tapsPerSize = 600;
const roundsFor = (concurrency: number) => 1 + Math.max(3, Math.ceil(tapsPerSize / 2 / concurrency)); // the first round warms up

/** Answers like the Temporal orchestrator's happy path, without Temporal: the bench is about the Slack layer. */
class AcceptingOrchestrator implements Orchestrator {
  async decide(r: DecisionRequest): Promise<DecisionResult> {
    return { outcome: 'applied', summary: `Phase ${r.phaseId ?? ''} approved`, decidedBy: r.actor, decidedAt: new Date().toISOString() };
  }
  async situation(developerId: string): Promise<Situation> {
    return { developerId, workItems: [], pendingDecisions: [], recentCi: [], recentKnowledge: [] };
  }
  async ask() {
    return { text: '', citations: [] };
  }
  async requestPlan(_d: string, workItemKey: string) {
    return { workItemKey, planVersion: 1 };
  }
  async startPair() {
    return { sessionId: 's' };
  }
  async pairMessage() {
    return { accepted: false };
  }
  async briefingNow() {}
}

type User = { id: string; name: string };

async function postPrompts(ws: LocalWorkspace, users: readonly User[], count: number, round: number) {
  const gate = renderNotification(
    { kind: 'gate', workItemKey: 'HOSTEDCP-1', phaseId: `p${round}`, title: 'Phase ready', summary: 'make verify passed' },
    { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
  );
  const prompts = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${ws.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: users[i]!.id, text: gate.text, blocks: gate.blocks }),
    });
    const body = (await res.json()) as { channel: string; ts: string };
    prompts.push({ user: users[i]!.id, channel: body.channel, ts: body.ts });
  }
  return prompts;
}

/** Taps the workspace gave up on after Slack's 3 s (status 0), per workspace: kept as samples at the time they took. */
const unacked = new Map<LocalWorkspace, number>();

async function tapLatencies(ws: LocalWorkspace, users: readonly User[], concurrency: number): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < roundsFor(concurrency); round++) {
    const prompts = await postPrompts(ws, users, concurrency, round);
    const results = await Promise.all(
      prompts.map(async (p) => {
        const start = performance.now();
        const r = await ws.tap(p.user, { channel: p.channel, ts: p.ts }, 'sitroom:decide:approve-phase');
        if (r.status === 0) unacked.set(ws, (unacked.get(ws) ?? 0) + 1);
        else if (r.status !== 200) throw new Error(`tap answered ${r.status}`);
        return performance.now() - start;
      }),
    );
    // The first round warms both apps up (JIT, connections) and is not counted.
    if (round > 0) samples.push(...results);
    await new Promise((r) => setTimeout(r, 100)); // let background work of this round finish
  }
  return samples;
}

const suite: BenchSuite = async (opts) => {
  const sizes = sizesFor(opts, [10, 50, 200]);
  const users: User[] = Array.from({ length: sizes[sizes.length - 1]! }, (_, i) => ({ id: `U0BENCH${String(i).padStart(4, '0')}`, name: `dev${i}` }));
  // the store the app records each tap in before it acks: in-process PGlite, or PostgreSQL when DATABASE_URL is set
  const store = await openBenchStore();
  await store.db.insert(developers).values(users.map((u) => ({ id: u.name, displayName: u.name, slackUserId: u.id })));
  const logger = createLogger('bench', 'silent');

  // Baseline: a bare Bolt app, empty action handler.
  const baseWs = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/', signingSecret, botToken, users });
  const bare = new App({
    token: botToken,
    signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: baseWs.apiUrl, retryConfig: { retries: 0 } },
  });
  bare.action(/.*/, async ({ ack }) => {
    await ack();
  });
  const bareServer = (await bare.start(0)) as Server;
  baseWs.setAppUrl(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/slack/events`);

  const subjectWs = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/', signingSecret, botToken, users });
  const slack = createSlackApp({
    orchestrator: new AcceptingOrchestrator(),
    store,
    botToken,
    signingSecret,
    appToken: '',
    slackApiUrl: subjectWs.apiUrl,
    port: 0,
    logger,
  });
  const { requestUrl } = await slack.start();
  subjectWs.setAppUrl(requestUrl!);

  const figures: BenchFigure[] = [];
  try {
    // Interleave so both see the same machine load.
    const at: { size: number; subject: Stats; base: Stats }[] = [];
    for (const size of sizes) {
      process.stderr.write(`bench slack: ${size} concurrent taps\n`);
      const base: number[] = [];
      const subject: number[] = [];
      for (let i = 0; i < 2; i++) {
        base.push(...(await tapLatencies(baseWs, users, size)));
        subject.push(...(await tapLatencies(subjectWs, users, size)));
      }
      at.push({ size, subject: summarise(subject), base: summarise(base) });
    }
    const top = at[at.length - 1]!;
    const ratio = top.subject.medianMs / Math.max(top.base.medianMs, 1e-6);
    figures.push(
      figure({
        suite: 'slack',
        name: `button tap ack, ${top.size} concurrent`,
        baseline: 'bare Bolt app, empty action handler',
        subject: top.subject,
        base: top.base,
        target: 'median ratio ≤ 1.2, p99 < 3000 ms, every tap acked',
        met: ratio <= 1.2 && top.subject.p99Ms < 3_000 && (unacked.get(subjectWs) ?? 0) === 0,
        extra: {
          p99Ratio: Number((top.subject.p99Ms / Math.max(top.base.p99Ms, 1e-6)).toFixed(2)),
          ratioAtEachSize: at.map((a) => (a.subject.medianMs / Math.max(a.base.medianMs, 1e-6)).toFixed(2)).join(' '),
          p99MsAtEachSize: at.map((a) => a.subject.p99Ms.toFixed(1)).join(' '),
          bareMedianMsAtEachSize: at.map((a) => a.base.medianMs.toFixed(1)).join(' '),
          samplesPerApp: top.subject.samples,
          tapsNotAckedWithin3s: unacked.get(subjectWs) ?? 0,
          bareTapsNotAckedWithin3s: unacked.get(baseWs) ?? 0,
        },
        growth: growthOf(
          'concurrent taps',
          at.map((a) => a.size),
          at.map((a) => a.subject.medianMs),
          'ms median ack',
        ),
      }),
    );
  } finally {
    await slack.stop();
    await bare.stop();
    await subjectWs.stop();
    await baseWs.stop();
    await store.close();
  }
  return figures;
};

export default suite;
