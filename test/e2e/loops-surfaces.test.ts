// Issue 16's loops closed across surfaces, through what people use: the local Slack workspace and the real
// Bolt app, the dashboard over HTTP as a browser sends it (session cookie, CSRF token, one-time form id), the
// real Temporal dev server and worker, the offline RH-A and a fresh example repository in local mode.
// A gate maria decides on the dashboard's work item page stops offering its buttons in her Slack DM and says
// who decided it there; "review my branch" in a pair thread reviews the commits she made on the phase
// branch, and flags the boundary violation she planted in them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, type TestRuntime } from '../support/runtime.js';
import { useSlackProduct } from '../support/slack-product.js';
import type { Surfaces } from '../support/surfaces.js';
import { actionIds, seen, until } from '../support/slack-view.js';

const dashboardSecret = 'loops-surfaces-dashboard-secret-0123456789';
// The product this file drives, started once before its tests (test/support/slack-product.ts).
const product = useSlackProduct({ dashboardSecret });
const { dm, newDm, current, replyIn, signIn } = product;
let rt: TestRuntime;
let surfaces: Surfaces;
let ws: Surfaces['workspace'];
beforeAll(() => void ({ rt, surfaces, ws } = product));

/** Opens the work item page and submits one of its control forms as the browser would; returns the page's flash. */
async function decideOnPage(cookie: string, key: string, fields: Record<string, string>): Promise<string> {
  const pageUrl = `${surfaces.http.url}/dashboard/work-items/${encodeURIComponent(key)}`;
  const page = await (await fetch(pageUrl, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  const form = /name="form" value="([^"]+)"/.exec(page)?.[1];
  expect(csrf && form, 'the page carries its form token and one-time id').toBeTruthy();
  const posted = await fetch(`${pageUrl}/decide`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrf!, form: form!, ...fields }).toString(),
  });
  expect(posted.status).toBe(303);
  const after = await (await fetch(`${surfaces.http.url}${posted.headers.get('location')!}`, { headers: { cookie } })).text();
  return /<div class="flash ok" role="status">([^<]*)<\/div>/.exec(after)?.[1] ?? '';
}

