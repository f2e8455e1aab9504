// Issue 8's "a real CI failure raises a channel alert with options; she taps 'fix and re-push'", for real and
// offline: maria pairs on a collaborative phase and commits hand-written condition constants and a new status
// field (with a test that a DeepCopy owns it) to the phase branch but forgets `make api`. Local CI fails on the
// stale zz_generated.deepcopy.go; RH-O alerts
// her DM and the team channel with the three options; she taps "Fix and re-push"; the offline RH-A
// regenerates, verifies and commits; CI goes green; the phase merges and the work item resolves.
//
// The day-long scenario (scenario.test.ts) tells the same step inside its story, with a hand-written reason on
// the platform-error plan. This file keeps it alone, as the focused regression test of the paired fix round:
// one phase, a plan handed to the workflow directly, and a different stale field (a new status map), so
// a failure here points at the fix round rather than at any of the scenario's earlier steps.
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { git } from '../../src/integrations/git.js';
import { addConditionConstants, apiTypesFile, conditionsFile, conditionTestPath, deepcopyFile } from '../../src/agent/recipes.js';
import { mergedChanges } from '../../src/db/schema/knowledge.js';
import { decisionsFor } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { startSurfaces, type Surfaces } from '../support/surfaces.js';
import { expectBlockingCiAlert, seen, tapFixAndRepush, until } from '../support/slack-view.js';

const condition = { conditionType: 'MachineCapacity', reason: 'CapacityExhausted' };
const phaseId = 'capacity-condition';
const field = 'MachinesByFailure';
const staleTest = 'TestMachineCapacityStatusIsDeepCopied';
const staleMessage = `DeepCopy shares Status.${field} with the original: zz_generated.deepcopy.go is stale, run make api`;
const deepCopyTest = `package v1beta1

import "testing"

func ${staleTest}(t *testing.T) {
	np := &NodePool{Status: NodePoolStatus{${field}: map[string]int32{NodePoolCapacityExhaustedReason: 2}}}
	copied := np.DeepCopy()
	copied.Status.${field}[NodePoolCapacityExhaustedReason] = 0
	if np.Status.${field}[NodePoolCapacityExhaustedReason] != 2 {
		t.Fatalf(${JSON.stringify(staleMessage)})
	}
}
`;

let rt: TestRuntime;
let ws: Surfaces['workspace'];
let surfaces: Surfaces;
let alerts: string;

const dmOf = (user: string) => ws.messagesIn(ws.dmChannel(ws.user(user).id));

