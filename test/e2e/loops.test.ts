// Issue 16, items 3–5, through the surfaces a person uses: the local Slack workspace and the real Bolt app,
// the dashboard, the Temporal Schedules, the real worker and the offline RH-A over a fresh example repository.
// sam (new, learning AWS) and maria (AWS expert) ask the same question in their pair threads and get
// answers, not reviews, shaped by their memory; maria saves a hypothesis with "remember:" and her next
// briefing starts from it, her last session and a merged precedent from the repository's history; the
// scheduled staleness scan proposes retiring an entry whose file was deleted, and priya decides it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import { createLocalCodeHost } from '../../src/integrations/local.js';
import { parsePatternFile } from '../../src/knowledge/patterns.js';
import { ensureStalenessSchedule } from '../../src/orchestrator/schedules.js';
import { knowledgeStalenessScheduleId } from '../../workflows/ids.js';
import { eventually, type TestRuntime } from '../support/runtime.js';
import { useSlackProduct } from '../support/slack-product.js';
import type { Surfaces } from '../support/surfaces.js';
import { seen, until } from '../support/slack-view.js';

const dashboardSecret = 'loops-dashboard-secret-0123456789abcdef';
// The product this file drives, started once before its tests (test/support/slack-product.ts).
const product = useSlackProduct({ dashboardSecret });
const { dm: dmOf, replyIn, signIn } = product;
let rt: TestRuntime;
let surfaces: Surfaces;
let ws: Surfaces['workspace'];
beforeAll(() => void ({ rt, surfaces, ws } = product));
const botReplyAfter = (channel: string, threadTs: string, afterTs: string, what: string) =>
  replyIn(channel, threadTs, (m) => m.user === ws.botUserId && Number(m.ts) > Number(afterTs) && !m.text.startsWith('Pairing on'), what);

/** A plan requested with /sitroom, then a pair thread opened on its first phase; returns the thread. */
async function pairOnPhaseOne(user: string, key: string): Promise<{ dm: string; threadTs: string }> {
  const dm = dmOf(user);
  expect(
    (await ws.slashCommand(user, dm, '/sitroom', `plan ${key} add a NodePool condition type ${user === 'sam' ? 'QuotaExceeded' : 'CapacityError'}`)).status,
  ).toBe(200);
  await until(() => ws.messagesIn(dm).find((m) => seen(m).includes(`Plan gate — ${key}`)), `${user}'s plan gate`, 60_000);
  const { ts } = await ws.sendMessage(user, dm, `pair with me on phase 1 of ${key}`);
  await replyIn(dm, ts, (m) => m.text.startsWith('Pairing on'), `${user}'s pair thread`);
  return { dm, threadTs: ts };
}

const question = 'what happens when an AWS machine hits its instance quota?';

let mariaThread: { dm: string; threadTs: string };

describe('a pair partner that discusses', () => {
  let samKey: string;
  let samThread: { dm: string; threadTs: string };

  it('sam (learning AWS) asks a question in his pair thread and gets an answer with the AWS context, not a review', async () => {
    samKey = `${rt.keyPrefix}-31`;
    samThread = await pairOnPhaseOne('sam', samKey);
    const { ts } = await ws.sendMessage('sam', samThread.dm, question, samThread.threadTs);
    const answer = seen(await botReplyAfter(samThread.dm, samThread.threadTs, ts, "the answer to sam's question"));
    expect(answer).not.toContain('No boundary or convention problems found');
    expect(answer).toContain('Context on AWS');
    expect(answer).toMatch(/you are learning AWS/);
    expect(answer).toMatch(/EC2 API errors|AWSMachine/);
    expect(answer).toContain('How to read this');
  }, 180_000);

  it('maria (AWS expert) asks the same question and gets the answer without the primer', async () => {
    mariaThread = await pairOnPhaseOne('maria', `${rt.keyPrefix}-32`);
    const { ts } = await ws.sendMessage('maria', mariaThread.dm, question, mariaThread.threadTs);
    const answer = seen(await botReplyAfter(mariaThread.dm, mariaThread.threadTs, ts, "the answer to maria's question"));
    expect(answer).not.toContain('No boundary or convention problems found');
    expect(answer).not.toContain('Context on AWS');
    expect(answer).not.toContain('How to read this');
    expect(answer).toContain('familiar ground for you');
  }, 180_000);

  it('pasted code still gets a review, and "review my branch" says when the phase has no branch yet', async () => {
    const snippet = [
      'for _, m := range machines {',
      '\tmachine, _ := r.Client.Get(ctx, m.Name)',
      '\tmsg = msg + m.Name',
      '}',
      'np.Status.SetCondition(hyperv1.NodePoolCondition{Type: "quota_exceeded", Message: msg})',
    ].join('\n');
    const { ts } = await ws.sendMessage('sam', samThread.dm, snippet, samThread.threadTs);
    const review = seen(await botReplyAfter(samThread.dm, samThread.threadTs, ts, 'the review of the snippet'));
    expect(review).toMatch(/finding\(s\)/);
    expect(review).toMatch(/CamelCase/);

    const { ts: askTs } = await ws.sendMessage('sam', samThread.dm, 'review my branch', samThread.threadTs);
    const branch = seen(await botReplyAfter(samThread.dm, samThread.threadTs, askTs, 'the branch review answer'));
    expect(branch).toContain(`There is no branch for ${samKey} phase`);
  }, 120_000);
});

