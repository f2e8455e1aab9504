// Two figures about running the product for a whole team:
// 1. Briefing fan-out: the morning briefing assembled from stored state for developers of a roster seeded
//    at three sizes (default 50, 500 and 5,000 developers; `--sizes` counts developers), each with open and
//    resolved work items, phases with PRs, CI decisions, overnight test runs, personal memory and session
//    notes. At each size 200 briefings spread over the roster are timed (all of them below 200) against one
//    `SELECT 1` round trip on the same store; database queries per briefing are counted by a drizzle logger
//    and must be the same at every size, or the briefing has an N+1 somewhere. The fan-out estimate is the
//    mean briefing time times the roster.
// 2. App memory after 1,000 decisions through the Slack layer: heap slope (bytes per decision, after forced
//    GC) of the real Bolt app tapping decision buttons, against a bare Bolt app acknowledging 1,000 taps.
//    Growth n/a: the figure is itself a slope (bytes per decision over 1,000 decisions, one snapshot per 100).
import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { App, LogLevel } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { exampleTargetRepo, loadConfig, type LoadedConfig } from '../../src/config/load.js';
import type { RoleFile } from '../../src/config/schema.js';
import { migrationsFolder, openStore, type Database } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import { developers } from '../../src/db/schema/core.js';
import { appendDecision, savePlan, upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { createLogger } from '../../src/observability/logger.js';
import type { DecisionRequest, DecisionResult, Orchestrator, Situation } from '../../src/orchestrator/port.js';
import type { Plan } from '../../src/plan/schema.js';
import type { PhaseState, PhaseStatus } from '../../src/contracts/plan.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { createMemoryPort } from '../../src/briefing/memory.js';
import { renderNotification } from '../../src/slack/blocks/notifications.js';
import { createSlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/local-slack/server.js';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
import { gcFunction, memoryAfterGc, type MemorySnapshot } from '../support/temporal.js';

const memoryDecisions = 1_000;
const snapshotEvery = 100;

// ------------------------------------------------------------------ 1. briefing fan-out

/** The example team's three role files cloned into `count` developers (senior, new, tech lead in turn). */
export function roster(base: LoadedConfig, count: number): LoadedConfig {
  const templates = [...base.roles.values()];
  const roles = new Map<string, RoleFile>(base.roles);
  for (let i = 0; i < count; i++) {
    const t = templates[i % templates.length]!;
    const id = `dev${String(i).padStart(3, '0')}`;
    roles.set(id, { ...t, developer: id, display_name: `Developer ${i}`, slack_user_id: `U0DEV${String(i).padStart(5, '0')}` });
  }
  return { ...base, roles };
}

function phase(id: string, title: string, status: PhaseStatus, mergeOrder: number, prUrl?: string): PhaseState {
  return {
    id,
    title,
    activity: 'implementation',
    dependsOn: [],
    mergeOrder,
    mode: 'autonomous',
    modeSource: 'role',
    status,
    rejections: [],
    handoffs: [],
    attempts: 1,
    ...(prUrl ? { prUrl, branch: `sitroom/${id}` } : {}),
  };
}

function planFor(key: string): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: 'API condition first, then the platform bridge, then the signals.',
    phases: ['api', 'bridge', 'signals'].map((id, i) => ({
      id,
      title: `Phase ${id}`,
      activity: i === 0 ? 'api_changes' : 'implementation',
      files: [i === 0 ? 'api/hypershift/v1beta1/nodepool_conditions.go' : 'hypershift-operator/controllers/nodepool/conditions.go'],
      constraints: [],
      validation: [{ command: 'make verify', why: 'generated code in sync' }],
      dependsOn: i === 0 ? [] : ['api'],
      mergeOrder: i + 1,
    })),
  };
}

