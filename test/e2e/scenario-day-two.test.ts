// Issue 16's acceptance scenario, the next day on the follow-up ticket (<prefix>-2104), through the surfaces a
// person uses: the local Slack workspace and the real Bolt app, the real Temporal dev server and worker, the
// offline RH-A and a fresh copy of the example Go repository with its local CI.
//
// maria plans the follow-up and edits the plan in the modal on its gate (the spec types change too), pauses the
// work item while a teammate's question holds her up, resumes it, and makes phase 1 hers to pair on. On the
// phase branch she drops the unused Subnet field from the NodePool spec types, then hands the phase to RH-A in
// full auto with the thread's button. RH-A continues from her commit; when CI is green, "PR ready" grades L1
// down for the removed exported field and says why.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import { repoRoot } from '../../src/paths.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { useSlackProduct } from '../support/slack-product.js';
import { actionIds, seen, until } from '../support/slack-view.js';

const product = useSlackProduct();
const { dm, dmOf, newDm, current, replyIn } = product;

const typesFile = 'api/hypershift/v1beta1/nodepool_types.go';
const conditionsFile = 'api/hypershift/v1beta1/nodepool_conditions.go';
/** Waits until the message `m` in maria's DM was updated in place and shows `text`. */
const shows = (m: StoredMessage, text: string, what: string) => until(() => (seen(current('maria', m)).includes(text) ? current('maria', m) : undefined), what);