describe('a decision on the dashboard settles the gate in Slack', () => {
  it('maria approves her plan on the work item page: the plan gate in her DM loses its buttons and says she approved it on the dashboard; a pause there redraws the phase gate with Resume', async () => {
    const key = `${rt.keyPrefix}-4101`;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} NodePool should report capacity errors per platform`)).status).toBe(200);
    const planGate = await newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), 'the plan gate', 60_000);
    expect(actionIds(planGate)).toContain('sitroom:decide:approve-plan');

    const cookie = await signIn('maria');
    expect(await decideOnPage(cookie, key, { action: 'approve' })).toBe('Done: approved plan v1.');
    const settled = await until(
      () => (seen(current('maria', planGate)).includes('on the dashboard') ? current('maria', planGate) : undefined),
      'the plan gate updated in place',
      30_000,
    );
    expect(settled.edited).toBeTruthy();
    expect(seen(settled)).toContain('approved plan v1 on the dashboard — by <@U0MARIA01>');
    expect(actionIds(settled)).not.toContain('sitroom:decide:approve-plan');
    expect(actionIds(settled).some((id) => id.startsWith('sitroom:open:reject-reason'))).toBe(false);

    // The first phase asks for approval; she pauses the work item from the page: the gate stays open, with Resume.
    const phaseGate = await newDm(
      'maria',
      (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('phase api-surface'),
      'the gate of phase 1',
      60_000,
    );
    expect(actionIds(phaseGate)).toContain('sitroom:decide:pause');
    expect(await decideOnPage(cookie, key, { action: 'pause' })).toBe('Done: paused the work item.');
    const paused = await until(
      () => (seen(current('maria', phaseGate)).includes('paused the work item on the dashboard') ? current('maria', phaseGate) : undefined),
      'the phase gate redrawn after the pause',
      30_000,
    );
    expect(actionIds(paused)).toContain('sitroom:decide:resume');
    expect(actionIds(paused)).not.toContain('sitroom:decide:pause');
    expect(actionIds(paused)).toContain('sitroom:decide:approve-phase');

    // Resumed and the phase approved on the page: the gate's buttons go, naming where it was decided.
    expect(await decideOnPage(cookie, key, { action: 'resume' })).toBe('Done: resumed the work item.');
    expect(await decideOnPage(cookie, key, { action: 'approve', phase: 'api-surface' })).toMatch(/^Done: approved phase api-surface/);
    const approved = await until(
      () => (seen(current('maria', phaseGate)).includes('approved phase api-surface') ? current('maria', phaseGate) : undefined),
      'the phase gate settled',
      30_000,
    );
    expect(seen(approved)).toMatch(/approved phase api-surface[^"]* on the dashboard — by <@U0MARIA01>/);
    expect(actionIds(approved)).not.toContain('sitroom:decide:approve-phase');
    expect(actionIds(approved)).not.toContain('sitroom:decide:resume');
    // The plan gate, settled before, was left as it was.
    expect(seen(current('maria', planGate))).not.toContain('approved phase api-surface');

    // Stop RH-A's run: the rest of this file does not need it.
    expect(await decideOnPage(cookie, key, { action: 'cancel', reason: 'only the gate redraw was under test' })).toMatch(/^Done: cancelled/);
    await eventually(
      () => rt.env.client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery),
      (s) => s.status === 'cancelled',
      'cancelled',
      60_000,
    );
  }, 240_000);
});

describe('"review my branch" reviews the phase branch as it is', () => {
  it('sam commits on his paired phase branch, planting a Cluster API type in api/; "review my branch" names the branch, the changed file and the boundary it crosses', async () => {
    const key = `${rt.keyPrefix}-4102`;
    expect((await ws.slashCommand('sam', dm('sam'), '/sitroom', `plan ${key} add a NodePool condition type QuotaExceeded`)).status).toBe(200);
    const planGate = await newDm('sam', (m) => seen(m).includes(`Plan gate — ${key}`), "sam's plan gate", 60_000);
    // Pairing on phase 1 makes it collaborative: RH-A prepares the branch and leaves the code to him.
    const { ts: threadTs } = await ws.sendMessage('sam', dm('sam'), `pair with me on phase 1 of ${key}`);
    await replyIn(dm('sam'), threadTs, (m) => m.text.startsWith('Pairing on'), 'the pair thread');
    expect((await ws.tap('sam', current('sam', planGate), 'sitroom:decide:approve-plan')).status).toBe(200);
    const gate = await newDm('sam', (m) => seen(m).includes(`Phase gate — ${key}`), 'the gate of phase 1', 60_000);
    expect(seen(gate)).toContain('Mode: *collaborative*');
    expect((await ws.tap('sam', gate, 'sitroom:decide:approve-phase')).status).toBe(200);
    const invite = await newDm('sam', (m) => m.text.includes('is yours to pair on'), 'the pair invitation', 60_000);
    const branch = /Push your commits to (\S+?)\.?$/m.exec(invite.text)?.[1] ?? '';
    expect(branch).toMatch(new RegExp(`^sitroom/${key.toLowerCase()}/`));

    // His checkout is the phase's worktree; he commits there as a developer would.
    const worktrees = await git(rt.core.targetRepo, ['worktree', 'list', '--porcelain']);
    const worktree = [...worktrees.matchAll(/worktree (.+)\nHEAD \w+\nbranch refs\/heads\/(.+)/g)].find((m) => m[2] === branch)?.[1] ?? '';
    expect(worktree, `a worktree on ${branch}`).not.toBe('');
    const conditions = 'api/hypershift/v1beta1/nodepool_conditions.go';
    const before = readFileSync(join(worktree, conditions), 'utf8');
    writeFileSync(
      join(worktree, conditions),
      before.replace('package v1beta1\n', 'package v1beta1\n\nimport (\n\tcapiv1 "sigs.k8s.io/cluster-api/api/core/v1beta1"\n)\n') +
        '\n// NodePoolQuotaExceededConditionType is set when a machine hits its instance quota.\nconst NodePoolQuotaExceededConditionType ConditionType = "QuotaExceeded"\n\n// quotaMachineKind names the machine that reported the quota error.\nvar quotaMachineKind = capiv1.MachineKind\n',
    );
    await git(worktree, ['add', conditions]);
    await git(worktree, ['-c', 'user.name=Sam Okafor', '-c', 'user.email=sam@example.com', 'commit', '-q', '-m', `${key}: QuotaExceeded condition type`]);

    const { ts } = await ws.sendMessage('sam', dm('sam'), 'review my branch', threadTs);
    const review = seen(
      await replyIn(dm('sam'), threadTs, (m) => m.user === ws.botUserId && Number(m.ts) > Number(ts) && !m.text.startsWith('Pairing on'), 'the branch review'),
    );
    expect(review).toContain(`Review of \`${branch}\``);
    expect(review).toContain(`1 file(s) changed against main: ${conditions}`);
    // The planted import and identifier cross the api/ boundary: blockers, on his file and lines.
    expect(review).toMatch(new RegExp(`Blocker\\* \\(api-no-cluster-api\\) ${conditions.replace(/[./]/g, '\\$&')} line \\d+`));
    expect(review).toContain('sigs.k8s.io/cluster-api');
    expect(review).toContain('capiv1.');
    expect(review).not.toContain('No boundary or convention problems found');

    // Once he takes the Cluster API type out again, the same question finds the branch clean of that rule.
    writeFileSync(
      join(worktree, conditions),
      `${before}\n// NodePoolQuotaExceededConditionType is set when a machine hits its instance quota.\nconst NodePoolQuotaExceededConditionType ConditionType = "QuotaExceeded"\n`,
    );
    await git(worktree, ['-c', 'user.name=Sam Okafor', '-c', 'user.email=sam@example.com', 'commit', '-q', '-am', `${key}: keep Cluster API out of api/`]);
    const { ts: again } = await ws.sendMessage('sam', dm('sam'), 'review my branch', threadTs);
    const second = seen(await replyIn(dm('sam'), threadTs, (m) => m.user === ws.botUserId && Number(m.ts) > Number(again), 'the second branch review'));
    expect(second).toContain(`Review of \`${branch}\``);
    expect(second).not.toContain('api-no-cluster-api');

    await ws.sendMessage('sam', dm('sam'), `cancel ${key}: review test done`);
  }, 300_000);
});
