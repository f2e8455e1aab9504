// Issue 16's loops in the deployed shape: `sitroom worker` and `sitroom slack` each compose their own core
// (src/main/compose.ts) and share only the store, Temporal and the target repository. Here the worker runs on one
// core and the Slack app, the dispatcher and the dashboard on another, built the same way, so anything that works
// only because `sitroom dev` hosts both halves in one core (an in-memory cache, a closure over the other half's
// state) fails here. People drive it through the local Slack workspace, the real Bolt app and the dashboard:
// maria saves a hypothesis and her briefing shows it; she pauses, resumes and switches a phase to full auto on the
// plan gate; sam asks a question in his pair thread and gets an answer; the scheduled staleness scan (worker)
// proposes a retirement that priya approves on the dashboard (Slack side), and the worker's next scan sees it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentFrom } from '../../src/config/environment.js';
import { git } from '../../src/integrations/git.js';
import { createCore, createOrchestrator, type Core } from '../../src/main/compose.js';
import { createLogger } from '../../src/observability/logger.js';
import { ensureStalenessSchedule } from '../../src/orchestrator/schedules.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { knowledgeStalenessScheduleId, workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { startSurfaces, type Surfaces } from '../support/surfaces.js';
import { actionIds, seen, until } from '../support/slack-view.js';

const dashboardSecret = 'split-processes-dashboard-secret-0123456789';
/** The worker's half: its own core, with the Temporal worker. */
let worker: TestRuntime;
/** The Slack half: another core over the same store and repository, with the orchestrator the Slack app uses. */
let slackCore: Core;
let slackDataDir: string;
let surfaces: Surfaces;
let ws: Surfaces['workspace'];

beforeAll(async () => {
  worker = await startTestRuntime();
  slackDataDir = mkdtempSync(join(tmpdir(), 'sitroom-split-'));
  const { ANTHROPIC_API_KEY: _key, GITHUB_TOKEN: _gh, ...rest } = process.env;
  slackCore = await createCore({
    environment: environmentFrom({ ...rest, TARGET_REPO: worker.core.targetRepo }),
    dataDir: slackDataDir,
    store: worker.core.store,
    logger: createLogger('e2e-slack', 'silent'),
  });
  expect(slackCore).not.toBe(worker.core);
  const slackSide: TestRuntime = { ...worker, core: slackCore, orchestrator: createOrchestrator(slackCore, worker.env.client, worker.taskQueue) };
  surfaces = await startSurfaces(slackSide, { dashboardSecret });
  ws = surfaces.workspace;
}, 300_000);

afterAll(async () => {
  await surfaces?.stop();
  await slackCore?.close();
  await worker?.stop();
  if (slackDataDir) rmSync(slackDataDir, { recursive: true, force: true });
});

const dm = (user: string) => ws.dmChannel(ws.user(user).id);
const dmOf = (user: string) => ws.messagesIn(dm(user));
const current = (user: string, m: StoredMessage) => dmOf(user).find((x) => x.ts === m.ts)!;
const reply = (user: string, ts: string, match: (m: StoredMessage) => boolean, what: string, timeoutMs = 60_000) =>
  until(() => ws.threadReplies(dm(user), ts).find((m) => m.user === ws.botUserId && m.stream?.state !== 'streaming' && match(m)), what, timeoutMs);

