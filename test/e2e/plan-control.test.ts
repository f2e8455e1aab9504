// Plan control as a developer has it in Slack: the real Bolt app driven through the local workspace, the real
// Temporal dev server and worker, the offline RH-A and the example repository. maria edits a plan in a
// modal from its gate, switches a phase's mode there, pauses it, resumes it from App Home, tells the DM to
// "execute phase 1 full auto", pairs on phase 3 (which makes it collaborative) and cancels the work item in
// words; a draft RH-A cannot make reaches her with its reason and "Try again"; a paired phase opens with
// what RH-A did before it, and handed back, RH-A continues from her commit with her notes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import { createLocalCodeHost } from '../../src/integrations/local.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import type { Plan } from '../../src/plan/schema.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { startFakeAnthropic, text, type FakeAnthropic } from '../support/doubles/anthropic.js';
import { conditionPhase } from '../support/plans.js';
import { eventually, type TestRuntime } from '../support/runtime.js';
import { useSlackProduct } from '../support/slack-product.js';
import type { Surfaces } from '../support/surfaces.js';
import { actionIds, seen, until } from '../support/slack-view.js';

// The product this file drives, started once before its tests (test/support/slack-product.ts).
const product = useSlackProduct();
const { dm, dmOf, newDm } = product;
let rt: TestRuntime;
let ws: Surfaces['workspace'];
beforeAll(() => void ({ rt, ws } = product));

const current = (m: StoredMessage) => product.current('maria', m);
const replyTo = (ts: string, match: (m: StoredMessage) => boolean, what: string, timeoutMs?: number) =>
  until(() => ws.threadReplies(dm('maria'), ts).find((m) => m.user === ws.botUserId && m.stream?.state !== 'streaming' && match(m)), what, timeoutMs);
