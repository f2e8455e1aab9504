// What a GitHub delivery about a phase PR changes (the webhook's handling on the worker): an approving review
// counts in L4 only from an OWNERS approver read from the checkout, never from the gate; a reviewer ticking
// the invariant checklist re-grades L3 on the `edited` delivery; a merged revert records the outcome. The PR
// lives on the loopback GitHub (its REST wire format), the store is PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { createGitHubEventHandler } from '../../src/confidence/github-events.js';
import { assessPhase, createPrReady, renderPrDescription } from '../../src/confidence/pr-ready.js';
import type { PhaseState } from '../../src/contracts/plan.js';
import type { PullRequestEvent, ReviewEvent } from '../../src/contracts/github-events.js';
import { CalibrationStore } from '../../src/db/calibration.js';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { phaseConfidence } from '../../src/db/phases.js';
import { appendDecision, phaseDecisions, savePlan, upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { buildOwnersIndex } from '../../src/domain/index.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { git } from '../../src/integrations/git.js';
import { createGitHub } from '../../src/integrations/github.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import type { ConfidenceAssessment } from '../../src/confidence/model.js';
import type { Plan } from '../../src/plan/schema.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';

const config = loadConfig(exampleTargetRepo);
const insight = createDomainInsight();
const files = ['hypershift-operator/controllers/nodepool/conditions.go'];
const token = 'ghp_faketoken000000000000000000000';
const key = 'HOSTEDCP-2600';
// The checkout's OWNERS: ana-gh approves everything; bob-gh only reviews.
const owners = buildOwnersIndex([{ path: 'OWNERS', text: 'approvers:\n  - ana-gh\nreviewers:\n  - bob-gh\n' }]);

let base: string;
let github: FakeGitHub;
let store: OpenStore;
let prUrl: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'sitroom-gh-events-'));
  const repo = join(base, 'repo');
  await createExampleRepo(repo);
  const bare = join(base, 'remote.git');
  await git(base, ['init', '-q', '--bare', bare]);
  await git(repo, ['push', '-q', bare, 'main', 'main:refs/heads/sitroom/hostedcp-2600/core-1', 'main:refs/heads/revert-core']);
  github = await startFakeGitHub({ owner: 'openshift', repo: 'hypershift', bareRepo: bare, token });
  const host = createGitHub({ owner: 'openshift', repo: 'hypershift', token, baseUrl: github.url, pushUrl: bare });
  const first = assessPhase({ team: config.team, model: insight.model, files, evidence: [], at: new Date() });
  const body = renderPrDescription({
    workItemKey: key,
    phaseTitle: 'Summarise machine conditions',
    files,
    evidence: [],
    assessment: first.assessment,
    impact: first.impact,
  });
  prUrl = (await host.openPullRequest({ branch: 'sitroom/hostedcp-2600/core-1', base: 'main', title: 'core', body })).url;

  store = await openStore({ dataDir: 'memory://' });
  await upsertDevelopers(store.db, config.roles.values());
  const plan: Plan = {
    workItemKey: key,
    intention: 'summarise machine conditions',
    summary: '',
    phases: [
      { id: 'core', title: 'Summarise machine conditions', activity: 'implementation', files, constraints: [], validation: [], dependsOn: [], mergeOrder: 1 },
    ],
  };
  const phase: PhaseState = {
    id: 'core',
    title: 'Summarise machine conditions',
    activity: 'implementation',
    dependsOn: [],
    mergeOrder: 1,
    mode: 'approval-required',
    modeSource: 'role',
    status: 'ci',
    rejections: [],
    handoffs: [],
    attempts: 1,
    prUrl,
    branch: 'sitroom/hostedcp-2600/core-1',
  };
  await upsertWorkItem(store.db, {
    key,
    ownerId: 'maria',
    title: 'conditions',
    intention: plan.intention,
    workflowId: `work-item:${key}`,
    status: 'executing',
  });
  await savePlan(store.db, { key, plan, version: 1, status: 'executing', phases: [phase] });
  // The gate approval, which L4 must not count.
  await appendDecision(store.db, {
    idempotencyKey: `${key}:gate`,
    workItemKey: key,
    phaseId: 'core',
    kind: 'approve-phase',
    actor: 'priya',
    surface: 'slack-button',
    detail: {},
  });
  const pullRequestBody = (url: string) => host.pullRequestBody!(Number(/\/pull\/(\d+)$/.exec(url)![1]));
  const prReady = createPrReady({ db: store.db, insight, config: { current: () => config }, pullRequestBody });
  await prReady({
    workItemKey: key,
    phaseId: 'core',
    prUrl,
    files,
    evidence: ['passed: go test ./...'],
    ci: { prUrl, outcome: 'green', jobs: { unit: 'success' }, retries: {}, seenRunIds: [], alerts: [] },
  });
  handle = createGitHubEventHandler({
    db: store.db,
    model: insight.model,
    owners: async () => owners,
    config: () => config,
    calibration: new CalibrationStore(store.db),
    pullRequestBody,
  });
}, 120_000);

