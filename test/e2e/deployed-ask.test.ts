// A question in the DM, with the Slack side and the worker side composed apart as `sitroom slack` and
// `sitroom worker` compose them (one store between them, each its own core): the worker's RH-A answers, with
// Claude over a loopback Messages API, the usage lands in the ledger, and the Slack side's agent is never
// built. The same path across real processes and mTLS is in deployed.test.ts; this one runs on PGlite.
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionUsagePrefix } from '../../src/activities/ask.js';
import { environmentFrom } from '../../src/config/environment.js';
import { agentUsage } from '../../src/db/schema/agent.js';
import { createCore, createOrchestrator, type Core } from '../../src/main/compose.js';
import { createLogger } from '../../src/observability/logger.js';
import { startFakeAnthropic, text, toolUse, type FakeAnthropic } from '../support/doubles/anthropic.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { startSurfaces, type Surfaces } from '../support/surfaces.js';
import { until } from '../support/slack-view.js';
import { recordHistory } from '../support/histories.js';

const answerText = 'NodePool readiness is declared in api/hypershift/v1beta1/nodepool_conditions.go.';
let anthropic: FakeAnthropic;
let rt: TestRuntime;
let slackCore: Core;
let surfaces: Surfaces;

const loaded = (core: Core) => 'loaded' in core.agent && core.agent.loaded === true;

beforeAll(async () => {
  anthropic = await startFakeAnthropic((request) => {
    const last = JSON.stringify(request.messages.at(-1)?.content ?? '');
    if (last.includes('tool_result')) return { stop_reason: 'end_turn', content: [text(answerText)] };
    return { stop_reason: 'tool_use', content: [toolUse('search_files', { pattern: 'NodePoolReadyConditionType' })] };
  });
  // The worker's side knows Claude; the Slack side is composed without it, as `sitroom slack` is deployed.
  rt = await startTestRuntime({ processEnv: { ANTHROPIC_API_KEY: 'sk-ant-e2e-0000000000', ANTHROPIC_BASE_URL: anthropic.url } });
  slackCore = await createCore({
    environment: environmentFrom({ TARGET_REPO: rt.core.targetRepo }),
    dataDir: rt.core.dataDir,
    store: rt.core.store,
    logger: createLogger('e2e', 'silent'),
  });
  surfaces = await startSurfaces({ ...rt, core: slackCore, orchestrator: createOrchestrator(slackCore, rt.env.client, rt.taskQueue) });
}, 180_000);

afterAll(async () => {
  await surfaces?.stop();
  await slackCore?.close();
  await rt?.stop();
  await anthropic?.close();
});

describe('a DM question is answered on the worker', { timeout: 120_000 }, () => {
  it('the answer comes from the worker’s RH-A, its usage is recorded, and the Slack side never builds an agent', async () => {
    const ws = surfaces.workspace;
    const dm = ws.dmChannel(ws.user('maria').id);
    const { ts } = await ws.sendMessage('maria', dm, 'Which file declares the NodePool Ready condition?');
    const answer = await until(
      () => ws.threadReplies(dm, ts).find((m) => m.user === ws.botUserId && m.stream?.state !== 'streaming'),
      'the answer in the DM thread',
      90_000,
    );
    expect(answer.text).toContain(answerText);
    expect(anthropic.requests).toHaveLength(2);
    expect(JSON.stringify(anthropic.requests[1]!.messages.at(-1)!.content)).toContain('api/hypershift/v1beta1/nodepool_conditions.go');

    const rows = await rt.core.store.db
      .select()
      .from(agentUsage)
      .where(and(eq(agentUsage.step, 'answer'), like(agentUsage.idempotencyKey, `${questionUsagePrefix('maria')}%`)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agent: 'claude', turns: 2, workItemKey: null });
    // The usage key starts with the ask workflow's id (asker, then the Slack event's key).
    const askId = rows[0]!.idempotencyKey.split('/')[0]!;
    expect(askId).toMatch(/^ask:maria:\S+$/);
    await recordHistory(rt.env.client, askId, 'ask');

    expect(loaded(rt.core)).toBe(true);
    expect(slackCore.agent.kind).toBe('offline');
    expect(loaded(slackCore)).toBe(false);
  });
});
