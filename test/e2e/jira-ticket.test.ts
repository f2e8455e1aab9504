// A plan requested for a Jira key takes its title and context from the ticket (over Jira's REST API,
// served here by a loopback fake); a ticket that cannot be read never blocks planning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira } from '../support/doubles/jira.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';

let jira: FakeJira;
let rt: TestRuntime;
const key = `HOSTEDCP-${Math.floor(Math.random() * 1e8)}`;
beforeAll(async () => {
  jira = await startFakeJira(
    [
      {
        key,
        summary: 'NodePool should report capacity errors per platform',
        description: 'When a cloud has no capacity for the instance type, the NodePool says nothing.',
        status: 'In Progress',
        links: [],
      },
    ],
    'jira-token-000',
  );
  rt = await startTestRuntime({ processEnv: { JIRA_URL: jira.url, JIRA_TOKEN: 'jira-token-000' } });
});
afterAll(async () => {
  await rt?.stop();
  await jira?.close();
});

describe('planning from a Jira ticket', () => {
  it('titles the work item from the ticket and gives RH-A its description', async () => {
    await rt.orchestrator.requestPlan('maria', key, 'add a NodePool condition type CapacityError');
    const state = await eventually(
      () => rt.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery),
      (s) => s.status === 'awaiting-plan-approval',
      'the plan',
    );
    expect(state.title).toBe('NodePool should report capacity errors per platform');
    expect(state.intention).toContain('add a NodePool condition type CapacityError');
    expect(state.intention).toContain('the NodePool says nothing');
    expect(state.phases.map((p) => p.id)).toEqual(['api-surface']);
  });

  it('plans from the intention alone when the ticket does not exist', async () => {
    const missing = `${key}9`;
    await rt.orchestrator.requestPlan('maria', missing, 'add a NodePool condition type QuotaExceeded');
    const state = await eventually(
      () => rt.env.client.workflow.getHandle(workItemWorkflowId(missing)).query(workItemStateQuery),
      (s) => s.status === 'awaiting-plan-approval',
      'the plan',
    );
    expect(state.title).toBe('add a NodePool condition type QuotaExceeded');
  });
});
