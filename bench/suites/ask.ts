// Tap acknowledgement while people ask questions: button taps on decision prompts, delivered by the local
// workspace to the real Slack app, measured idle and again with five DM questions in flight at all times.
// Each question goes the product's way (Slack app → Orchestrator → ask workflow → worker activity → RH-A with
// Claude over a loopback Messages API), and the model has RH-A search a checkout of several thousand files
// (with a vendor/ tree beside them) before it answers. The worker runs in this same process, so the agent's
// file search competes with the Slack app for one event loop: harsher than a deployment, where the worker is
// a process of its own. Target: median tap acknowledgement with questions in flight ≤ 1.2× the idle median;
// then bursts of 10, 50 and 200 concurrent taps (issue 18 item 5), idle and loaded, judged on p99.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import { figure, growthOf, sizesFor, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { environmentFrom } from '../../src/config/environment.js';
import { openStore } from '../../src/db/client.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { startLocalWorkspace } from '../../src/local-slack/server.js';
import { createCore, createOrchestrator } from '../../src/main/compose.js';
import { createLogger } from '../../src/observability/logger.js';
import { renderNotification } from '../../src/slack/blocks/notifications.js';
import { createSlackApp } from '../../src/slack/app.js';
import { startFakeAnthropic, text, toolUse } from '../../test/support/doubles/anthropic.js';
import { benchWorkflowBundle, quietTemporalLogs, startBenchTemporal } from '../support/temporal.js';

const signingSecret = 'bench-ask-signing-secret';
const botToken = 'xoxb-bench-ask-token';
const questionsInFlight = 5;
const tapsPerPhase = 60;
const tapBatch = 5;
const generatedFiles = 3_000;
// Slack shows the user an error when an interaction is not acknowledged within 3 s
// (https://api.slack.com/interactivity/handling#acknowledgment_response)
const slackAckDeadlineMs = 3_000;

/** Go files the team wrote, and as many vendored ones, so each search reads a tree of HyperShift's shape. */
function growCheckout(dir: string): void {
  const body = (i: number) => `package generated\n\n// zz_generated ${i}\n${'func f() { x := 1; _ = x }\n'.repeat(120)}`;
  for (let i = 0; i < generatedFiles; i++) {
    const own = join(dir, 'control-plane-operator', 'controllers', `c${i % 30}`);
    const vendored = join(dir, 'vendor', 'k8s.io', 'api', `v${i % 30}`);
    mkdirSync(own, { recursive: true });
    mkdirSync(vendored, { recursive: true });
    writeFileSync(join(own, `zz_file_${i}.go`), body(i));
    writeFileSync(join(vendored, `types_${i}.go`), body(i));
  }
}

