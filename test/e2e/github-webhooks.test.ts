// GitHub's webhook deliveries through the running product: GitHub mode against the loopback GitHub (a real
// bare repository behind it, its Prow job passing), `GITHUB_WEBHOOK_SECRET` set and the double's webhook
// pointed at the product's `POST /github/webhook`. maria plans and approves through Slack (the local
// workspace and the real Bolt app) until her phase PR is "PR ready"; then, on GitHub:
// - a reviewer ticks the invariant checklist in the PR's description: the signed `pull_request` `edited`
//   delivery re-grades L3, as the team dashboard shows her;
// - a reviewer who is not an OWNERS approver approves: recorded, but L4 does not count it;
// - an approver of the api/ OWNERS approves: L4 counts it, maria gets "Ready to merge?", taps it, and the PR
//   gets one `/hold cancel` comment, however often she taps;
// - GitHub redelivers the deliveries: nothing is recorded or said twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import { renderJUnit } from '../../src/integrations/ci/junit.js';
import { decisionsFor } from '../../src/db/work-items.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';
import { useSlackProduct } from '../support/slack-product.js';
import { actionIds, seen, until } from '../support/slack-view.js';

const token = 'ghp_e2ehooksfaketoken0000000000000000';
const webhookSecret = randomBytes(16).toString('hex');
const scratch = mkdtempSync(join(tmpdir(), 'sitroom-gh-hooks-'));
const bare = join(scratch, 'hypershift.git');
let github: FakeGitHub;

