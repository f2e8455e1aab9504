// Someone pushes a broken .rh-agentic/ to the target repository while a plan runs: the problem is reported
// with the file and line, and the running plan carries on under the last good config.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvePhaseUpdate, approvePlanUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { conditionPhase, faultKey, onePhasePlan } from './support.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => rt?.stop());

describe('malformed YAML in the target’s .rh-agentic/', () => {
  it('is reported with file and line while the running plan finishes on the last good config', async () => {
    const key = faultKey('YAML');
    const handle = await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Capacity errors per platform',
          intention: 'report capacity errors',
          plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        },
      ],
    });
    const state = () => handle.query(workItemStateQuery);
    await eventually(state, (s) => s.status === 'awaiting-plan-approval', 'plan gate');
    await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `${key}:approve-plan` });
    await eventually(state, (s) => s.phases[0]?.status === 'awaiting-approval', 'phase gate');

    // An unclosed flow sequence at a bad indent on line 6 of team.yaml.
    const teamFile = join(rt.core.targetRepo, '.rh-agentic', 'team.yaml');
    const good = readFileSync(teamFile, 'utf8');
    const lines = good.split('\n');
    lines.splice(5, 0, '   default_branch: [main');
    writeFileSync(teamFile, lines.join('\n'));
    const before = rt.core.config.current();
    await eventually(
      async () => (rt.core.config.current(), rt.core.config.problem()),
      (p) => p !== undefined,
      'the config problem to be noticed',
      10_000,
    );
    const problem = rt.core.config.problem()!;
    expect(problem).toMatch(/team\.yaml:\d+/);
    expect(problem).toMatch(/team\.yaml:[5-7]\b/);
    // The config in force is still the last good one.
    expect(rt.core.config.current()).toBe(before);
    expect(rt.core.config.current().team.target.default_branch).toBe('main');

    // The plan carries on: the approval is taken, the phase runs, CI passes, the PR merges.
    await handle.executeUpdate(approvePhaseUpdate, {
      args: [{ actor: 'maria', surface: 'slack-button', phaseId: 'api' }],
      updateId: `${key}:approve-phase:api`,
    });
    const final = await eventually(state, (s) => s.status === 'resolved' || s.phases.some((p) => p.status === 'failed'), 'resolution', 240_000);
    expect(final.phases.map((p) => [p.id, p.status])).toEqual([['api', 'merged']]);
    expect(rt.core.config.problem()).toBe(problem);

    // Fixed on disk: the next read picks it up and the problem clears.
    writeFileSync(teamFile, good);
    await eventually(
      async () => (rt.core.config.current(), rt.core.config.problem()),
      (p) => p === undefined,
      'the problem to clear',
      10_000,
    );
  }, 300_000);
});
