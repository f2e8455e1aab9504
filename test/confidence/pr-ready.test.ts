import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { CalibrationStore } from '../../src/db/calibration.js';
import type { OpenStore } from '../../src/db/client.js';
import { phases } from '../../src/db/schema/core.js';
import { appendDecision, savePlan, upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import type { PhaseState } from '../../src/contracts/plan.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { assessPhase, createPrReady, evidenceFromLines, renderPrDescription, reviewersFor, summariseCi } from '../../src/confidence/pr-ready.js';
import type { CiWatchState } from '../../src/contracts/ci.js';
import { storeBackends } from '../support/db.js';

const config = loadConfig(exampleTargetRepo);
const insight = createDomainInsight();
const kubevirtFile = 'hypershift-operator/controllers/nodepool/kubevirt/kubevirt.go';
const kubevirtApprovers = ['nunnatsa', 'orenc1', 'awels', 'akalenyu', 'qinqon'];
const prUrl = 'https://github.com/openshift/hypershift/pull/7201';
const agentEvidence = [
  'passed: make verify',
  'passed: go test ./...',
  'check_diff: no boundary or convention findings',
  `wrote ${kubevirtFile}`,
  'committed files: ' + kubevirtFile,
];

const ci = (outcome: CiWatchState['outcome'], jobs: CiWatchState['jobs'], retries: Record<string, number> = {}): CiWatchState => ({
  prUrl,
  outcome,
  jobs,
  retries,
  seenRunIds: [],
  alerts: [],
});

/** The example config with one developer's role file naming their GitHub login. */
function withGithub(developer: string, login: string): LoadedConfig {
  const roles = new Map(config.roles);
  roles.set(developer, { ...roles.get(developer)!, github: login });
  return { ...config, roles };
}

describe('evidence and reviewers (pure)', () => {
  it('maps RH-A evidence lines to the checks they support, and ignores lines that prove nothing', () => {
    const at = new Date('2026-03-10T10:00:00Z');
    const e = evidenceFromLines(
      [
        'passed: make verify',
        'FAILED: go test ./...',
        '2 finding(s), 1 blocking:\n- [blocker] x',
        'added condition type CapacityError to api (pattern nodepool-condition-type)',
        'wrote api/x.go',
      ],
      config.team,
      at,
    );
    expect(e.map((x) => `${x.check}:${x.status}`)).toEqual(['codegen-consistent:pass', 'unit-tests:fail', 'boundary-check:fail', 'pattern-match:pass']);
  });

  it('suggests the KubeVirt approvers first for a KubeVirt file, as developer ids when a role file names the login', () => {
    const plain = reviewersFor(insight.owners, [kubevirtFile], config);
    expect(plain.slice(0, 5).map((r) => r.id)).toEqual(kubevirtApprovers);
    expect(plain.slice(0, 5).every((r) => r.role === 'approver' && r.specific)).toBe(true);
    // Repository-wide approvers come after the ones who own this platform's code.
    expect(plain.findIndex((r) => r.id === 'enxebre')).toBeGreaterThan(4);

    const mapped = reviewersFor(insight.owners, [kubevirtFile], withGithub('priya', 'awels'), 'maria');
    expect(mapped[0]).toEqual({ id: 'priya', github: 'awels', role: 'approver', specific: true });
    expect(mapped.map((r) => r.id)).not.toContain('awels');
    // The author never reviews their own PR.
    expect(reviewersFor(insight.owners, [kubevirtFile], withGithub('maria', 'awels'), 'maria').map((r) => r.id)).not.toContain('maria');
  });

  it('summarises CI with the flakes that were retried', () => {
    expect(summariseCi(ci('green', { unit: 'success', 'e2e-kubevirt': 'success' }, { TestNodePoolAutoRepair: 2 })).line).toBe(
      'CI green: e2e-kubevirt, unit; 2 known-flake retries (TestNodePoolAutoRepair ×2)',
    );
    expect(summariseCi(ci('blocked', { unit: 'failure' })).line).toBe('CI blocked: unit failing');
  });

  it('renders a PR description with the evidence, the domain model impact and the confidence table', () => {
    const files = [kubevirtFile, 'hypershift-operator/controllers/nodepool/conditions.go'];
    const { assessment, impact } = assessPhase({
      team: config.team,
      model: insight.model,
      files,
      evidence: agentEvidence,
      at: new Date('2026-03-10T10:00:00Z'),
    });
    const md = renderPrDescription({
      workItemKey: 'HOSTEDCP-2400',
      phaseTitle: 'KubeVirt capacity errors',
      files,
      evidence: agentEvidence,
      assessment,
      impact,
      reviewers: reviewersFor(insight.owners, files, config),
    });
    expect(md).toContain('- passed: make verify');
    expect(md).toMatch(/- platforms: generic \(AWS, Azure, KubeVirt/);
    expect(md).toMatch(/### Invariants to re-check[^]*- \[ \] `conditions-summarise`: /);
    // Touching invariants without evidence that they were re-checked leaves L3 short of high.
    expect(assessment.levels.find((l) => l.level === 'L3')!.missing).toContain('lifecycle invariants touched are re-checked');
    expect(md).toContain('## Confidence');
    expect(md).toMatch(/\| L1 structural \| medium/);
    expect(md).toContain('- @nunnatsa: approver, owns these files specifically');
    // Before CI has run, L2 shows CI as missing rather than passing.
    expect(assessment.levels.find((l) => l.level === 'L2')!.missing).toContain('CI green');
  });
});

for (const backend of storeBackends()) {
  describe(`PR ready on ${backend.name}`, () => {
    let store: OpenStore;
    const key = 'HOSTEDCP-2400';

    beforeAll(async () => {
      store = await backend.open();
      await upsertDevelopers(store.db, config.roles.values());
      const plan: Plan = {
        workItemKey: key,
        intention: 'KubeVirt NodePools report capacity errors',
        summary: '',
        phases: [
          {
            id: 'bridge',
            title: 'KubeVirt capacity errors',
            activity: 'implementation',
            files: [kubevirtFile],
            constraints: [],
            validation: [{ command: 'go test ./...', why: 'unit' }],
            dependsOn: [],
            mergeOrder: 1,
          },
        ],
      };
      const phase: PhaseState = {
        id: 'bridge',
        title: 'KubeVirt capacity errors',
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
        branch: 'sitroom/hostedcp-2400/bridge-1',
      };
      await upsertWorkItem(store.db, {
        key,
        ownerId: 'maria',
        title: 'KubeVirt capacity errors',
        intention: plan.intention,
        workflowId: `work-item:${key}`,
        status: 'executing',
      });
      await savePlan(store.db, { key, plan, version: 1, status: 'executing', phases: [phase] });
      await appendDecision(store.db, {
        idempotencyKey: `${key}:approve-bridge`,
        workItemKey: key,
        phaseId: 'bridge',
        kind: 'approve-phase',
        actor: 'priya',
        surface: 'slack-button',
        detail: {},
      });
      // L4 counts the GitHub review by an OWNERS approver (as the webhook records it), not the gate approval above.
      await appendDecision(store.db, {
        idempotencyKey: `${key}:review`,
        workItemKey: key,
        phaseId: 'bridge',
        kind: 'review-approval',
        actor: 'sam',
        surface: 'automatic',
        detail: { github: 'sam-gh', ownersApprover: true },
      });
      await appendDecision(store.db, {
        idempotencyKey: `${key}:review-2`,
        workItemKey: key,
        phaseId: 'bridge',
        kind: 'review-approval',
        actor: 'passer-by',
        surface: 'automatic',
        detail: { github: 'passer-by', ownersApprover: false },
      });
    });
    afterAll(async () => store?.close());

    it('lists the KubeVirt approvers, and the behavioural grade drops when CI fails', async () => {
      const prReady = createPrReady({ db: store.db, insight, config: { current: () => config } });
      const args = { workItemKey: key, phaseId: 'bridge', prUrl, files: [kubevirtFile], evidence: agentEvidence };

      const green = await prReady({ ...args, ci: ci('green', { unit: 'success' }, { TestNodePoolAutoRepair: 1 }) });
      expect(green).toMatchObject({ kind: 'pr-ready', workItemKey: key, phaseId: 'bridge', prUrl });
      expect(green.reviewers.slice(0, 5)).toEqual(kubevirtApprovers);
      expect(green.ciSummary).toBe('CI green: unit; 1 known-flake retry (TestNodePoolAutoRepair ×1)');
      const grade = (p: typeof green, level: string) => p.confidence.find((c) => c.level.startsWith(level))!;
      expect(grade(green, 'L2')).toMatchObject({ level: 'L2 behavioural', grade: 'medium' });
      expect(grade(green, 'L2').summary).toContain('green: unit');
      expect(grade(green, 'L4')).toMatchObject({ grade: 'high' });
      expect(grade(green, 'L4').summary).toContain('approved on GitHub by OWNERS approver sam');
      expect(grade(green, 'L4').summary).not.toMatch(/priya|passer-by/);

      const red = await prReady({ ...args, ci: ci('blocked', { unit: 'failure' }) });
      expect(grade(red, 'L2').grade).toBe('low');
      expect(grade(red, 'L2').summary).toMatch(/^failing: CI green/);
      // L1 did not change: CI says nothing about structure.
      expect(grade(red, 'L1').grade).toBe(grade(green, 'L1').grade);

      // The dashboard reads the latest assessment from the phase row.
      const [row] = await store.db
        .select({ confidence: phases.confidence })
        .from(phases)
        .where(and(eq(phases.workItemKey, key), eq(phases.phaseId, 'bridge')));
      expect((row!.confidence as { levels: Array<{ level: string; grade: string }> }).levels.find((l) => l.level === 'L2')!.grade).toBe('low');
    });

    it('names team members by developer id, and says how often work merged at that grade needed a fix', async () => {
      const calibration = new CalibrationStore(store.db);
      const { assessment } = assessPhase({
        team: config.team,
        model: insight.model,
        files: [kubevirtFile],
        evidence: agentEvidence,
        ci: ci('green', { unit: 'success' }),
        at: new Date(),
      });
      await calibration.recordMerge({ prUrl: 'https://github.com/openshift/hypershift/pull/6100', assessment, mergedAt: new Date() });
      await calibration.recordOutcome({
        prUrl: 'https://github.com/openshift/hypershift/pull/6100',
        kind: 'revert',
        reference: 'https://github.com/openshift/hypershift/pull/6120',
      });

      const prReady = createPrReady({ db: store.db, insight, config: { current: () => withGithub('priya', 'qinqon') }, calibration });
      const p = await prReady({
        workItemKey: key,
        phaseId: 'bridge',
        prUrl,
        files: [kubevirtFile],
        evidence: agentEvidence,
        ci: ci('green', { unit: 'success' }),
      });
      expect(p.reviewers[0]).toBe('priya');
      expect(p.reviewers).not.toContain('qinqon');
      expect(p.confidence.find((c) => c.level.startsWith('L2'))!.summary).toContain('before: 1 of 1 merged at medium needed a fix');
    });
  });
}