// The double starts first: the product's environment names its URL.
beforeAll(async () => {
  await git(scratch, ['init', '-q', '--bare', '-b', 'main', bare]);
  const junit = renderJUnit([
    { name: 'unit', cases: [{ suite: 'nodepool', name: 'TestNodePoolAutoRepair', classname: 'nodepool', timeSeconds: 0.1, status: 'passed', message: '' }] },
  ]);
  github = await startFakeGitHub({
    owner: 'openshift',
    repo: 'hypershift',
    bareRepo: bare,
    token,
    jobs: [{ name: 'unit', required: true, run: () => ({ passed: true, junitXml: junit }) }],
  });
});
const dashboardSecret = randomBytes(16).toString('hex');
const product = useSlackProduct({
  dashboardSecret,
  runtime: () => ({
    processEnv: {
      GITHUB_TOKEN: token,
      GITHUB_API_URL: github.url,
      PROW_GCS_URL: github.url,
      GITHUB_PUSH_URL: bare,
      GITHUB_WEBHOOK_SECRET: webhookSecret,
      CI_WEBHOOK_SECRET: undefined,
    },
  }),
});
const { dm, dmOf, newDm, current } = product;
beforeAll(async () => {
  // The remote starts as a copy of the target repository, as a fork of HyperShift would; from now on GitHub
  // tells the product about every change, signed with the secret both sides know.
  await git(product.rt.core.targetRepo, ['push', '-q', bare, 'main']);
  github.setWebhook({ url: `${product.surfaces.http.url}/github/webhook`, secret: webhookSecret });
});
afterAll(async () => {
  await github?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const grade = (m: StoredMessage, level: string): string | undefined => new RegExp(`\\*${level}\\* (\\w+)`).exec(seen(m))?.[1];

describe('GitHub webhooks through the running product', () => {
  it('a ticked checklist re-grades L3, an OWNERS approval counts in L4 and leads to one /hold cancel, and redeliveries change nothing', async () => {
    const { rt, ws } = product;
    expect(rt.core.mode).toBe('github');
    const key = `${rt.keyPrefix}-31`;

    // maria plans and approves in Slack, as she would.
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} NodePool should report capacity errors per platform`)).status).toBe(200);
    const planGate = await newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), 'the plan gate', 60_000);
    expect((await ws.tap('maria', planGate, 'sitroom:decide:approve-plan')).status).toBe(200);
    const phaseGate = await newDm('maria', (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes('phase api-surface'), 'the phase gate', 60_000);
    expect((await ws.tap('maria', phaseGate, 'sitroom:decide:approve-phase')).status).toBe(200);

    const ready = await newDm('maria', (m) => seen(m).includes(`PR ready — ${key} api-surface`), '"PR ready"', 300_000);
    const pull = github.pulls.find((p) => p.head === `sitroom/${key.toLowerCase()}/api-surface-1`);
    expect(pull, JSON.stringify(github.pulls.map((p) => p.head))).toBeDefined();
    const prUrl = `${github.url}/openshift/hypershift/pull/${pull!.number}`;
    expect(seen(ready)).toContain(prUrl);
    const l3Before = grade(ready, 'L3 architectural');
    const l4Before = grade(ready, 'L4 human');
    expect(l3Before).toBeDefined();
    expect(l4Before).toBeDefined();

    // 1. A reviewer ticks every invariant box in the description on GitHub (PATCH /pulls/:n, as the UI does).
    expect(pull!.body).toMatch(/- \[ \] `/);
    const ticked = pull!.body.replace(/- \[ \] `/g, '- [x] `');
    const patched = await fetch(`${github.url}/repos/openshift/hypershift/pulls/${pull!.number}`, {
      method: 'PATCH',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json', 'x-fake-user': 'joelspeed' },
      body: JSON.stringify({ body: ticked }),
    });
    expect(patched.status).toBe(200);
    const edited = await until(
      () => github.deliveries.find((d) => d.event === 'pull_request' && JSON.parse(d.body).action === 'edited'),
      'the edited delivery',
    );
    expect(edited.status).toBe(202);
    // The team dashboard maria opens from Slack shows the phase's grades: L3 moves once the delivery is handled.
    // (Her role file keeps info-level news silent, so the re-grade itself waits for her digest, not a DM.)
    const cookie = await product.signIn('maria');
    const dashboardGrade = async (level: string) => {
      const page = await (await fetch(`${product.surfaces.http.url}/dashboard`, { headers: { cookie } })).text();
      const item = page.slice(page.indexOf(`<strong>${key}</strong>`));
      return new RegExp(`>${level} (\\w+)<`).exec(item.slice(0, item.indexOf('</li>')))?.[1];
    };
    const l3After = await until(async () => {
      const now = await dashboardGrade('L3');
      return now !== undefined && now !== l3Before ? now : undefined;
    }, 'L3 on the dashboard after the checklist edit');
    expect(l3After).toBe('high');
    expect(await dashboardGrade('L4')).toBe(l4Before);

    // 2a. Someone who is not an approver in the api/ OWNERS approves: recorded, not counted.
    await github.submitReview(pull!.number, 'drive-by-reviewer', 'APPROVED');
    const byOutsider = await newDm('maria', (m) => m.text.startsWith(`drive-by-reviewer approved ${key}`), 'the outsider approval');
    expect(seen(byOutsider)).toContain('not an OWNERS approver of these files, so L4 does not count it');
    expect(grade(byOutsider, 'L4 human')).toBe(l4Before);
    expect(grade(byOutsider, 'L3 architectural')).toBe(l3After);

    // 2b. An approver from the api/ OWNERS (api-approvers alias) approves: L4 counts it, maria is asked.
    await github.submitReview(pull!.number, 'joelspeed', 'APPROVED');
    const approved = await newDm('maria', (m) => m.text.startsWith(`joelspeed approved ${key}`), 'the OWNERS approval');
    expect(seen(approved)).toContain('as an OWNERS approver: L4 counts it.');
    expect(grade(approved, 'L4 human')).not.toBe(l4Before);
    const readyAction = `sitroom:decide:ready-to-merge:${prUrl}`;
    expect(actionIds(approved)).toContain(readyAction);

    const holdCancels = () => github.comments.filter((c) => c.issue === pull!.number && c.body.split('\n')[0] === '/hold cancel');
    expect(holdCancels()).toEqual([]);
    expect((await ws.tap('maria', approved, readyAction)).status).toBe(200);
    await until(() => holdCancels()[0], 'the /hold cancel comment on the PR');
    expect(holdCancels()[0]!.body).toContain('maria confirmed after review');
    // The prompt turns into the recorded decision: no button is left to ask Prow a second time.
    await until(() => !actionIds(current('maria', approved)).includes(readyAction) || undefined, 'the approval DM without its button');
    await until(async () => (await decisionsFor(rt.core.store.db, key)).some((d) => d.kind === 'ready-to-merge') || undefined, 'the recorded decision');
    // The earlier approval's prompt asks the same question of the same PR: tapping it too posts nothing more.
    expect((await ws.tap('maria', current('maria', byOutsider), readyAction)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3_000));
    await github.idle();
    expect(holdCancels()).toHaveLength(1);

    // 3. GitHub redelivers the review and the edit: handled before, so no second row and no second DM.
    const reviewDelivery = github.deliveries.find((d) => d.event === 'pull_request_review' && JSON.parse(d.body).review?.user?.login === 'joelspeed');
    expect(reviewDelivery).toBeDefined();
    for (const id of [reviewDelivery!.id, edited.id]) {
      const again = await github.redeliver(id);
      expect(again.status).toBe(200);
      expect(again.answer).toContain(`delivery ${id} was handled before`);
    }
    // Give a wrongly repeated notification time to reach Slack before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    const audit = await decisionsFor(rt.core.store.db, key);
    expect(audit.filter((d) => d.kind === 'review-approval').map((d) => [d.actor, (d.detail as { ownersApprover: boolean }).ownersApprover])).toEqual([
      ['drive-by-reviewer', false],
      ['joelspeed', true],
    ]);
    expect(audit.filter((d) => d.kind === 'ready-to-merge')).toHaveLength(1);
    expect(dmOf('maria').filter((m) => m.text.startsWith(`joelspeed approved ${key}`))).toHaveLength(1);
    expect(await dashboardGrade('L3')).toBe('high');
    expect(holdCancels()).toHaveLength(1);
  }, 600_000);
});