beforeAll(async () => {
  rt = await startTestRuntime();
  alerts = rt.core.config.current().team.notifications.alerts_channel.replace(/^#/, '');
  surfaces = await startSurfaces(rt);
  ws = surfaces.workspace;
}, 120_000);

afterAll(async () => {
  await surfaces?.stop();
  await rt?.stop();
});

describe('a real CI failure on a paired phase', () => {
  it('alerts her DM and the team channel with options; "Fix and re-push" regenerates, CI goes green, the phase merges and the work item resolves', async () => {
    const key = `${rt.keyPrefix}-3101`;
    const testFile = conditionTestPath(condition);
    const plan: Plan = {
      workItemKey: key,
      intention: 'NodePool reports when machines cannot be created for lack of capacity',
      summary: '',
      phases: [
        {
          id: phaseId,
          title: `Add NodePool condition type ${condition.conditionType} and reason ${condition.reason}`,
          activity: 'core_logic', // maria pairs on core logic
          files: [conditionsFile, apiTypesFile, deepcopyFile, testFile],
          constraints: ['CamelCase condition type and reason values'],
          validation: [{ command: 'make verify', why: 'generated code current' }],
          dependsOn: [],
          mergeOrder: 1,
        },
      ],
    };
    const handle = await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [{ key, ownerId: 'maria', title: 'Capacity condition on NodePools', intention: plan.intention, plan }],
    });
    const state = () => handle.query(workItemStateQuery);
    await eventually(state, (s) => s.status === 'awaiting-plan-approval', 'plan gate');
    expect(
      await rt.orchestrator.decide({ workItemKey: key, kind: 'approve-plan', actor: 'maria', surface: 'slack-button', idempotencyKey: `${key}:approve-plan` }),
    ).toMatchObject({ outcome: 'applied' });

    // Once she approves the phase, it is hers to pair on, and the invitation names the branch her commits go to.
    const gate = await until(() => dmOf('maria').find((m) => seen(m).includes(`Phase gate — ${key}`)), 'the phase gate', 60_000);
    expect((await ws.tap('maria', gate, 'sitroom:decide:approve-phase')).status).toBe(200);
    const invite = await until(() => dmOf('maria').find((m) => m.text.includes(`${key} phase ${phaseId} is yours to pair on`)), 'the pair invitation', 60_000);
    const branch = /Push your commits to (\S+?)\.?$/m.exec(invite.text)?.[1];
    expect(branch).toBe(`sitroom/${key.toLowerCase()}/${phaseId}-1`);
    expect((await state()).phases[0]!.mode).toBe('collaborative');

    const dm = ws.dmChannel(ws.user('maria').id);
    const { ts } = await ws.sendMessage('maria', dm, `pair with me on phase ${phaseId} of ${key}`);
    const opened = await until(() => ws.threadReplies(dm, ts).find((m) => m.text.startsWith('Pairing on')), 'the pair thread');
    expect(opened.text).toContain(phaseId);

    // Her hand edit on the prepared branch: the constants, a status field and its test, committed without `make api`.
    const worktrees = await git(rt.core.targetRepo, ['worktree', 'list', '--porcelain']);
    const worktree = /worktree (.+)\nHEAD \w+\nbranch refs\/heads\/(.+)/g;
    const mine = [...worktrees.matchAll(worktree)].find((m) => m[2] === branch)?.[1];
    expect(mine, `a worktree on ${branch}`).toBeDefined();
    const conditions = join(mine!, conditionsFile);
    writeFileSync(conditions, addConditionConstants(readFileSync(conditions, 'utf8'), condition));
    const types = join(mine!, apiTypesFile);
    const typesBefore = readFileSync(types, 'utf8');
    writeFileSync(
      types,
      typesBefore.replace(
        'type NodePoolStatus struct {\n',
        `type NodePoolStatus struct {\n\t// ${field} counts the machines that cannot be created, by reason.\n\t${field} map[string]int32\n`,
      ),
    );
    writeFileSync(join(mine!, testFile), deepCopyTest);
    execFileSync('gofmt', ['-w', conditionsFile, apiTypesFile, testFile], { cwd: mine! }); // her editor
    await git(mine!, ['add', conditionsFile, apiTypesFile, testFile]);
    await git(mine!, ['-c', 'user.name=Maria Alvarez', '-c', 'user.email=maria@example.com', 'commit', '-q', '-m', `${key}: MachineCapacity condition type`]);
    const generatedBefore = await git(mine!, ['show', `HEAD:${deepcopyFile}`]);
    expect(generatedBefore).not.toContain(field);

    await ws.sendMessage('maria', dm, 'done', ts);

    // CI fails for real: the stale DeepCopy shares the new map, and her test sees it.
    const alertDm = await until(() => dmOf('maria').find((m) => seen(m).includes(`CI blocked — ${key} ${phaseId}`)), 'the CI alert in her DM', 240_000);
    const inChannel = await until(
      () => ws.messagesIn(alerts).find((m) => seen(m).includes(`CI blocked — ${key} ${phaseId}`)),
      'the CI alert in the team channel',
    );
    for (const alert of [alertDm, inChannel]) expectBlockingCiAlert(alert, { test: staleTest, message: 'zz_generated.deepcopy.go is stale, run make api' });
    expect(seen(inChannel)).toContain('<@U0MARIA01>');

    await tapFixAndRepush(ws, 'maria', alertDm);

    // The offline RH-A regenerates and re-pushes; CI goes green; the phase merges; the work item resolves.
    // A second alert after the re-push would mean the fix did not fix it: stop waiting then.
    const final = await eventually(
      state,
      (s) =>
        s.status === 'resolved' ||
        s.phases.some((p) => p.status === 'failed') ||
        s.phases.some((p) => p.awaitingCiDecision === true && p.ciWatchId?.endsWith(':ci:1') === true),
      'resolution',
      300_000,
    );
    expect(final.phases.map((p) => [p.id, p.status])).toEqual([[phaseId, 'merged']]);
    expect(final.status).toBe('resolved');
    const ready = await until(() => dmOf('maria').find((m) => seen(m).includes(`PR ready — ${key} ${phaseId}`)), '"PR ready" after the fix', 30_000);
    expect(seen(ready)).toMatch(/CI green/);

    // Stored: her commit, then RH-A's regeneration on the same branch, merged into main.
    const repo = rt.core.targetRepo;
    expect((await git(repo, ['log', '--format=%s', `main..${branch}`])).trim()).toBe('');
    const branchLog = (await git(repo, ['log', '--format=%s', '-2', branch!])).trim().split('\n');
    expect(branchLog[0]).toContain('regenerate with `make api` after CI failed');
    expect(branchLog[1]).toBe(`${key}: MachineCapacity condition type`);
    const regenerated = (await git(repo, ['show', '--name-only', '--format=', branch!])).trim().split('\n');
    expect(regenerated).toEqual([deepcopyFile]);
    expect(await git(repo, ['show', `main:${deepcopyFile}`])).toContain(`in, out := &in.${field}, &out.${field}`);
    const merges = (await git(repo, ['log', '--merges', '--format=%s', 'main'])).trim();
    expect(merges).toContain(phaseId);
    const merged = await rt.core.store.db.select().from(mergedChanges).where(eq(mergedChanges.workItemKey, key));
    expect(merged.map((m) => m.phaseId)).toEqual([phaseId]);

    const audit = await decisionsFor(rt.core.store.db, key);
    const alert = audit.find((d) => d.kind === 'ci-alert');
    expect(alert).toMatchObject({ phaseId, actor: 'rh-o' });
    expect(JSON.stringify(alert!.detail)).toContain(staleTest);
    const option = audit.find((d) => d.kind === 'ci-option');
    expect(option).toMatchObject({ phaseId, actor: 'maria', surface: 'slack-button' });
    expect(JSON.stringify(option!.detail)).toContain('fix-and-repush');
    expect(audit.filter((d) => d.kind === 'ci-alert')).toHaveLength(1);
  }, 600_000);
});
