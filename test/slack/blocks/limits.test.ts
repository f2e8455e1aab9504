// Every message the app can build, from worst-case inputs, must be something Slack accepts.
import { describe, expect, it } from 'vitest';
import type { NotificationPayload } from '../../../src/contracts/notifications.js';
import type { Situation } from '../../../src/orchestrator/port.js';
import { decodeDecision } from '../../../src/slack/blocks/decision-value.js';
import { clip, limits } from '../../../src/slack/blocks/kit.js';
import {
  renderDecided,
  renderDigest,
  renderNotification,
  renderOrientationDone,
  renderStarterTaskOffer,
  type RenderContext,
} from '../../../src/slack/blocks/notifications.js';
import { knowledgeEditModal, rejectReasonModal, renderHome } from '../../../src/slack/blocks/views.js';
import { blockKitErrors, expectValidMessage, expectValidView } from '../../support/block-kit-limits.js';

const ctx: RenderContext = { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => (id === 'maria' ? '<@U0MARIA01>' : id) };
const huge = (n: number, seed = 'x') =>
  Array.from({ length: Math.ceil(n / 10) }, (_, i) => `${seed}${i} <&>*_ `)
    .join('')
    .slice(0, n);
const log40k = Array.from(
  { length: 800 },
  (_, i) =>
    `E1125 12:00:${String(i % 60).padStart(2, '0')} nodepool_controller.go:${i} reconcile failed: capacity unavailable in zone us-east-1${'abc'[i % 3]}`,
)
  .join('\n')
  .slice(0, 40_000);
const machines = Array.from({ length: 500 }, (_, i) => `machine-pool-a-${i}`);
const failures = Array.from({ length: 200 }, (_, i) => ({
  job: `pull-ci-openshift-hypershift-main-e2e-aws-${i % 7}`,
  test: `TestNodePool/${huge(180, 'Platform')}/case-${i}`,
  classification: (i % 5 === 0 ? 'known-flake' : 'real') as 'known-flake' | 'real',
  signature: `timed out waiting for NodePool ${i} to report ready: ${huge(400)}`,
  reason: `new failure signature for TestNodePool case ${i}: ${huge(2_000, 'why')}`,
  excerpt: log40k,
  url: `https://prow.ci.openshift.org/view/gs/test-platform-results/pr-logs/${i}`,
}));

