import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { ActivityFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createAgentActivities, budgetApprovalRequired } from '../../src/activities/agent.js';
import { createClaudeAgent } from '../../src/agent/claude.js';
import { recordUsage, tokensSpent } from '../../src/db/agent-usage.js';
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
  const agent = createClaudeAgent({ apiKey: 'sk-ant-test-0000000000', baseURL: anthropic.url, domain: ws.model, knowledge: ws.knowledge, team: ws.team, targetRepo: ws.repo.dir });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows/agent-retry.ts', import.meta.url)),
    activities: createAgentActivities({ agent, team: { ...ws.team, agent: { ...ws.team.agent, token_budget_per_work_item: 100_000 } }, db: store.db }),
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
    const result = await env.client.workflow.execute('askAgent', { taskQueue, workflowId: `ask-${uniqueSuffix()}`, args: ['who owns NodePool conditions?', key] });
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

  it('near the budget cap the activity stops without calling the model and asks for the owner, without retries', async () => {
    const key = `HOSTEDCP-${Math.floor(Math.random() * 1e6)}`;
    await recordUsage(store.db, { idempotencyKey: `seed-${key}`, workItemKey: key, step: 'plan', agent: 'claude', usage: { model: 'm', turns: 1, inputTokens: 85_000, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 } });
    const before = anthropic.requests.length;
    const err = await env.client.workflow.execute('askAgent', { taskQueue, workflowId: `ask-${uniqueSuffix()}`, args: ['q', key] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const cause = activityFailure.cause as ApplicationFailure;
    expect(cause.type).toBe(budgetApprovalRequired);
    expect(cause.message).toMatch(/85000 of 100000 tokens \(near-cap\)/);
    expect(anthropic.requests.length).toBe(before);
  });
});