let handle: ReturnType<typeof createGitHubEventHandler>;

afterAll(async () => {
  await github?.close();
  await store?.close();
  rmSync(base, { recursive: true, force: true });
});

const level = async (id: string) => ((await phaseConfidence(store.db, key, 'core')) as ConfidenceAssessment).levels.find((l) => l.level === id)!;
const review = (deliveryId: string, reviewer: string): ReviewEvent => ({
  kind: 'review',
  deliveryId,
  action: 'submitted',
  number: 1,
  url: prUrl,
  reviewer,
  state: 'approved',
  commitId: 'a'.repeat(40),
});

describe('GitHub deliveries about a phase PR', () => {
  it('counts an approving review in L4 only when the reviewer is an OWNERS approver, never the gate approval', async () => {
    expect((await level('L4')).checks.find((c) => c.id === 'approved')!.status).toBe('missing');
    const byReviewer = await handle(review('d-1', 'bob-gh'));
    expect(byReviewer.notifications[0]!.payload).toMatchObject({ kind: 'review-approved', github: 'bob-gh', ownersApprover: false });
    expect((await level('L4')).checks.find((c) => c.id === 'approved')!.status).toBe('missing');

    const byApprover = await handle(review('d-2', 'ana-gh'));
    expect(byApprover.notifications).toEqual([
      expect.objectContaining({
        developerId: 'maria',
        urgency: 'decision',
        dedupeKey: 'github:d-2:approved',
        payload: expect.objectContaining({ kind: 'review-approved', github: 'ana-gh', ownersApprover: true, prUrl }),
      }),
    ]);
    const approved = (await level('L4')).checks.find((c) => c.id === 'approved')!;
    expect(approved).toMatchObject({ status: 'pass', detail: 'approved on GitHub by OWNERS approver ana-gh' });
    // The same delivery handled again (a retried activity) records nothing twice.
    await handle(review('d-2', 'ana-gh'));
    expect((await phaseDecisions(store.db, key, 'core')).filter((d) => d.kind === 'review-approval').map((d) => d.actor)).toEqual(['bob-gh', 'ana-gh']);
  });

  it('re-grades L3 when a reviewer ticks the invariant checklist in the description (the edited delivery)', async () => {
    const l3 = await level('L3');
    expect(l3.checks.find((c) => c.id === 'invariants-checked')!.status).toBe('missing');
    const pull = github.pulls[0]!;
    await fetch(`${github.url}/repos/openshift/hypershift/pulls/1`, {
      method: 'PATCH',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: pull.body.replace(/- \[ \]/g, '- [x]') }),
    });
    const edited: PullRequestEvent = {
      kind: 'pull-request',
      deliveryId: 'd-3',
      action: 'edited',
      number: 1,
      url: prUrl,
      title: 'core',
      body: pull.body,
      author: 'sitroom-bot',
      merged: false,
      bodyChanged: true,
    };
    const out = await handle(edited);
    expect((await level('L3')).checks.find((c) => c.id === 'invariants-checked')!.status).toBe('pass');
    expect((await level('L3')).grade).not.toBe(l3.grade);
    expect(out.notifications[0]!.payload).toMatchObject({ kind: 'info', text: expect.stringContaining('L3 architectural is') });
    // L4's approval survives the re-grade.
    expect((await level('L4')).checks.find((c) => c.id === 'approved')!.status).toBe('pass');
  });

  it('records the merge with its grades, then a merged revert naming it as its outcome', async () => {
    const merged: PullRequestEvent = {
      kind: 'pull-request',
      deliveryId: 'd-4',
      action: 'closed',
      number: 1,
      url: prUrl,
      title: 'core',
      body: '',
      author: 'sitroom-bot',
      merged: true,
      bodyChanged: false,
    };
    await handle(merged);
    const revertUrl = prUrl.replace(/\/1$/, '/2');
    const revert: PullRequestEvent = {
      kind: 'pull-request',
      deliveryId: 'd-5',
      action: 'closed',
      number: 2,
      url: revertUrl,
      title: 'Revert "core"',
      body: 'Reverts openshift/hypershift#1',
      author: 'ana-gh',
      merged: true,
      bodyChanged: false,
    };
    const out = await handle(revert);
    const records = await new CalibrationStore(store.db).records();
    expect(records.find((r) => r.prUrl === prUrl)).toMatchObject({ grades: { L4: expect.any(String) }, outcomes: [{ kind: 'revert' }] });
    expect(out.notifications[0]).toMatchObject({ developerId: 'maria', payload: { kind: 'info', text: expect.stringContaining(`reverted ${prUrl}`) } });
    // A merged PR that names no merged phase PR records nothing.
    const unrelated = await handle({ ...revert, deliveryId: 'd-6', body: 'Reverts openshift/hypershift#99', url: prUrl.replace(/\/1$/, '/3') });
    expect(unrelated.notifications).toEqual([]);
    expect((await new CalibrationStore(store.db).records()).find((r) => r.prUrl === prUrl)!.outcomes).toHaveLength(1);
  });
});