const worstCase: NotificationPayload[] = [
  {
    kind: 'briefing',
    developerId: 'maria',
    date: '2026-11-25',
    activeWorkItem: { key: 'HOSTEDCP-2101', title: huge(5_000, 'title'), status: 'in_progress', phase: 'platform-bridge' },
    lastContext: huge(10_000, 'ctx'),
    hypothesis: huge(10_000, 'hyp'),
    relatedPrs: Array.from({ length: 300 }, (_, i) => ({
      title: huge(300, `PR${i}`),
      url: `https://github.com/openshift/hypershift/pull/${i}`,
      state: 'open',
    })),
    pendingDecisions: Array.from({ length: 120 }, (_, i) => ({
      workItemKey: `HOSTEDCP-${i}`,
      phaseId: `phase-${i}`,
      kind: i % 2 ? 'approve-phase' : 'ci-option',
      title: huge(500, 'decide'),
    })),
    overnightCi: Array.from({ length: 200 }, (_, i) => ({
      pr: `#${i}`,
      job: huge(200, 'job'),
      result: i % 3 ? 'failure' : 'success',
      classification: i % 4 ? 'real' : 'known-flake',
    })),
    knowledge: Array.from({ length: 100 }, (_, i) => ({ tier: ((i % 3) + 1) as 1 | 2 | 3, title: huge(200, 'k'), summary: huge(1_000, 's') })),
    orientation: { title: huge(400, 'orient'), steps: machines },
  },
  {
    kind: 'gate',
    workItemKey: 'HOSTEDCP-2101',
    phaseId: 'api',
    title: huge(1_000, 'gate'),
    summary: log40k,
    mode: 'approval-required',
    reminder: 'escalation',
  },
  { kind: 'gate', workItemKey: 'HOSTEDCP-2101', title: 'Plan v3', summary: huge(4_000) },
  { kind: 'decision-recorded', workItemKey: 'HOSTEDCP-2101', phaseId: 'api', text: huge(45_000) },
  {
    kind: 'ci-alert',
    workItemKey: 'HOSTEDCP-2101',
    phaseId: 'platform-bridge',
    prUrl: 'https://github.com/openshift/hypershift/pull/1',
    ownerId: 'maria',
    failures,
  },
  {
    kind: 'pr-ready',
    workItemKey: 'HOSTEDCP-2101',
    phaseId: 'api',
    prUrl: 'https://github.com/openshift/hypershift/pull/2',
    ciSummary: log40k,
    reviewers: machines,
    confidence: Array.from({ length: 60 }, (_, i) => ({ level: `L${i}`, grade: 'high', summary: huge(900) })),
  },
  {
    kind: 'handoff',
    workItemKey: 'HOSTEDCP-2101',
    phaseId: 'core',
    from: 'autonomous',
    to: 'collaborative',
    done: machines,
    why: log40k,
    evidence: machines,
    next: machines,
  },
  { kind: 'pair-reply', sessionId: 's1', channel: 'D1', threadTs: '1.1', text: log40k + log40k },
  { kind: 'knowledge-proposal', proposalId: 'kp-1', workItemKey: 'HOSTEDCP-2101', title: huge(800, 'title'), body: log40k },
  { kind: 'overlap', workItemKey: 'HOSTEDCP-1', otherWorkItemKey: 'HOSTEDCP-2', otherOwnerId: 'sam', shared: machines },
  { kind: 'budget', workItemKey: 'HOSTEDCP-1', spentTokens: 9_999_999, capTokens: 10_000_000 },
  {
    kind: 'model-drift',
    commit: 'a'.repeat(40),
    baseline: 'b'.repeat(40),
    modelDigest: 'c'.repeat(16),
    ownersOutsideRoster: machines,
    broken: Array.from({ length: 500 }, (_, i) => ({
      where: huge(400, `w${i}`),
      ref: `${huge(2_000, 'path')}#S${i}`,
      problem: 'symbol-missing' as const,
      likelyNewPlace: huge(2_000, 'new'),
    })),
  },
  { kind: 'info', text: log40k + log40k },
];

const situation: Situation = {
  developerId: 'maria',
  workItems: Array.from({ length: 60 }, (_, w) => ({
    key: `HOSTEDCP-${w}`,
    title: huge(400, 'wi'),
    ownerId: 'maria',
    status: 'in_progress',
    planVersion: 3,
    phases: Array.from({ length: 40 }, (_, p) => ({
      id: `phase-${p}-${huge(40)}`,
      title: 't',
      mode: 'autonomous' as const,
      status: 'running',
      dependsOn: [],
      mergeOrder: p,
    })),
    pendingDecisions: [],
  })),
  pendingDecisions: Array.from({ length: 200 }, (_, i) => ({
    workItemKey: `HOSTEDCP-${i}`,
    kind: 'approve-phase' as const,
    phaseId: `p${i}`,
    title: huge(600),
    since: '2026-11-25T08:00:00Z',
  })),
  recentCi: Array.from({ length: 500 }, (_, i) => ({
    workItemKey: 'HOSTEDCP-1',
    phaseId: 'p',
    job: `machine-${i}`,
    result: 'failure',
    classification: 'real',
  })),
  recentKnowledge: Array.from({ length: 300 }, (_, i) => ({ tier: 2 as const, title: huge(300, `k${i}`) })),
};