describe('the next day: the follow-up ticket', () => {
  let key: string;
  let gate: StoredMessage;
  let branch: string;

  it('maria edits the plan in the modal on its gate, pauses the work item, resumes it and makes phase 1 hers to pair on', async () => {
    const { rt, ws } = product;
    key = `${rt.keyPrefix}-2104`;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} Add NodePool condition type ZoneBalance and reason ZonesUneven`)).status).toBe(
      200,
    );
    gate = await newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), 'the plan gate', 60_000);
    expect(actionIds(gate)).toEqual(expect.arrayContaining(['sitroom:decide:approve-plan', 'sitroom:open:plan-edit', 'sitroom:decide:pause']));

    // Edit: the modal holds the plan; she adds the spec types to phase 1's files and says why.
    expect((await ws.tap('maria', gate, 'sitroom:open:plan-edit')).status).toBe(200);
    const form = await until(() => {
      const view = ws.modalOf('maria') as { blocks?: Array<{ type: string; block_id?: string; element?: { initial_value?: string } }> } | undefined;
      return view?.blocks?.some((b) => b.type === 'input') ? view : undefined;
    }, 'the plan edit form');
    const planned = form.blocks!.find((b) => b.block_id === 'plan_phase_files_0')?.element?.initial_value ?? '';
    expect(planned).toContain(conditionsFile);
    expect(
      (await ws.submitModal('maria', { plan_phase_files_0: `${planned}\n${typesFile}`, plan_note: 'the unused Subnet field goes in the same change' })).status,
    ).toBe(200);
    const edited = await shows(gate, 'edited the plan (v2): the unused Subnet field goes in the same change', 'the gate after the edit');
    expect(actionIds(edited)).toEqual(expect.arrayContaining(['sitroom:decide:approve-plan', 'sitroom:decide:pause']));
    const stored = await rt.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery);
    expect(stored.planEdits.map((e) => [e.version, e.by])).toEqual([[2, 'maria']]);
    expect(stored.plan?.phases[0]?.files).toEqual(expect.arrayContaining([conditionsFile, typesFile]));

    // A teammate's question holds her up: she pauses from the gate, which then offers Resume, and resumes.
    expect((await ws.tap('maria', current('maria', gate), 'sitroom:decide:pause')).status).toBe(200);
    const paused = await until(
      () => (actionIds(current('maria', gate)).includes('sitroom:decide:resume') ? current('maria', gate) : undefined),
      'the plan gate with Resume',
    );
    expect(seen(paused)).toContain('paused the work item — by <@U0MARIA01>');
    expect(actionIds(paused)).not.toContain('sitroom:decide:pause');
    expect((await ws.tap('maria', paused, 'sitroom:decide:resume')).status).toBe(200);
    const resumed = await until(
      () => (actionIds(current('maria', gate)).includes('sitroom:decide:pause') ? current('maria', gate) : undefined),
      'the plan gate with Pause again',
    );
    expect(seen(resumed)).toContain('resumed the work item — by <@U0MARIA01>');

    // Phase 1 is hers: collaborative, from the gate; then she approves the plan (v2) and the phase.
    expect((await ws.tap('maria', resumed, 'sitroom:decide:set-mode:collaborative:0')).status).toBe(200);
    const switched = await shows(gate, 'to collaborative', 'the gate after the mode switch');
    expect((await ws.tap('maria', switched, 'sitroom:decide:approve-plan')).status).toBe(200);
    await shows(gate, 'approved plan v2 — by <@U0MARIA01>', 'the plan approved');
    const phaseGate = await newDm('maria', (m) => seen(m).includes(`Phase gate — ${key}`), 'the phase gate', 60_000);
    expect(seen(phaseGate)).toContain('Mode: *collaborative*');
    expect((await ws.tap('maria', phaseGate, 'sitroom:decide:approve-phase')).status).toBe(200);
    const invite = await newDm('maria', (m) => m.text.includes(`${key} phase api-surface is yours to pair on`), 'the pair invitation', 60_000);
    branch = /Push your commits to (\S+?)\.?$/m.exec(invite.text)?.[1] ?? '';
    expect(branch).toBe(`sitroom/${key.toLowerCase()}/api-surface-1`);
  }, 240_000);

  it('on the phase branch she drops the unused Subnet field, then hands the phase to RH-A in full auto with the button in the pair thread', async () => {
    const { rt, ws } = product;
    const { ts } = await ws.sendMessage('maria', dm('maria'), `pair with me on phase api-surface of ${key}`);
    const opened = await replyIn(dm('maria'), ts, (m) => m.user === ws.botUserId && m.text.startsWith('Pairing on *'), 'the pair thread');
    expect(actionIds(opened)).toContain('sitroom:decide:set-mode:autonomous:handback');

    const worktrees = await git(rt.core.targetRepo, ['worktree', 'list', '--porcelain']);
    const worktree = [...worktrees.matchAll(/worktree (.+)\nHEAD \w+\nbranch refs\/heads\/(.+)/g)].find((m) => m[2] === branch)?.[1] ?? '';
    expect(worktree, `a worktree on ${branch}`).not.toBe('');
    const source = readFileSync(join(worktree, typesFile), 'utf8');
    const withoutSubnet = source.replace(/\n\tSubnet +string\n/, '\n');
    expect(withoutSubnet).not.toBe(source);
    writeFileSync(join(worktree, typesFile), withoutSubnet);
    await git(worktree, ['-c', 'user.name=Maria Alvarez', '-c', 'user.email=maria@example.com', 'commit', '-q', '-am', `${key}: drop the unused Subnet field`]);
    const herCommit = (await git(worktree, ['rev-parse', 'HEAD'])).trim();

    // Full auto from here: the thread's "Hand back to RH-A" switches the phase and RH-A continues from her commit.
    expect((await ws.tap('maria', opened, 'sitroom:decide:set-mode:autonomous:handback')).status).toBe(200);
    const handoff = await newDm('maria', (m) => seen(m).includes(`Handoff — ${key} api-surface: collaborative → autonomous`), 'the hand-off', 60_000);
    expect(seen(handoff)).toContain(`maria committed ${key}: drop the unused Subnet field (${herCommit.slice(0, 10)}: ${typesFile})`);
    const state = await rt.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery);
    expect(state.phases.find((p) => p.id === 'api-surface')?.mode).toBe('autonomous');
  }, 120_000);

  it('RH-A finishes the phase; "PR ready" grades L1 down for the removed exported field, with the reason', async () => {
    const { rt } = product;
    const ready = await newDm('maria', (m) => seen(m).includes(`PR ready — ${key} api-surface`), '"PR ready"', 420_000);
    const text = seen(ready);
    // The removed field is named where it stood before her change.
    const subnetLine =
      readFileSync(join(repoRoot, 'examples', 'target-repo', typesFile), 'utf8')
        .split('\n')
        .findIndex((l) => /^\tSubnet +string$/.test(l)) + 1;
    expect(text).toContain(
      `*L1 structural* low — failing: API change is compatible (breaking: removed exported field AWSNodePoolPlatform.Subnet (${typesFile}:${subnetLine}))`,
    );
    // RH-A's change sits on top of hers on the PR's branch: the condition it was asked for, and no Subnet.
    expect(await git(rt.core.targetRepo, ['show', `${branch}:${conditionsFile}`])).toContain('ZoneBalance');
    expect(await git(rt.core.targetRepo, ['show', `${branch}:${typesFile}`])).not.toMatch(/^\tSubnet +string$/m);
    expect(dmOf('maria').filter((m) => seen(m).includes(`PR ready — ${key}`))).toHaveLength(1);
  }, 480_000);
});
