import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createAgentPort } from '../../src/activities/agent-port.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { createClaudeAgent } from '../../src/agent/claude.js';
import { tokensSpent } from '../../src/db/agent-usage.js';
import type { OpenStore } from '../../src/db/client.js';
import { agentUsage } from '../../src/db/schema/agent.js';
import { startFakeAnthropic, text, type FakeAnthropic } from '../support/doubles/anthropic.js';
import { connectTestEnvironment, uniqueSuffix } from '../support/temporal.js';
import { openTestStore } from '../support/db.js';
import { exampleWorkspace } from '../agent/helpers.js';

let env: TestWorkflowEnvironment;
let store: OpenStore;
let ws: Awaited<ReturnType<typeof exampleWorkspace>>;
let anthropic: FakeAnthropic;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `agent-activities-${uniqueSuffix()}`;
let failNext = 0;

beforeAll(async () => {
  [env, store, ws] = await Promise.all([connectTestEnvironment(), openTestStore(), exampleWorkspace()]);
  anthropic = await startFakeAnthropic(() => {
    if (failNext > 0) {
      failNext--;
      return { status: 529, type: 'overloaded_error', message: 'Overloaded' };
    }
    return { stop_reason: 'end_turn', content: [text('The NodePool controller owns NodePool conditions.')] };
  });
  const agent = createClaudeAgent({
    apiKey: 'sk-ant-test-0000000000',
    baseURL: anthropic.url,
    domain: ws.model,
    knowledge: ws.knowledge,
    team: ws.team,
    targetRepo: ws.repo.dir,
  });
  const config = loadConfig(exampleTargetRepo);
  const unexpected = (port: string) =>
    new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)} was not expected in this test`)) });
  const agentPort = createAgentPort({
    agent,
    db: store.db,
    host: unexpected('host') as Parameters<typeof createAgentPort>[0]['host'],
    config: { current: () => config },
    worktreesDir: mkdtempSync(join(tmpdir(), 'sitroom-agent-activities-')),
    requiredJobs: ['unit'],
    pollCi: true,
  });
  // The activities the worker registers, with the agent port the composition root builds.
  const activities = createActivities({
    db: store.db,
    config: () => config,
    logger: createLogger('test', 'silent'),
    agent: agentPort,
    ci: unexpected('ci') as ActivityDeps['ci'],
    ciKnowledge: unexpected('ciKnowledge') as ActivityDeps['ciKnowledge'],
    insight: unexpected('insight') as ActivityDeps['insight'],
    memory: unexpected('memory') as ActivityDeps['memory'],
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows/agent-retry.ts', import.meta.url)),
    activities,
    shutdownGraceTime: '1 second',
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await anthropic?.close();
  await store?.close();
  ws?.cleanup();
});

describe('agent activities on a real Temporal worker', () => {
  it('a 529 is retried by Temporal, not by the SDK, and usage of the successful attempt is recorded', async () => {
    failNext = 1;
    const before = anthropic.requests.length;
    const key = `HOSTEDCP-${Math.floor(Math.random() * 1e6)}`;
    const result = await env.client.workflow.execute('reviewInPair', {
      taskQueue,
      workflowId: `pair-review-${uniqueSuffix()}`,
      args: ['is this reconcile loop fine?', key],
    });
    expect(result.text).toContain('NodePool controller');
    // Two HTTP requests: the 529 (attempt 1) and the success (attempt 2); each SDK call made exactly one.
    expect(anthropic.requests.length - before).toBe(2);
    expect(anthropic.headers.slice(before).map((h) => h['x-stainless-retry-count'])).toEqual(['0', '0']);
    const rows = await store.db.select().from(agentUsage);
    const mine = rows.filter((r) => r.workItemKey === key);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.idempotencyKey).toMatch(/\/2$/); // attempt 2
    expect(mine[0]!.cacheCreationInputTokens + mine[0]!.cacheReadInputTokens).toBeGreaterThan(0);
    expect(await tokensSpent(store.db, key)).toBeGreaterThan(0);
  });
});