const suite: BenchSuite = async (opts) => {
  await quietTemporalLogs();
  const logger = createLogger('bench', 'silent');
  const dataDir = mkdtempSync(join(tmpdir(), 'sitroom-bench-ask-'));
  const targetRepo = join(dataDir, 'target');
  await createExampleRepo(targetRepo);
  growCheckout(targetRepo);

  // Each question: a literal search, a regular-expression search, then the answer.
  const anthropic = await startFakeAnthropic((request) => {
    const toolResults = request.messages.filter((m) => JSON.stringify(m.content).includes('tool_result')).length;
    if (toolResults === 0) return { stop_reason: 'tool_use', content: [toolUse('search_files', { pattern: 'NodePoolReadyConditionType' })] };
    if (toolResults === 1) return { stop_reason: 'tool_use', content: [toolUse('search_files', { pattern: 'NodePool(Ready|Updating)', regex: true })] };
    return { stop_reason: 'end_turn', content: [text('NodePool conditions are declared in api/hypershift/v1beta1/nodepool_conditions.go.')] };
  });
  const temporal = await startBenchTemporal();
  const store = await openStore({ dataDir: 'memory://' });
  const core = await createCore({
    environment: environmentFrom({
      TARGET_REPO: targetRepo,
      ANTHROPIC_API_KEY: 'sk-ant-bench-0000000000',
      ANTHROPIC_BASE_URL: anthropic.url,
      LOG_LEVEL: 'silent',
    }),
    dataDir,
    store,
    logger,
  });
  const taskQueue = `bench-ask-${Date.now().toString(36)}`;
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle: await benchWorkflowBundle(),
    activities: core.activities,
    sinks: createDecisionSinks(core.activities, logger),
    shutdownGraceTime: '2 seconds',
  });
  const running = worker.run();

  const roles = [...core.config.current().roles.values()].filter((r) => r.slack_user_id);
  const users = roles.map((r) => ({ id: r.slack_user_id!, name: r.developer }));
  const workspace = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/', signingSecret, botToken, users });
  const slack = createSlackApp({
    orchestrator: createOrchestrator(core, temporal.client, taskQueue),
    store,
    config: core.config.current(),
    botToken,
    signingSecret,
    appToken: '',
    slackApiUrl: workspace.apiUrl,
    port: 0,
    logger,
  });
  const { requestUrl } = await slack.start();
  workspace.setAppUrl(requestUrl!);

  const gate = renderNotification(
    { kind: 'gate', workItemKey: 'HOSTEDCP-1', phaseId: 'p1', title: 'Phase ready', summary: 'make verify passed' },
    { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
  );
  const tapper = users[0]!;
  let unacked = 0;
  const progress = (what: string) => process.stderr.write(`bench ask: ${new Date().toISOString().slice(11, 19)} ${what}\n`);
  async function tapLatencies(count: number, batch = tapBatch): Promise<number[]> {
    const samples: number[] = [];
    for (let done = 0; done < count; done += batch) {
      const prompts = await Promise.all(
        Array.from({ length: batch }, async () => {
          const res = await fetch(`${workspace.apiUrl}chat.postMessage`, {
            method: 'POST',
            headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ channel: tapper.id, text: gate.text, blocks: gate.blocks }),
          });
          return (await res.json()) as { channel: string; ts: string };
        }),
      );
      const times = await Promise.all(
        prompts.map(async (p) => {
          const start = performance.now();
          const r = await workspace.tap(tapper.id, p, 'sitroom:decide:approve-phase');
          // status 0: no answer within Slack's 3 s (the workspace gives up as Slack does); kept as a sample at
          // the time it took, and counted, rather than stopping the suite
          if (r.status === 0) unacked++;
          else if (r.status !== 200) throw new Error(`tap answered ${r.status}`);
          return performance.now() - start;
        }),
      );
      samples.push(...times);
      await new Promise((r) => setTimeout(r, 50));
    }
    return samples;
  }

  // Questions kept in flight: each asker sends the next question once the last one is answered.
  let asking = false;
  let answered = 0;
  const askers: Array<Promise<void>> = [];
  function startQuestions(): void {
    asking = true;
    for (let i = 0; i < questionsInFlight; i++) {
      const asker = users[i % users.length]!;
      const dm = workspace.dmChannel(asker.id);
      askers.push(
        (async () => {
          while (asking) {
            const { ts } = await workspace.sendMessage(asker.id, dm, `Where is NodePool readiness declared? (${i}/${answered})`);
            const deadline = Date.now() + 120_000;
            while (!workspace.threadReplies(dm, ts).some((m) => m.user === workspace.botUserId)) {
              if (Date.now() > deadline) throw new Error('a question was not answered within 120 s');
              await new Promise((r) => setTimeout(r, 20));
            }
            answered++;
          }
        })(),
      );
    }
  }
  async function stopQuestions(): Promise<void> {
    asking = false;
    await Promise.all(askers.splice(0));
  }

  const figures: BenchFigure[] = [];
  try {
    progress('warm-up');
    await tapLatencies(tapBatch * 2); // warm-up: JIT, connections, the first workflow task
    const idle: number[] = [];
    const busy: number[] = [];
    const requestsBefore = anthropic.requests.length;
    // Interleave so both phases see the same machine load.
    for (let round = 0; round < 2; round++) {
      progress(`round ${round + 1} of 2: ${tapsPerPhase / 2} taps idle, then with ${questionsInFlight} questions in flight`);
      idle.push(...(await tapLatencies(tapsPerPhase / 2)));
      startQuestions();
      // Let the five questions reach the worker's search before measuring.
      const reached = Date.now() + 60_000;
      while (anthropic.requests.length - requestsBefore < questionsInFlight * (round + 1)) {
        if (Date.now() > reached) throw new Error('the questions did not reach the model within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      busy.push(...(await tapLatencies(tapsPerPhase / 2)));
      await stopQuestions();
    }
    const s = summarise(busy);
    const b = summarise(idle);
    const ratio = s.medianMs / Math.max(b.medianMs, 1e-6);
    const f = figure({
      suite: 'ask',
      name: `tap ack, ${questionsInFlight} questions in flight`,
      baseline: 'the same taps with no question in flight',
      subject: s,
      base: b,
      target: 'median ratio ≤ 1.2',
      met: ratio <= 1.2,
      growthNotApplicable: `taps in batches of ${tapBatch}; the bursts below measure the same at three concurrencies`,
    });
    f.extra = {
      questionsAnswered: answered,
      modelCalls: anthropic.requests.length - requestsBefore,
      tapsNotAckedWithin3s: unacked,
      filesInCheckout: generatedFiles * 2,
      p99Ratio: Number((s.p99Ms / Math.max(b.p99Ms, 1e-6)).toFixed(2)),
    };
    figures.push(f);

    // Issue 18 item 5: the same at 10, 50 and 200 concurrent taps (two bursts each), idle and with the five
    // questions in flight, judged on p99 (Slack's deadline is 3 s; the aim is one hundredth of it).
    const bursts = sizesFor(opts, [10, 50, 200]);
    const idleP99: number[] = [];
    const busyP99: number[] = [];
    let idleTop: number[] = [];
    let busyTop: number[] = [];
    const unackedBefore = unacked;
    const unackedAt: number[] = [];
    for (const n of bursts) {
      progress(`${n} concurrent taps, idle`);
      const before = unacked;
      const quiet = await tapLatencies(n * 2, n);
      const seen = anthropic.requests.length;
      startQuestions();
      const reached = Date.now() + 60_000;
      while (anthropic.requests.length - seen < questionsInFlight) {
        if (Date.now() > reached) throw new Error('the questions did not reach the model within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      progress(`${n} concurrent taps, ${questionsInFlight} questions in flight`);
      const loaded = await tapLatencies(n * 2, n);
      unackedAt.push(unacked - before);
      await stopQuestions();
      idleP99.push(summarise(quiet).p99Ms);
      busyP99.push(summarise(loaded).p99Ms);
      idleTop = quiet;
      busyTop = loaded;
    }
    const top = bursts.at(-1)!;
    const sb = summarise(busyTop);
    const si = summarise(idleTop);
    const p99Ratio = sb.p99Ms / Math.max(si.p99Ms, 1e-6);
    const burst = figure({
      suite: 'ask',
      name: `tap ack p99, ${top} concurrent, ${questionsInFlight} questions in flight`,
      baseline: `${top} concurrent taps, no question in flight`,
      subject: sb,
      base: si,
      target: "p99 ratio ≤ 1.2, p99 < 30 ms (1/100 of Slack's 3 s), every tap acked",
      met: p99Ratio <= 1.2 && sb.p99Ms < slackAckDeadlineMs / 100 && unacked === unackedBefore,
    });
    burst.extra = {
      p99Ratio: Number(p99Ratio.toFixed(2)),
      p99FractionOfSlackDeadline: Number((sb.p99Ms / slackAckDeadlineMs).toFixed(4)),
      idleP99AtEachSize: idleP99.map((x) => x.toFixed(1)).join(' '),
      busyP99AtEachSize: busyP99.map((x) => x.toFixed(1)).join(' '),
      tapsNotAckedWithin3sAtEachSize: unackedAt.join(' '),
      tapsNotAckedWithin3sInAllBursts: unacked - unackedBefore,
    };
    burst.growth = growthOf('concurrent taps', bursts, busyP99, 'ms p99, questions in flight');
    figures.push(burst);
  } finally {
    asking = false;
    await slack.stop();
    await workspace.stop();
    worker.shutdown();
    await running;
    await core.close();
    await store.close();
    await temporal.stop();
    await anthropic.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
};

export default suite;