/** Per developer: an open item (3 phases, 2 PRs, CI retry and alert; stored as the work item workflow stores it, with no OWNERS approvers among the seeded developers), a resolved one, a pair summary with a hypothesis, overnight test runs. */
export async function seedDevelopers(
  db: Database,
  knowledge: KnowledgeStore,
  memory: ReturnType<typeof createMemoryPort>,
  config: LoadedConfig,
  from: number,
  to: number,
): Promise<void> {
  await upsertDevelopers(db, [...config.roles.values()].filter((r) => /^dev\d+$/.test(r.developer)).slice(from, to));
  const at = new Date();
  for (let i = from; i < to; i++) {
    const dev = `dev${String(i).padStart(3, '0')}`;
    const open = `BENCH-${10_000 + i}`;
    const done = `BENCH-${20_000 + i}`;
    const pr = (n: number) => `https://github.com/openshift/hypershift/pull/${100_000 + i * 10 + n}`;
    await upsertWorkItem(db, {
      key: open,
      ownerId: dev,
      title: `Capacity errors ${i}`,
      intention: 'report capacity errors',
      workflowId: `work-item:${open}`,
      status: 'executing',
    });
    await savePlan(db, {
      key: open,
      plan: planFor(open),
      version: 1,
      status: 'executing',
      phases: [
        phase('api', 'Phase api', 'merged', 1, pr(1)),
        phase('bridge', 'Phase bridge', 'ci', 2, pr(2)),
        phase('signals', 'Phase signals', 'awaiting-approval', 3),
      ],
      approvers: {},
    });
    await upsertWorkItem(db, { key: done, ownerId: dev, title: `Old cleanup ${i}`, intention: 'cleanup', workflowId: `work-item:${done}`, status: 'resolved' });
    await savePlan(db, { key: done, plan: planFor(done), version: 1, status: 'resolved', phases: [phase('api', 'Phase api', 'merged', 1, pr(3))] });
    await appendDecision(db, {
      idempotencyKey: `bench:${open}:approve`,
      workItemKey: open,
      phaseId: 'api',
      kind: 'approve-phase',
      actor: dev,
      surface: 'slack-button',
      detail: {},
    });
    await appendDecision(db, {
      idempotencyKey: `bench:${open}:retry`,
      workItemKey: open,
      phaseId: 'bridge',
      kind: 'ci-retry',
      actor: 'rh-o',
      surface: 'automatic',
      detail: { test: `TestNodePool${i % 7}`, job: 'unit' },
    });
    await appendDecision(db, {
      idempotencyKey: `bench:${open}:alert`,
      workItemKey: open,
      phaseId: 'bridge',
      kind: 'ci-alert',
      actor: 'rh-o',
      surface: 'automatic',
      detail: { test: `TestNodePool${i % 7}`, job: 'unit' },
    });
    await memory.savePairSummary({
      developerId: dev,
      workItemKey: open,
      phaseId: 'bridge',
      messages: 6,
      summary: `Walked through the MachineSet hop.\nhypothesis: the capacity error ${i} is lost before NodePool conditions`,
    });
    await knowledge.experience.recordTestRun({
      test: `TestNodePool${i % 7}`,
      job: 'unit',
      runId: `run-${i}`,
      commit: 'abcdef1',
      attempt: 1,
      outcome: i % 3 === 0 ? 'fail' : 'pass',
      message: i % 3 === 0 ? 'timed out waiting for condition' : undefined,
      at,
    } as Parameters<KnowledgeStore['experience']['recordTestRun']>[0]);
  }
}

/** Briefings timed at each size: all of them up to this many, else this many spread over the roster. */
const briefingsTimedPerSize = 200;