describe('memory written by the product', () => {
  it('maria saves a hypothesis with "remember:"; her next briefing shows it, her last session and a merged precedent with why', async () => {
    // Yesterday's session ends: she says "done" in her pair thread.
    await ws.sendMessage('maria', mariaThread.dm, 'done', mariaThread.threadTs);
    await eventually(
      () => rt.env.client.workflow.getHandle(`pair:${mariaThread.dm}:${mariaThread.threadTs}`).describe(),
      (d) => d.status.name === 'COMPLETED',
      'the pair session to end',
    );
    const dm = dmOf('maria');
    const hypothesis = 'the Azure quota error is lost at the Machine -> NodePool step';
    const { ts } = await ws.sendMessage('maria', dm, `remember: ${hypothesis}`);
    const saved = await replyIn(dm, ts, (m) => m.user === ws.botUserId, 'the saved confirmation');
    expect(seen(saved)).toContain('Saved as your hypothesis');

    // A teammate's change merged upstream yesterday touched the file maria's plan changes.
    const repo = rt.core.targetRepo;
    await git(repo, ['checkout', '-q', '-b', 'teammate/quota', 'main']);
    await git(repo, ['commit', '-q', '--allow-empty', '-m', 'placeholder']);
    await git(repo, ['checkout', '-q', 'main']);
    const conditions = 'api/hypershift/v1beta1/nodepool_conditions.go';
    await git(repo, ['checkout', '-q', 'teammate/quota']);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(repo, conditions), '\n// Quota errors are reported per platform.\n');
    await git(repo, ['commit', '-q', '-am', 'NodePool: document quota error reporting']);
    await git(repo, ['checkout', '-q', 'main']);
    await git(repo, ['merge', '-q', '--no-ff', '-m', 'Merge pull request #4821 from teammate/quota', 'teammate/quota']);

    expect((await ws.slashCommand('maria', dm, '/sitroom', 'briefing')).status).toBe(200);
    const briefing = seen(await until(() => ws.messagesIn(dm).find((m) => m.text.includes('Briefing for')), "maria's briefing", 60_000));
    expect(briefing).toContain(`*Your hypothesis:* ${hypothesis.replace('>', '&gt;')}`);
    // Where she left off: the question she asked in her pair thread and the phase she paired on.
    expect(briefing).toMatch(/\*Where you left off:\* .*you asked .*what happens when an AWS machine hits its instance quota/);
    // A precedent from the repository's history, with why it is related.
    expect(briefing).toContain('https://github.com/openshift/hypershift/pull/4821');
    expect(briefing).toContain(`touched ${conditions}, which your plan changes`);
  }, 180_000);
});

describe('knowledge that compounds', () => {
  it('the scheduled staleness scan proposes retiring an entry whose file was deleted; priya approves it on the dashboard', async () => {
    const scan = async () => {
      await ensureStalenessSchedule(rt.env.client, '24h', rt.taskQueue);
      await rt.env.client.schedule.getHandle(knowledgeStalenessScheduleId).trigger();
    };
    // First scan: the baseline (entries about code this example repository never had are left alone).
    await scan();
    await eventually(
      () => rt.core.knowledge.patterns.getPattern('platform-error-propagation'),
      (p) => !!p?.checkedAt,
      'the first scan',
    );
    expect(await rt.core.knowledge.proposals.reviewQueue()).toEqual([]);

    const pattern = (await rt.core.knowledge.patterns.getPattern('platform-error-propagation'))!;
    const gone = pattern.references.map((r) => r.replace(/[:#].*$/, '')).find((p) => !p.endsWith('/'))!;
    rmSync(join(rt.core.targetRepo, gone));
    await git(rt.core.targetRepo, ['commit', '-q', '-am', `remove ${gone}`]);
    await scan();
    const queue = await eventually(
      () => rt.core.knowledge.proposals.reviewQueue(),
      (q) => q.some((p) => p.kind === 'retirement' && p.patternId === 'platform-error-propagation'),
      'the retirement proposal',
      60_000,
    );
    const proposal = queue.find((p) => p.kind === 'retirement' && p.patternId === 'platform-error-propagation')!;
    expect(proposal).toMatchObject({ developerId: 'rh-o' });
    expect(proposal.draft.body).toContain(gone);
    // Only entries that lost a reference in this change are proposed, never one that never resolved here.
    expect(queue.filter((p) => p.kind === 'retirement').every((p) => p.draft.body.includes(gone))).toBe(true);

    const cookie = await signIn('priya');
    const page = await (await fetch(`${surfaces.http.url}/dashboard`, { headers: { cookie } })).text();
    expect(page).toContain(gone);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const approved = await fetch(`${surfaces.http.url}/dashboard/proposals/${proposal.id}/review`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, decision: 'approve', note: 'the file is gone' }).toString(),
    });
    expect(approved.status).toBe(303);
    const retired = (await rt.core.knowledge.patterns.getPattern('platform-error-propagation'))!;
    expect(retired.state).toBe('retired');

    // The retirement goes back to the repository for review like code: priya reads where, and the PR's branch
    // marks the entry's own file retired, reviewed by her.
    const after = await (await fetch(`${surfaces.http.url}${approved.headers.get('location')!}`, { headers: { cookie } })).text();
    expect(after).toContain(
      `Proposed to the repository for review: ${pathToFileURL(rt.core.targetRepo).href}#sitroom/knowledge/platform-error-propagation-v${retired.version}-retired (${retired.sourcePath})`,
    );
    const branch = `sitroom/knowledge/platform-error-propagation-v${retired.version}-retired`;
    expect((await createLocalCodeHost(rt.core.targetRepo).findPullRequest(branch))?.number).toBeGreaterThan(0);
    const file = parsePatternFile(branch, await git(rt.core.targetRepo, ['show', `${branch}:${retired.sourcePath!}`]));
    expect(file).toMatchObject({ id: 'platform-error-propagation', state: 'retired', reviewer: 'priya', version: retired.version });
    expect((await git(rt.core.targetRepo, ['diff', '--name-only', 'main', branch])).trim()).toBe(retired.sourcePath);
  }, 180_000);
});