describe('Block Kit messages from worst-case inputs', () => {
  for (const payload of worstCase) {
    it(`${payload.kind}${'phaseId' in payload && payload.kind === 'gate' && !payload.phaseId ? ' (plan)' : ''} stays within Slack's limits`, () => {
      const message = renderNotification(payload, ctx);
      expectValidMessage(payload.kind, message);
      expect(message.blocks.length).toBeGreaterThan(0);
    });
  }

  it('summarises 200 failing tests instead of dropping them silently', () => {
    const message = renderNotification(
      worstCase.find((p) => p.kind === 'ci-alert')!,
      ctx,
    );
    const text = JSON.stringify(message.blocks);
    expect(text).toMatch(/…and \d+ more failures/);
    expect(text).toContain('<@U0MARIA01>'); // the owner is paged
    expect(text).toContain('160 blocking failures'); // 40 of 200 are known flakes and are not counted
    const actionIds = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    expect(actionIds).toEqual(
      expect.arrayContaining(['sitroom:decide:ci-option:fix-and-repush', 'sitroom:decide:ci-option:wait-for-me', 'sitroom:decide:ci-option:skip-test']),
    );
  });

  it('a CI alert says once why the failure blocks and shows its output once', () => {
    const output = 'conditions_test.go:14: NodePoolCapacityErrorDetectedReason is missing from KnownNodePoolReasons: run make api';
    const message = renderNotification(
      {
        kind: 'ci-alert',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'nodepool-integration',
        prUrl: 'https://github.com/openshift/hypershift/pull/2',
        ownerId: 'maria',
        failures: [
          {
            job: 'unit',
            test: 'TestCapacityErrorReasonIsRegistered',
            classification: 'unknown',
            signature: 'is missing from KnownNodePoolReasons: run make api',
            reason: 'new failure signature for TestCapacityErrorReasonIsRegistered: not seen in the last 30 runs',
            excerpt: output,
          },
        ],
      },
      ctx,
    );
    expectValidMessage('ci-alert', message);
    const text = JSON.stringify(message.blocks);
    expect(text.split('Why it blocks: new failure signature for TestCapacityErrorReasonIsRegistered').length - 1).toBe(1);
    expect(text.split('conditions_test.go:14:').length - 1).toBe(1);
  });

  it('keeps the briefing in phone order: situation, then decisions as buttons, then links', () => {
    const message = renderNotification(worstCase[0]!, ctx);
    const types = message.blocks.map((b) => b.type);
    expect(types[0]).toBe('header');
    expect(types[1]).toBe('section');
    const firstActions = types.indexOf('actions');
    const prs = message.blocks.findIndex((b) => b.type === 'section' && b.text.text.includes('Related PRs'));
    expect(firstActions).toBeGreaterThan(1);
    expect(prs === -1 || prs > firstActions).toBe(true);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });

  it('the decided message keeps the situation and has no buttons left', () => {
    const gate = renderNotification(worstCase[1]!, ctx);
    const decided = renderDecided(gate, { summary: 'Phase api approved', decidedBy: 'maria', decidedAt: '2026-11-25T09:30:00Z' }, ctx);
    expectValidMessage('decided', decided);
    expect(decided.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(decided.blocks)).toContain('Phase api approved — by <@U0MARIA01>');
  });

  it('the starter task offer with 200 candidates, and the briefing after the orientation, stay within limits', () => {
    const criteria = [
      'touches the NodePool controller',
      'changes status/conditions only',
      'follows an existing curated pattern',
      'has a clear validation step',
    ];
    const considered = Array.from({ length: 200 }, (_, i) => ({
      workItemKey: `HOSTEDCP-${i}`,
      title: huge(600, `t${i}`),
      met: i % 4,
      missing: criteria.map((criterion) => ({ criterion, why: huge(400) })),
    }));
    const chosen = { workItemKey: 'HOSTEDCP-0', title: huge(2_000), ownerId: 'maria', reasons: criteria.map((criterion) => ({ criterion, why: huge(3_000) })) };
    const offer = renderStarterTaskOffer({ developerId: 'sam', orientationCompletedAt: '2026-11-25T09:30:00Z', chosen, considered }, ctx);
    expectValidMessage('starter offer', offer);
    expect(JSON.stringify(offer.blocks)).toMatch(/more candidates/);
    expectValidMessage('no starter', renderStarterTaskOffer({ developerId: 'sam', orientationCompletedAt: '2026-11-25T09:30:00Z', considered }, ctx));
    const briefing = renderNotification(
      {
        ...(worstCase[0] as Extract<NotificationPayload, { kind: 'briefing' }>),
        orientation: { title: huge(300), steps: Array.from({ length: 30 }, (_, i) => huge(3_000, `s${i}`)), concepts: ['split-brain'] },
      },
      ctx,
    );
    expectValidMessage('briefing with orientation', briefing);
    expect(JSON.stringify(briefing.blocks)).toContain('sitroom:onboarding:orientation-done');
    const done = renderOrientationDone(briefing, '2026-11-25T09:30:00Z');
    expectValidMessage('orientation done', done);
    expect(JSON.stringify(done.blocks)).not.toContain('sitroom:onboarding:orientation-done');
    expect(JSON.stringify(done.blocks)).toContain('sitroom:decide:'); // the pending decisions keep their buttons
  });

  it('App Home with 200 pending decisions and 500 CI runs fits in 100 blocks', () => {
    const home = renderHome(situation, ctx);
    expectValidView('home', home);
    expect(home.blocks.length).toBeLessThanOrEqual(100);
  });

  it('modals and the digest stay within limits', () => {
    const decision = { workItemKey: 'HOSTEDCP-2101', kind: 'reject-phase' as const, phaseId: 'api' };
    expectValidView('reject modal', rejectReasonModal(decision, { channel: 'D1', ts: '1.2' }));
    expectValidView(
      'edit modal',
      knowledgeEditModal(
        { workItemKey: 'HOSTEDCP-1', kind: 'knowledge-proposal', phaseId: 'kp-1' },
        { title: huge(1_000), body: log40k },
        { channel: 'D1', ts: '1.2' },
      ),
    );
    expectValidMessage(
      'digest',
      renderDigest(
        Array.from({ length: 500 }, (_, i) => ({ kind: 'info', text: huge(500, `item${i}`) })),
        ctx,
      ),
    );
  });

  it('button values round-trip to the decision they stand for', () => {
    const gate = renderNotification(worstCase[1]!, ctx);
    const approve = gate.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.action_id === 'sitroom:decide:approve-phase');
    expect(decodeDecision(approve?.value)).toEqual({ workItemKey: 'HOSTEDCP-2101', kind: 'approve-phase', phaseId: 'api' });
    expect(decodeDecision('{"kind":"drop-table"}')).toBeUndefined();
  });
});

describe('the independent validator', () => {
  it('catches what Slack rejects', () => {
    const long = 'y'.repeat(3_001);
    expect(blockKitErrors([{ type: 'section', text: { type: 'mrkdwn', text: long } }], 'message')).toEqual([expect.stringContaining('maximum 3000')]);
    expect(
      blockKitErrors(
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
        'message',
      ),
    ).toEqual([expect.stringContaining('maximum 50')]);
    expect(
      blockKitErrors(
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
        'home',
      ),
    ).toEqual([]);
    expect(
      blockKitErrors([{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'z'.repeat(76) } }] }], 'message')[0],
    ).toContain('maximum 75');
    expect(blockKitErrors([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'message')[0]).toContain('plain_text');
    expect(blockKitErrors([{ type: 'section', text: { type: 'mrkdwn', text: '' } }], 'message')[0]).toContain('empty');
  });

  it('clip marks the cut and never exceeds the limit', () => {
    const cut = clip('word '.repeat(1_000), limits.sectionText);
    expect(cut.length).toBeLessThanOrEqual(limits.sectionText);
    expect(cut.endsWith('…')).toBe(true);
  });
});