async function briefingFigures(sizes: number[]): Promise<BenchFigure[]> {
  const base = loadConfig(exampleTargetRepo);
  const config = roster(base, sizes[sizes.length - 1]!);
  let queries = 0;
  const client = new PGlite('memory://');
  const db = drizzle(client, { schema, logger: { logQuery: () => void queries++ } }) as unknown as Database;
  await migrate(drizzle(client, { schema }), { migrationsFolder });
  await upsertDevelopers(db, base.roles.values());
  const knowledge = new KnowledgeStore(db, { curators: curatorsFromConfig(config) });
  await knowledge.patterns.syncPatternLibrary(loadPatternFiles(exampleTargetRepo, base.team.pattern_library));
  const memory = createMemoryPort({ db, knowledge, config: { current: () => config }, insight: createDomainInsight() });
  const at = new Date().toISOString();
  const devId = (i: number) => `dev${String(i).padStart(3, '0')}`;

  const measureRoster = async (count: number) => {
    const times: number[] = [];
    const perBriefing = new Set<number>();
    let items = 0;
    const timed = Math.min(count, briefingsTimedPerSize);
    const step = count / timed;
    for (let k = 0; k < timed; k++) {
      const before = queries;
      const t0 = performance.now();
      const b = await memory.briefing({ developerId: devId(Math.floor(k * step)), at });
      times.push(performance.now() - t0);
      perBriefing.add(queries - before);
      if (b.activeWorkItem) items++;
    }
    const select1: number[] = [];
    for (let i = 0; i < timed; i++) {
      const t0 = performance.now();
      await db.execute(sql`select 1`);
      select1.push(performance.now() - t0);
    }
    const s = summarise(times);
    return {
      count,
      timed,
      times,
      select1,
      queriesPerBriefing: [...perBriefing].sort((a, b) => a - b),
      withActiveItem: items,
      fanOutEstimateMs: s.meanMs * count,
    };
  };

  const runs: Awaited<ReturnType<typeof measureRoster>>[] = [];
  let seeded = 0;
  for (const size of sizes) {
    const seedStart = performance.now();
    await seedDevelopers(db, knowledge, memory, config, seeded, size);
    process.stderr.write(`bench: briefing — seeded ${size - seeded} developers in ${Math.round(performance.now() - seedStart)} ms\n`);
    if (seeded === 0) for (let i = 0; i < Math.min(size, 10); i++) await memory.briefing({ developerId: devId(i), at }); // warm-up (JIT, PGlite caches), not counted
    seeded = size;
    runs.push(await measureRoster(size));
  }
  await client.close();

  const first = runs[0]!;
  const top = runs[runs.length - 1]!;
  const constant = runs.every((r) => r.queriesPerBriefing.length === 1 && r.queriesPerBriefing[0] === first.queriesPerBriefing[0]);
  const queriesAt = Object.fromEntries(runs.map((r) => [`queriesPerBriefingAt${r.count}`, r.queriesPerBriefing.join('/')]));
  process.stderr.write(`bench: briefing — queries per briefing ${runs.map((r) => `${r.queriesPerBriefing.join('/')} at ${r.count}`).join(', ')}\n`);
  const s = summarise(top.times);
  const b = summarise(top.select1);
  const time = figure({
    suite: 'briefing',
    name: `briefing per developer, ${top.count} seeded`,
    baseline: 'one SELECT 1 round trip, same store',
    subject: s,
    base: b,
    target: `queries/briefing equal at ${runs.map((r) => r.count).join(', ')} developers`,
    met: constant,
    extra: {
      ...queriesAt,
      queriesConstant: constant ? 'yes' : 'no',
      store: 'pglite (in process)',
      briefingsTimed: top.timed,
      briefingsWithActiveItem: top.withActiveItem,
      fanOutEstimateMs: Math.round(top.fanOutEstimateMs),
      p99Ratio: Number((s.p99Ms / Math.max(b.p99Ms, 1e-6)).toFixed(2)),
      medianMsAtEachSize: runs.map((r) => summarise(r.times).medianMs.toFixed(2)).join(' '),
    },
    growth: growthOf(
      'developers',
      runs.map((r) => r.count),
      runs.map((r) => summarise(r.times).medianMs),
    ),
  });
  const perBriefing = (r: (typeof runs)[number]) => r.queriesPerBriefing[r.queriesPerBriefing.length - 1]!;
  const queryFigure = figure({
    suite: 'briefing',
    name: 'database queries per briefing',
    baseline: `the same at ${first.count} developers`,
    subject: summarise([perBriefing(top)]),
    base: summarise([perBriefing(first)]),
    target: 'constant (no N+1)',
    met: constant,
    extra: queriesAt,
    growth: growthOf(
      'developers',
      runs.map((r) => r.count),
      runs.map(perBriefing),
      'queries (most in one briefing)',
    ),
  });
  return [time, queryFigure];
}

// ------------------------------------------------------------------ 2. Slack app memory per decision

const signingSecret = 'bench-signing-secret';
const botToken = 'xoxb-bench-token';
const tappers = Array.from({ length: 10 }, (_, i) => ({ id: `U0MEM${String(i).padStart(4, '0')}`, name: `mem${i}` }));

/** The Temporal orchestrator's happy path without Temporal: this figure is about the Slack layer's memory. */
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