const homeText = () => JSON.stringify(ws.homeOf('maria')?.blocks ?? []);
async function home(match: (text: string) => boolean, what: string): Promise<string> {
  // App Home is drawn when it is opened: open it again until it shows what is expected.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await ws.openHome('maria');
    const text = await until(() => homeText() !== '[]' && homeText(), 'App Home').catch(() => '');
    if (text && match(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for App Home to show ${what}; last: ${text.slice(0, 1_500)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
/** Waits until a gate message was updated in place and shows `text`. */
const gateShows = (gate: StoredMessage, text: string, what: string) => until(() => (seen(current(gate)).includes(text) ? current(gate) : undefined), what);

describe('plan control from Slack', () => {
  it('a plan is edited in a modal, a phase switched to full auto, paused, resumed from App Home, phase 1 executed full auto in words, phase 3 paired, the work item cancelled', async () => {
    const key = `${rt.keyPrefix}-3001`;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} NodePool should report capacity errors per platform`)).status).toBe(200);
    const gate = await newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), 'the plan gate', 60_000);
    expect(actionIds(gate)).toEqual(
      expect.arrayContaining([
        'sitroom:decide:approve-plan',
        'sitroom:open:plan-edit',
        'sitroom:open:reject-reason',
        'sitroom:decide:set-mode:autonomous:2',
        'sitroom:decide:set-mode:approval-required:2',
        'sitroom:decide:pause',
        'sitroom:decide:cancel',
      ]),
    );
    expect(seen(gate)).toContain('3: full auto');

    // Edit: the modal holds the plan; she renames phase 4 and says why; the gate shows plan v2 in place.
    expect((await ws.tap('maria', gate, 'sitroom:open:plan-edit')).status).toBe(200);
    const form = await until(() => {
      const view = ws.modalOf('maria') as { blocks?: Array<{ type: string; block_id?: string; element?: { initial_value?: string } }> } | undefined;
      return view?.blocks?.some((b) => b.type === 'input') ? view : undefined;
    }, 'the plan edit form');
    expect(form.blocks!.find((b) => b.block_id === 'plan_phase_title_3')?.element?.initial_value).toBe('Docs and observability for CapacityError');
    expect(form.blocks!.find((b) => b.block_id === 'plan_phase_files_0')?.element?.initial_value).toContain('api/hypershift/v1beta1/nodepool_conditions.go');
    // A dependency on a phase that does not exist keeps the modal open with the error.
    const bad = await ws.submitModal('maria', { plan_phase_depends_3: 'nodepool-integration, telemetry', plan_note: 'rename the docs phase' });
    expect(bad.body).toContain('Not another phase of this plan: telemetry');
    expect(ws.modalOf('maria')).toBeDefined();
    expect(
      (
        await ws.submitModal('maria', {
          plan_phase_depends_3: 'nodepool-integration',
          plan_phase_title_3: 'Docs, metrics and alerts for CapacityError',
          plan_note: 'the docs phase covers metrics and alerts too',
        })
      ).status,
    ).toBe(200);
    const edited = await gateShows(gate, 'edited the plan (v2): the docs phase covers metrics and alerts too', 'the gate after the edit');
    expect(seen(edited)).toContain('4. Docs, metrics and alerts for CapacityError — autonomous (after nodepool-integration)');
    expect(actionIds(edited)).toEqual(expect.arrayContaining(['sitroom:decide:approve-plan', 'sitroom:decide:pause']));

    // Phase 3's mode, from the gate: collaborative → full auto.
    expect((await ws.tap('maria', edited, 'sitroom:decide:set-mode:autonomous:2')).status).toBe(200);
    const switched = await gateShows(gate, 'switched phase nodepool-integration from collaborative to autonomous', 'the gate after the mode switch');
    expect(seen(switched)).toContain('3. NodePool integration: set CapacityError in the reconcile loop — autonomous');
    expect(actionIds(switched)).toContain('sitroom:decide:set-mode:collaborative:2');

    // Pause from the gate: it offers Resume, and the plan cannot be approved while paused.
    expect((await ws.tap('maria', switched, 'sitroom:decide:pause')).status).toBe(200);
    const paused = await gateShows(gate, 'paused the work item', 'the gate after pausing');
    expect(actionIds(paused)).toContain('sitroom:decide:resume');
    expect(actionIds(paused)).not.toContain('sitroom:decide:pause');
    expect((await ws.tap('maria', paused, 'sitroom:decide:approve-plan')).status).toBe(200);
    await until(
      () => ws.ephemeralsFor('maria').find((e) => e.text.includes(`Not applied: the plan of ${key} is not awaiting approval (status: paused)`)),
      'the refusal while paused',
    );

    // Resume from App Home, where the work item shows its controls.
    expect(await home((t) => t.includes(`*${key}*`) && t.includes('— paused'), 'the paused work item')).toContain('sitroom:decide:resume:w0');
    expect((await ws.tapHome('maria', 'sitroom:decide:resume:w0')).status).toBe(200);
    const resumed = await until(() => (homeText().includes('— awaiting-plan-approval') ? homeText() : undefined), 'App Home after resuming');
    expect(resumed).toContain('sitroom:decide:pause:w0');
    expect(resumed).toContain('api-surface: full auto');

    // In words: "execute phase 1 full auto" switches its mode (the plan is not approved yet, so no gate to approve).
    const order = await ws.sendMessage('maria', dm('maria'), 'execute phase 1 full auto, tell me when the PR is ready');
    const understood = await replyTo(order.ts, () => true, 'the answer to the override');
    expect(understood.text).toBe(
      `Phase api-surface of ${key} runs full auto now: switched phase api-surface from approval-required to autonomous. I will tell you in this DM when its PR is ready, CI green.`,
    );

    // Approved, phase 1 starts at once: no gate of its own.
    expect((await ws.tap('maria', current(gate), 'sitroom:decide:approve-plan')).status).toBe(200);
    await gateShows(gate, 'approved plan v2', 'the gate approved');
    await home((t) => t.includes('api-surface (running, autonomous)') || t.includes('api-surface (ci, autonomous)'), 'phase 1 running full auto');
    expect(dmOf('maria').filter((m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('phase api-surface'))).toEqual([]);

    // "pair with me on phase 3" is also the mode: phase 3 becomes collaborative again.
    const pair = await ws.sendMessage('maria', dm('maria'), 'pair with me on phase 3');
    const opened = await replyTo(pair.ts, (m) => m.text.startsWith('Pairing on *'), 'the pair thread');
    expect(opened.text).toContain('Phase nodepool-integration is collaborative now (it was autonomous).');
    expect(seen(opened)).toContain('What RH-A did before nodepool-integration');
    expect(seen(opened)).toMatch(/\*api-surface\* API surface[^\n]* — (running|ci), full auto/);
    expect(actionIds(opened)).toContain('sitroom:decide:set-mode:autonomous:handback');
    await home((t) => t.includes('nodepool-integration (blocked, collaborative)'), 'phase 3 collaborative');

    // Cancelled in words, with a reason; it leaves App Home.
    const cancel = await ws.sendMessage('maria', dm('maria'), `cancel ${key}: superseded by the upstream change`);
    expect((await replyTo(cancel.ts, () => true, 'the answer to cancel')).text).toBe(`${key}: cancelled the work item: superseded by the upstream change.`);
    await home((t) => !t.includes(`*${key}*`), 'the cancelled work item gone');
    const final = await eventually(
      () => rt.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery),
      (s) => s.status === 'cancelled',
      'cancelled',
    );
    expect(final.planEdits.map((e) => [e.version, e.by])).toEqual([[2, 'maria']]);
  }, 240_000);
});

describe('hand-offs both ways', () => {
  it('pairing on phase 2 after RH-A ran phase 1 opens with what it did; "take it from here" hands phase 2 back and RH-A continues from her commit with her notes', async () => {
    const key = `${rt.keyPrefix}-3003`;
    const plan: Plan = {
      workItemKey: key,
      intention: 'NodePool should report capacity and quota problems',
      summary: '',
      phases: [
        { ...conditionPhase('api', 'CapacityError', 'InsufficientCapacity', 'api_changes', [], 1), mode: 'autonomous' },
        { ...conditionPhase('quota', 'QuotaExceeded', 'QuotaLimitReached', 'implementation', ['api'], 2), mode: 'collaborative' },
      ],
    };
    // The plan comes with the request (as the CLI sends one); everything after is Slack.
    await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [{ key, ownerId: 'maria', title: 'Capacity and quota', intention: plan.intention, plan }],
    });
    const gate = await newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), 'the plan gate', 60_000);
    expect((await ws.tap('maria', gate, 'sitroom:decide:approve-plan')).status).toBe(200);

    // RH-A runs phase 1 alone; it merges and phase 2's gate opens.
    const quotaGate = await newDm('maria', (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('phase quota'), 'the gate of phase 2', 240_000);
    expect(seen(quotaGate)).toContain('Mode: *collaborative*');
    expect((await ws.tap('maria', quotaGate, 'sitroom:decide:approve-phase')).status).toBe(200);
    const invite = await newDm('maria', (m) => m.text.includes(`${key} phase quota is yours to pair on`), 'the pair invitation', 60_000);
    const branch = /Push your commits to (\S+?)\.?$/m.exec(invite.text)?.[1] ?? '';
    expect(branch).toBe(`sitroom/${key.toLowerCase()}/quota-1`);

    // The thread opens with what RH-A did in phase 1: files, decisions, evidence, and what is left.
    const pair = await ws.sendMessage('maria', dm('maria'), 'pair with me on phase 2');
    const opened = await replyTo(pair.ts, (m) => m.text.startsWith('Pairing on *'), 'the pair thread');
    const account = seen(opened);
    expect(account).toContain('What RH-A did before quota');
    expect(account).toMatch(/\*api\* Add NodePool condition type CapacityError and reason InsufficientCapacity — merged, full auto/);
    expect(account).toContain('`api/hypershift/v1beta1/nodepool_conditions.go`');
    expect(account).toMatch(/decisions: [^\n]*merge by rh-o/);
    expect(account).toMatch(/evidence: [^\n]*passed: make verify/);
    expect(account).toContain('What is left');
    expect(account).toMatch(/\*quota\* Add NodePool condition type QuotaExceeded and reason QuotaLimitReached — pairing, pair/);
    expect(account).toContain('constraints: CamelCase condition type and reason values');

    // She commits a note on the phase branch, then hands the phase back in the thread with what RH-A should know.
    const worktrees = await git(rt.core.targetRepo, ['worktree', 'list', '--porcelain']);
    const worktree = [...worktrees.matchAll(/worktree (.+)\nHEAD \w+\nbranch refs\/heads\/(.+)/g)].find((m) => m[2] === branch)?.[1] ?? '';
    expect(worktree, `a worktree on ${branch}`).not.toBe('');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${worktree}/QUOTA_NOTES.md`, 'Quota errors come from the provider message; keep the reason CamelCase.\n');
    await git(worktree, ['add', 'QUOTA_NOTES.md']);
    await git(worktree, [
      '-c',
      'user.name=Maria Alvarez',
      '-c',
      'user.email=maria@example.com',
      'commit',
      '-q',
      '-m',
      `${key}: notes on where quota errors come from`,
    ]);
    const herCommit = (await git(worktree, ['rev-parse', 'HEAD'])).trim();
    // Where the phase branch left main: in full auto the PR may merge before we look, moving main past the branch.
    const base = (await git(worktree, ['rev-parse', 'HEAD~1'])).trim();

    await ws.sendMessage('maria', dm('maria'), 'take it from here: the reason must stay QuotaLimitReached', pair.ts);
    const handed = await replyTo(pair.ts, (m) => m.text.startsWith('RH-A takes phase quota'), 'the hand-back answer', 30_000);
    expect(handed.text).toBe(
      'RH-A takes phase quota from here (switched phase quota from collaborative to autonomous): it continues from your commits on the phase branch with your notes and tells you in your DM when the PR is ready.',
    );

    // The hand-off lists her commit and her notes, and what RH-A does next.
    const handoff = await newDm('maria', (m) => seen(m).includes(`Handoff — ${key} quota: collaborative → autonomous`), 'the hand-off', 60_000);
    const said = seen(handoff);
    expect(said).toContain(`maria committed ${key}: notes on where quota errors come from (${herCommit.slice(0, 10)}: QUOTA_NOTES.md)`);
    expect(said).toContain("maria's notes: the reason must stay QuotaLimitReached");
    expect(said).toContain(`the agent continues from your 1 commit(s) on ${branch} with your notes, then verifies and opens the PR`);

    // RH-A builds on her commit: the PR's branch has her commit, then RH-A's change.
    await newDm('maria', (m) => seen(m).includes(`PR ready — ${key} quota`), '"PR ready" for phase 2', 240_000);
    const repo = rt.core.targetRepo;
    const log = (await git(repo, ['log', '--format=%H', `${base}..${branch}`])).trim().split('\n');
    expect(log.at(-1)).toBe(herCommit);
    expect(log.length).toBeGreaterThanOrEqual(2);
    expect(await git(repo, ['show', `${branch}:api/hypershift/v1beta1/nodepool_conditions.go`])).toContain('QuotaExceeded');
    const host = createLocalCodeHost(repo);
    expect((await host.findPullRequest(branch))?.url).toBeDefined();
  }, 600_000);
});

// Last, because it swaps the back end: RH-A here is Claude, reached through its SDK against a loopback
// Messages API that answers without a plan, the way a real model can.
describe('a plan RH-A cannot draft', () => {
  let claude: FakeAnthropic;
  beforeAll(async () => {
    claude = await startFakeAnthropic(() => ({ stop_reason: 'end_turn', content: [text('I cannot tell which files this needs; say more about the change.')] }));
    await product.restart({ processEnv: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: claude.url } });
    ({ rt, ws } = product);
  }, 120_000);
  afterAll(async () => claude?.close());

  it('a plan RH-A cannot draft reaches the owner with its reason and "Try again"; the work item leaves planning; trying again drafts again; she cancels', async () => {
    const key = `${rt.keyPrefix}-3002`;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} NodePool should report capacity errors per platform`)).status).toBe(200);
    const failed = await newDm('maria', (m) => seen(m).includes(`Plan draft failed — ${key}`), 'the failed draft', 60_000);
    expect(seen(failed)).toContain('RH-A could not draft a plan: the model did not produce a valid plan');
    expect(seen(failed)).toContain('Attempt 1');
    expect(actionIds(failed)).toEqual(['sitroom:decide:retry-draft', 'sitroom:decide:cancel']);
    const shown = await home((t) => t.includes(`*${key}*`) && t.includes('— draft-failed'), 'the failed draft in App Home');
    expect(shown).toContain('The plan draft failed:');

    expect((await ws.tap('maria', failed, 'sitroom:decide:retry-draft')).status).toBe(200);
    const retried = await gateShows(failed, 'asked RH-A to draft the plan again', 'the failed draft answered');
    expect(actionIds(retried)).toEqual([]);
    const again = await newDm(
      'maria',
      (m) => seen(m).includes(`Plan draft failed — ${key}`) && seen(m).includes('Attempt 2'),
      'the second failed draft',
      60_000,
    );

    expect((await ws.tap('maria', again, 'sitroom:decide:cancel')).status).toBe(200);
    await gateShows(again, 'cancelled the work item', 'the cancel recorded');
    await home((t) => !t.includes(`*${key}*`), 'the cancelled work item gone');
  }, 180_000);
});
