// Merge order on Prow through the activity surface (src/activities/merge-order.ts) against the loopback GitHub:
// a phase PR whose predecessors in the plan's merge order have not merged gets one `/hold` comment naming them;
// it is released when all of them have merged; GitHub's refusals come out as the failure catalogue's types.
//
// "Labels set by people are respected" means, here: the bot lifts only the hold it put itself. When a person
// holds the PR too (their own `/hold`, or do-not-merge/hold added by hand in GitHub's UI), lifting ours would
// lift theirs (Prow has one label), so the PR stays held and releaseFreed reports `held-by-person`; the
// person's other labels are never touched (the bot only ever comments Prow commands, it edits no label).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asApplicationFailure } from '../../src/activities/failures.js';
import { createMergeOrder, type MergeOrder } from '../../src/activities/merge-order.js';
import type { PhaseState } from '../../src/contracts/plan.js';
import { CataloguedFailure } from '../../src/contracts/failures.js';
import type { OpenStore } from '../../src/db/client.js';
import { savePhase, savePlan, upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { loadConfig } from '../../src/config/load.js';
import { git } from '../../src/integrations/git.js';
import { createGitHub, type CodeHost } from '../../src/integrations/github.js';
import type { Plan } from '../../src/plan/schema.js';
import { notificationOutbox } from '../../src/db/schema/index.js';
import { openTestStore } from '../support/db.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';
import { exampleRepoWithUpstreams } from '../support/example-upstream.js';
import { thrown } from '../support/failures.js';

const token = 'ghp_mergeorderfaketoken000000000000000';
const scratch = mkdtempSync(join(tmpdir(), 'sitroom-merge-order-'));
const key = 'MO-1';
const plan: Plan = {
  workItemKey: key,
  intention: 'NodePool reports capacity errors',
  summary: '',
  phases: (['api', 'impl', 'docs'] as const).map((id, i) => ({
    id,
    title: `Phase ${id}`,
    activity: id === 'api' ? 'api_changes' : id === 'docs' ? 'tests' : 'implementation',
    files: [],
    constraints: [],
    validation: [],
    dependsOn: [],
    mergeOrder: i + 1,
  })),
};
const phaseState = (id: string, status: PhaseState['status'], prUrl?: string): PhaseState => {
  const p = plan.phases.find((x) => x.id === id)!;
  return {
    id,
    title: p.title,
    activity: p.activity,
    dependsOn: p.dependsOn,
    mergeOrder: p.mergeOrder,
    mode: 'autonomous',
    modeSource: 'team-default',
    status,
    rejections: [],
    handoffs: [],
    attempts: 1,
    ...(prUrl ? { prUrl, branch: `sitroom/mo-1/${id}-1` } : {}),
  };
};

describe('merge order on Prow through the activity surface', () => {
  let github: FakeGitHub;
  let store: OpenStore;
  let host: CodeHost;
  let order: MergeOrder;
  const pr: Record<string, { number: number; url: string; headSha: string; branch: string }> = {};
  const commentsOn = (n: number) => github.comments.filter((c) => c.issue === n);
  const held = (n: number) => github.labels.get(n)?.has('do-not-merge/hold') === true;

  beforeAll(async () => {
    const bare = join(scratch, 'upstream.git');
    const repo = await exampleRepoWithUpstreams(scratch, [bare]);
    github = await startFakeGitHub({ owner: 'openshift', repo: 'hypershift', bareRepo: bare, token });
    host = createGitHub({ owner: 'openshift', repo: 'hypershift', token, baseUrl: github.url, pushUrl: bare });
    store = await openTestStore();
    await upsertDevelopers(store.db, loadConfig(repo).roles.values());
    await upsertWorkItem(store.db, {
      key,
      ownerId: 'maria',
      title: 'Capacity errors',
      intention: plan.intention,
      workflowId: `work-item:${key}`,
      status: 'running',
    });
    for (const p of plan.phases) {
      const branch = `sitroom/mo-1/${p.id}-1`;
      await git(repo, ['checkout', '-q', '-b', branch, 'main']);
      await git(repo, ['commit', '-q', '--allow-empty', '-m', p.title]);
      await host.pushBranch(repo, branch);
      pr[p.id] = await host.openPullRequest({ branch, base: 'main', title: `${key}: ${p.title}`, body: 'evidence' });
    }
    await savePlan(store.db, {
      key,
      plan,
      version: 1,
      status: 'running',
      phases: plan.phases.map((p) => phaseState(p.id, 'ready-to-merge', pr[p.id]!.url)),
    });
    order = createMergeOrder({ db: store.db, host });
  }, 60_000);
  afterAll(async () => {
    await github?.close();
    await store?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('holds a PR once, with a comment naming the unmerged phases before it and their PRs; the first phase is not held', async () => {
    expect(await order.holdIfWaiting({ workItemKey: key, phaseId: 'api', pr: pr.api! })).toEqual([]);
    expect(commentsOn(pr.api!.number)).toEqual([]);

    expect(await order.holdIfWaiting({ workItemKey: key, phaseId: 'impl', pr: pr.impl! })).toEqual(['api']);
    expect(await order.holdIfWaiting({ workItemKey: key, phaseId: 'impl', pr: pr.impl! })).toEqual(['api']); // a retried activity
    const holds = commentsOn(pr.impl!.number);
    expect(holds).toHaveLength(1);
    expect(holds[0]!.body.split('\n')[0]).toBe('/hold');
    expect(holds[0]!.body).toContain(`phase api ("Phase api") ${pr.api!.url}`);
    expect(held(pr.impl!.number)).toBe(true);

    expect(await order.holdIfWaiting({ workItemKey: key, phaseId: 'docs', pr: pr.docs! })).toEqual(['api', 'impl']);
    expect(commentsOn(pr.docs!.number)[0]!.body).toMatch(new RegExp(`phase api .*${pr.api!.url}; phase impl .*${pr.impl!.url}`));
  });

  it('releases a hold only when every predecessor merged, and leaves a person’s hold and labels alone', async () => {
    // A reviewer marks the docs PR in GitHub's UI: a label of theirs that no merge order touches.
    github.labelAs('reviewer-ann', pr.docs!.number, 'needs-ok-to-test');

    // api merged: impl may go; docs still waits for impl.
    await savePhase(store.db, key, phaseState('api', 'merged', pr.api!.url));
    expect(await order.releaseFreed({ workItemKey: key })).toEqual([{ phaseId: 'impl', outcome: 'released' }]);
    expect(commentsOn(pr.impl!.number).at(-1)!.body.split('\n')[0]).toBe('/hold cancel');
    expect(held(pr.impl!.number)).toBe(false);
    expect(held(pr.docs!.number)).toBe(true);

    // Meanwhile an approver holds docs too, in Prow's words: once impl merges, the bot's hold would be lifted,
    // but lifting it lifts theirs (one label), so it stays and nothing is posted.
    github.commentAs('approver-bob', pr.docs!.number, 'Wait for the docs review.\n/hold');
    const before = commentsOn(pr.docs!.number).length;
    expect(await order.releaseFreed({ workItemKey: key, mergedPhaseId: 'impl' })).toEqual([{ phaseId: 'docs', outcome: 'held-by-person' }]);
    expect(held(pr.docs!.number)).toBe(true);
    expect(github.labels.get(pr.docs!.number)?.has('needs-ok-to-test')).toBe(true);
    expect(commentsOn(pr.docs!.number)).toHaveLength(before);

    // maria, the owner, is told once that docs stays held by bob, with the PR's link.
    const heldNotices = async () => (await store.db.select().from(notificationOutbox)).filter((n) => n.dedupeKey.startsWith('held-by-person:'));
    const [notice] = await heldNotices();
    expect(notice).toMatchObject({ developerId: 'maria', dedupeKey: `held-by-person:${key}:docs:${pr.docs!.number}` });
    expect((notice!.payload as { text: string }).text).toBe(
      `${key} phase docs: the phases before it have merged, but PR #${pr.docs!.number} stays held by @approver-bob (their own /hold, which Situation Room leaves alone): ${pr.docs!.url}`,
    );

    // A released PR is not released twice, and the owner is not told twice.
    expect(await order.releaseFreed({ workItemKey: key, mergedPhaseId: 'impl' })).toEqual([{ phaseId: 'docs', outcome: 'held-by-person' }]);
    expect(commentsOn(pr.impl!.number).filter((c) => c.body.startsWith('/hold cancel'))).toHaveLength(1);
    expect(await heldNotices()).toHaveLength(1);
  });

  it("turns GitHub's refusals into the catalogue's failures: 403, 404 and 422 for good, 429 after GitHub's delay", async () => {
    github.refuse(1, 403);
    const forbidden = await thrown(order.holdIfWaiting({ workItemKey: key, phaseId: 'docs', pr: pr.docs! }));
    expect(forbidden).toBeInstanceOf(CataloguedFailure);
    expect(forbidden).toMatchObject({ type: 'GitHubRefused', nonRetryable: true });
    expect(forbidden.message).toMatch(/GitHub refused the \/hold comment on PR #\d+ \(403 Resource not accessible by integration\): check that the GitHub App/);
    expect(asApplicationFailure(forbidden)).toMatchObject({ type: 'GitHubRefused', nonRetryable: true });

    github.refuse(1, 422, [{ resource: 'IssueComment', field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }]);
    expect(await thrown(order.holdIfWaiting({ workItemKey: key, phaseId: 'docs', pr: pr.docs! }))).toMatchObject({
      type: 'GitHubRefused',
      message: expect.stringContaining('(422 Validation Failed: body is too long (maximum is 65536 characters))'),
    });

    // A PR that is gone (deleted with its repository, or outside the installation): 404 from the comments API.
    await savePhase(store.db, key, phaseState('impl', 'merged', pr.impl!.url));
    await savePhase(store.db, key, { ...phaseState('docs', 'ready-to-merge'), prUrl: `${github.url}/openshift/hypershift/pull/999` });
    expect(await thrown(order.releaseFreed({ workItemKey: key }))).toMatchObject({
      type: 'GitHubRefused',
      nonRetryable: true,
      message: expect.stringMatching(/lifting the hold on PR #999 \(404 Not Found\): the pull request or repository is gone/),
    });
    await savePhase(store.db, key, phaseState('docs', 'ready-to-merge', pr.docs!.url));

    github.rateLimit(1, { status: 429, retryAfterSeconds: 9 });
    const limited = await thrown(order.releaseFreed({ workItemKey: key }));
    expect(limited).toMatchObject({ type: 'GitHubRateLimited', nonRetryable: false, options: { retryAfterMs: 9000 } });
    expect(asApplicationFailure(limited)).toMatchObject({ type: 'GitHubRateLimited', nonRetryable: false, nextRetryDelay: 9000 });
    expect(await order.releaseFreed({ workItemKey: key })).toEqual([{ phaseId: 'docs', outcome: 'held-by-person' }]);
  });
});