/** 1,000 taps, ten at a time, each on its own freshly posted gate prompt; a GC'd snapshot every 100. */
async function tapThousand(ws: LocalWorkspace, gc: (() => void) | undefined, settle: (tapped: number) => Promise<void>) {
  const times: number[] = [];
  const snapshots: Array<MemorySnapshot & { after: number }> = [];
  for (let done = 0; done <= memoryDecisions; done += tappers.length) {
    if (done % snapshotEvery === 0) {
      await settle(done);
      // The workspace logs every Web API call in this process; drop the log so only the apps' own memory is measured.
      ws.apiCalls.length = 0;
      snapshots.push({ after: done, ...(await memoryAfterGc(gc)) });
    }
    if (done === memoryDecisions) break;
    const prompts = await Promise.all(
      tappers.map(async (u, i) => {
        const gate = renderNotification(
          { kind: 'gate', workItemKey: `HOSTEDCP-${done + i + 1}`, phaseId: 'api', title: 'Phase ready', summary: 'make verify passed' },
          { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
        );
        const res = await fetch(`${ws.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: u.id, text: gate.text, blocks: gate.blocks }),
        });
        const body = (await res.json()) as { channel: string; ts: string };
        return { user: u.id, channel: body.channel, ts: body.ts };
      }),
    );
    await Promise.all(
      prompts.map(async (p) => {
        const t0 = performance.now();
        const r = await ws.tap(p.user, { channel: p.channel, ts: p.ts }, 'sitroom:decide:approve-phase');
        if (r.status !== 200) throw new Error(`tap answered ${r.status}`);
        times.push(performance.now() - t0);
      }),
    );
  }
  return { times, snapshots };
}

function heapSlope(snapshots: Array<MemorySnapshot & { after: number }>): number {
  const n = snapshots.length;
  const mx = snapshots.reduce((a, s) => a + s.after, 0) / n;
  const my = snapshots.reduce((a, s) => a + s.heapUsed, 0) / n;
  const num = snapshots.reduce((a, s) => a + (s.after - mx) * (s.heapUsed - my), 0);
  const den = snapshots.reduce((a, s) => a + (s.after - mx) ** 2, 0);
  return num / den;
}

async function slackMemoryFigure(): Promise<BenchFigure> {
  const { gc, mode } = gcFunction();
  const store = await openStore({ dataDir: 'memory://' });
  await store.db.insert(developers).values(tappers.map((u) => ({ id: u.name, displayName: u.name, slackUserId: u.id })));
  const logger = createLogger('bench', 'silent');

  const baseWs = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/', signingSecret, botToken, users: tappers });
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

  const subjectWs = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/', signingSecret, botToken, users: tappers });
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
  // A decision is finished when its prompt shows who decided (chat.update, after the ack).
  let updatesDropped = 0;
  const updates = () => updatesDropped + subjectWs.apiCalls.filter((c) => c.method === 'chat.update').length;

  try {
    // Warm both up (JIT, connections, Bolt's lazy paths) before the measured runs.
    await warmUp(baseWs);
    await warmUp(subjectWs);
    await subjectWs.waitFor(() => updates() >= 5 * tappers.length, 30_000);
    const updatesBefore = updates();
    const base = await tapThousand(baseWs, gc, async () => undefined);
    const subject = await tapThousand(subjectWs, gc, async (tapped) => {
      await subjectWs.waitFor(() => updates() >= updatesBefore + tapped, 30_000);
      updatesDropped = updates();
    });
    const subjectSlope = heapSlope(subject.snapshots);
    const baseSlope = heapSlope(base.snapshots);
    const allowance = 256;
    const s = summarise(subject.times);
    const b = summarise(base.times);
    process.stderr.write(`bench: slack memory — app ${subjectSlope.toFixed(0)} B/decision, bare Bolt ${baseSlope.toFixed(0)} B/tap (gc: ${mode})\n`);
    return figure({
      suite: 'briefing',
      name: `Slack app memory, ${memoryDecisions} decisions (tap times)`,
      baseline: `bare Bolt app, ${memoryDecisions} acknowledged taps`,
      subject: s,
      base: b,
      target: `heap slope/decision <= baseline + ${allowance} B${gc ? '' : ' (not judged: no forced GC)'}`,
      ...(gc ? { met: subjectSlope <= Math.max(baseSlope, 0) + allowance } : {}),
      growthNotApplicable: `the figure is a slope already: heap bytes per decision over ${memoryDecisions} decisions, a snapshot every ${snapshotEvery}`,
      extra: {
        gc: mode,
        heapBytesPerDecision: Math.round(subjectSlope),
        baselineHeapBytesPerTap: Math.round(baseSlope),
        heapKiBEvery100Decisions: subject.snapshots.map((x) => Math.round(x.heapUsed / 1024)).join(' '),
        heapKiBEvery100BareTaps: base.snapshots.map((x) => Math.round(x.heapUsed / 1024)).join(' '),
        chatUpdates: updates() - 5 * tappers.length,
        note: 'both workspaces keep every posted prompt in this process (in both slopes); their Web API call logs are dropped before each snapshot',
      },
    });
  } finally {
    await slack.stop();
    await bare.stop();
    await subjectWs.stop();
    await baseWs.stop();
    await store.close();
  }
}

async function warmUp(ws: LocalWorkspace): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const posted = await Promise.all(
      tappers.map(async (u, i) => {
        const gate = renderNotification(
          { kind: 'gate', workItemKey: `HOSTEDCP-9${round}${i}`, phaseId: 'api', title: 'Warm-up', summary: '' },
          { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
        );
        const res = await fetch(`${ws.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: u.id, text: gate.text, blocks: gate.blocks }),
        });
        return { user: u.id, ...((await res.json()) as { channel: string; ts: string }) };
      }),
    );
    await Promise.all(posted.map((p) => ws.tap(p.user, { channel: p.channel, ts: p.ts }, 'sitroom:decide:approve-phase')));
  }
  await new Promise((r) => setTimeout(r, 300));
}

const suite: BenchSuite = async (opts) => [...(await briefingFigures(sizesFor(opts, [50, 500, 5_000]))), await slackMemoryFigure()];

export default suite;
