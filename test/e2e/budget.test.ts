// Near the work item's token cap RH-A stops before calling the model, and the owner decides with one tap
// whether it may spend more. Claude is reached through its SDK against a loopback Messages API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { recordUsage } from '../../src/db/agent-usage.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { startFakeAnthropic, text, type FakeAnthropic } from '../support/doubles/anthropic.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
let claude: FakeAnthropic;
beforeAll(async () => {
  claude = await startFakeAnthropic(() => ({ stop_reason: 'end_turn', content: [text('I looked at the phase and made no change.')] }));
  rt = await startTestRuntime({ processEnv: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: claude.url } });
});
afterAll(async () => {
  await rt?.stop();
  await claude?.close();
});

describe('token budget', () => {
  it('asks the owner before the agent spends past the warning threshold, and only then calls the model', async () => {
    expect(rt.core.agent.kind).toBe('claude');
    const key = `${rt.keyPrefix}-1`;
    // 1.7M of the 2M cap (warning at 80%) already spent on this work item.
    await recordUsage(rt.core.store.db, {
      idempotencyKey: `${key}-earlier`,
      workItemKey: key,
      step: 'plan',
      agent: 'claude',
      usage: { inputTokens: 1_500_000, outputTokens: 200_000, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, turns: 3, model: 'claude' },
    });
    const handle = await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Bridge provider failures',
          intention: 'map provider failures to NodePool conditions',
          plan: {
            workItemKey: key,
            intention: 'map provider failures to NodePool conditions',
            summary: '',
            phases: [
              {
                id: 'bridge',
                title: 'Map provider failures to a NodePool condition',
                activity: 'implementation',
                files: ['hypershift-operator/controllers/nodepool/conditions.go'],
                constraints: [],
                validation: [],
                dependsOn: [],
                mergeOrder: 1,
              },
            ],
          },
        },
      ],
    });
    await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.status === 'awaiting-plan-approval',
      'plan gate',
    );
    await rt.orchestrator.decide({ workItemKey: key, kind: 'approve-plan', actor: 'maria', surface: 'slack-button', idempotencyKey: `${key}-plan` });

    const prompts = await eventually(
      () => rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'budget')),
      (rows) => rows.some((r) => (r.payload as { workItemKey: string }).workItemKey === key),
      'the budget prompt',
    );
    expect(prompts.find((r) => (r.payload as { workItemKey: string }).workItemKey === key)!.payload).toMatchObject({
      phaseId: 'bridge',
      spentTokens: 1_700_000,
      capTokens: 2_000_000,
    });
    await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.phases[0]!.awaitingBudget === true,
      'phase waiting for budget',
    );
    expect(claude.requests).toHaveLength(0);

    const refused = await rt.orchestrator.decide({
      workItemKey: key,
      kind: 'budget',
      phaseId: 'bridge',
      value: 'continue',
      actor: 'sam',
      surface: 'slack-button',
      idempotencyKey: `${key}-budget-sam`,
    });
    expect(refused).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/sam may not decide/) });
    const allowed = await rt.orchestrator.decide({
      workItemKey: key,
      kind: 'budget',
      phaseId: 'bridge',
      value: 'continue',
      actor: 'maria',
      surface: 'slack-button',
      idempotencyKey: `${key}-budget`,
    });
    expect(allowed).toMatchObject({ outcome: 'applied', summary: 'allowed the agent to spend more on phase bridge' });

    await eventually(
      async () => claude.requests.length,
      (n) => n > 0,
      'the model to be called',
    );
    const state = await eventually(
      () => handle.query(workItemStateQuery),
      (s) => s.phases[0]!.status === 'failed',
      'the phase outcome',
    );
    expect(state.phases[0]!.awaitingBudget).toBe(false);
    expect((await decisionsFor(rt.core.store.db, key)).map((d) => d.kind)).toEqual(['approve-plan', 'budget']);
  });
});