describe('the worker and the Slack app on separate cores', () => {
  it('"remember:" is saved on the Slack side and the briefing the worker builds starts from it', async () => {
    const hypothesis = 'the quota error is lost where the Machine condition is copied';
    const { ts } = await ws.sendMessage('maria', dm('maria'), `remember: ${hypothesis}`);
    expect(seen(await reply('maria', ts, () => true, 'the saved hypothesis'))).toContain('Saved as your hypothesis');
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', 'briefing')).status).toBe(200);
    const briefing = await until(() => dmOf('maria').find((m) => m.text.includes('Briefing for')), "maria's briefing", 60_000);
    expect(seen(briefing)).toContain(`*Your hypothesis:* ${hypothesis}`);
  }, 120_000);

  it('the plan gate drafted by the worker is paused, resumed and one phase switched to full auto from Slack', async () => {
    const key = `${worker.keyPrefix}-5101`;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} NodePool should report capacity errors per platform`)).status).toBe(200);
    const gate = await until(() => dmOf('maria').find((m) => seen(m).includes(`Plan gate — ${key}`)), 'the plan gate', 90_000);
    expect((await ws.tap('maria', gate, 'sitroom:decide:pause')).status).toBe(200);
    const paused = await until(
      () => (actionIds(current('maria', gate)).includes('sitroom:decide:resume') ? current('maria', gate) : undefined),
      'the gate with Resume',
    );
    expect((await ws.tap('maria', paused, 'sitroom:decide:resume')).status).toBe(200);
    const resumed = await until(
      () => (actionIds(current('maria', gate)).includes('sitroom:decide:pause') ? current('maria', gate) : undefined),
      'the gate with Pause again',
    );
    expect(seen(resumed)).toContain('resumed the work item');
    expect((await ws.tap('maria', resumed, 'sitroom:decide:set-mode:autonomous:2')).status).toBe(200);
    await until(
      () => (seen(current('maria', gate)).includes('switched phase nodepool-integration from collaborative to autonomous') ? true : undefined),
      'the gate after the switch',
    );
    const state = await worker.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery);
    expect(state.status).toBe('awaiting-plan-approval');
    expect(state.phases.find((p) => p.id === 'nodepool-integration')?.mode).toBe('autonomous');
    const cancel = await ws.sendMessage('maria', dm('maria'), `cancel ${key}: split-process check done`);
    await reply('maria', cancel.ts, (m) => m.text.includes('cancelled'), 'the cancellation');
  }, 150_000);

  it('sam asks a question in his pair thread and the worker answers it, not a review', async () => {
    const key = `${worker.keyPrefix}-5102`;
    expect((await ws.slashCommand('sam', dm('sam'), '/sitroom', `plan ${key} add a NodePool condition type QuotaExceeded`)).status).toBe(200);
    await until(() => dmOf('sam').find((m) => seen(m).includes(`Plan gate — ${key}`)), "sam's plan gate", 90_000);
    const { ts: threadTs } = await ws.sendMessage('sam', dm('sam'), `pair with me on phase 1 of ${key}`);
    await reply('sam', threadTs, (m) => m.text.startsWith('Pairing on'), "sam's pair thread");
    const { ts } = await ws.sendMessage('sam', dm('sam'), 'what happens when an AWS machine hits its instance quota?', threadTs);
    const answer = seen(
      await reply('sam', threadTs, (m) => Number(m.ts) > Number(ts) && !m.text.startsWith('Pairing on'), "the answer to sam's question", 90_000),
    );
    expect(answer).not.toContain('No boundary or convention problems found');
    expect(answer).toContain('Context on AWS');
  }, 180_000);

  it("the worker's scheduled staleness scan proposes a retirement; priya approves it on the dashboard; the entry is retired", async () => {
    const scan = async () => {
      await ensureStalenessSchedule(worker.env.client, '24h', worker.taskQueue);
      await worker.env.client.schedule.getHandle(knowledgeStalenessScheduleId).trigger();
    };
    await scan();
    await eventually(
      () => worker.core.knowledge.patterns.getPattern('platform-error-propagation'),
      (p) => !!p?.checkedAt,
      'the first scan',
    );
    const pattern = (await slackCore.knowledge.patterns.getPattern('platform-error-propagation'))!;
    const gone = pattern.references.map((r) => r.replace(/[:#].*$/, '')).find((p) => !p.endsWith('/'))!;
    rmSync(join(worker.core.targetRepo, gone));
    await git(worker.core.targetRepo, ['commit', '-q', '-am', `remove ${gone}`]);
    await scan();
    const queue = await eventually(
      () => slackCore.knowledge.proposals.reviewQueue(),
      (q) => q.some((p) => p.kind === 'retirement' && p.patternId === 'platform-error-propagation'),
      'the retirement proposal',
      90_000,
    );
    const proposal = queue.find((p) => p.kind === 'retirement' && p.patternId === 'platform-error-propagation')!;

    const { dashboardLoginLink } = await import('../../src/http/dashboard/index.js');
    const login = await fetch(dashboardLoginLink(surfaces.http.url, dashboardSecret, 'priya', new Date()), { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${surfaces.http.url}/dashboard`, { headers: { cookie } })).text();
    expect(page).toContain(gone);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const approved = await fetch(`${surfaces.http.url}/dashboard/proposals/${proposal.id}/review`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, decision: 'approve', note: 'the file is gone' }).toString(),
    });
    expect(approved.status).toBe(303);
    expect((await worker.core.knowledge.patterns.getPattern('platform-error-propagation'))?.state).toBe('retired');
    // Every plan, answer and scan above ran on the worker: the Slack side never built RH-A, as `sitroom slack` never does.
    expect((slackCore.agent as { loaded?: boolean }).loaded).toBe(false);
    expect((worker.core.agent as { loaded?: boolean }).loaded).toBe(true);
  }, 180_000);
});
