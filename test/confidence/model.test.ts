import { describe, expect, it } from 'vitest';
import { assessConfidence, type EvidenceInput } from '../../src/confidence/model.js';
import { confidenceSummary, renderConfidenceMarkdown, renderPrReadyText } from '../../src/confidence/render.js';

const t = (minute: number) => new Date(Date.UTC(2026, 10, 25, 9, minute));
const level = (a: ReturnType<typeof assessConfidence>, id: string) => a.levels.find((l) => l.level === id)!;

describe('confidence levels change as evidence arrives', () => {
  it('starts with nothing known and says what is missing', () => {
    const a = assessConfidence([]);
    expect(a.levels.map((l) => l.grade)).toEqual(['none', 'none', 'none', 'none']);
    expect(level(a, 'L2').missing).toEqual(['unit tests pass', 'new code is covered by tests', 'CI green', 'adjacent suites pass']);
  });

  it('rises with structural and behavioural evidence, drops on a failure, recovers when the failure is fixed', () => {
    const evidence: EvidenceInput[] = [
      {
        check: 'pattern-match',
        status: 'pass',
        detail: 'follows nodepool-condition-conventions v1',
        source: '.rh-agentic/patterns/nodepool-condition-conventions.yaml',
        at: t(1),
      },
      { check: 'boundary-check', status: 'pass', detail: 'api/ imports no Cluster API package', source: 'sitroom model check', at: t(1) },
    ];
    let a = assessConfidence(evidence);
    expect(level(a, 'L1')).toMatchObject({ grade: 'medium', score: 0.5 });
    expect(level(a, 'L1').missing).toEqual(['generated code consistent (make api / make verify)', 'API change is compatible']);

    evidence.push(
      { check: 'codegen-consistent', status: 'pass', detail: 'make verify clean at 3f2c1a9', source: 'make verify', at: t(5) },
      { check: 'api-compatible', status: 'n/a', detail: 'no API change', source: 'diff', at: t(5) },
    );
    a = assessConfidence(evidence);
    expect(level(a, 'L1')).toMatchObject({ grade: 'high', score: 1, missing: [] });

    evidence.push({
      check: 'unit-tests',
      status: 'fail',
      detail: 'TestNotReadyMachinesAreCountedNotListed failed',
      source: 'go test ./hypershift-operator/controllers/nodepool/...',
      at: t(10),
    });
    a = assessConfidence(evidence);
    expect(level(a, 'L2').grade).toBe('low');
    expect(level(a, 'L2').failing).toEqual(['unit tests pass']);

    evidence.push(
      { check: 'unit-tests', status: 'pass', detail: '42 tests pass', source: 'go test ./...', at: t(20) },
      { check: 'new-code-covered', status: 'pass', detail: 'all 14 new lines covered', source: 'cover.out', at: t(20) },
      { check: 'ci-green', status: 'pass', detail: 'prow: 9/9 jobs green (1 known flake retried)', source: 'https://prow.example/pr/1', at: t(40) },
    );
    a = assessConfidence(evidence);
    expect(level(a, 'L2')).toMatchObject({ grade: 'medium', failing: [], missing: ['adjacent suites pass'] });
    expect(a.evidenceCount).toBe(8);
    expect(a.asOf).toEqual(t(40));

    evidence.push({ check: 'approved', status: 'pass', detail: 'approved by priya', source: 'GitHub review', at: t(50) });
    expect(level(assessConfidence(evidence), 'L4')).toMatchObject({ grade: 'medium', missing: ['a person paired on the core logic'] });
  });

  it('rejects evidence for a check that does not exist', () => {
    expect(() => assessConfidence([{ check: 'vibes' as 'ci-green', status: 'pass', detail: 'x', source: 'y', at: t(1) }])).toThrow();
  });
});

describe('renderers', () => {
  const a = assessConfidence([
    { check: 'codegen-consistent', status: 'pass', detail: 'make verify | clean', source: 'make verify', at: t(1) },
    { check: 'ci-green', status: 'fail', detail: 'e2e-aws failed: new signature', source: 'https://prow.example/job/7', at: t(2) },
  ]);

  it('PR description: one row per level with evidence and what is missing', () => {
    const md = renderConfidenceMarkdown(a);
    expect(md).toContain('| L1 structural | low'); // 1 of 4 checks backed
    expect(md).toContain('make verify \\| clean');
    expect(md).toContain('| L2 behavioural | low');
    expect(md).toMatch(/L4 human \| none .*a person paired on the core logic<br>approved by a reviewer/);
  });

  it('PR ready notification: levels, CI summary and suggested reviewers, escaped for Slack', () => {
    const text = renderPrReadyText({
      workItemKey: 'HOSTEDCP-2101',
      phaseTitle: 'API surface <conditions>',
      prUrl: 'https://github.com/openshift/hypershift/pull/9400',
      assessment: a,
      ci: { passed: 8, failed: 1, flakesRetried: 2, pending: 0 },
      suggestedReviewers: [{ id: 'enxebre', why: 'api-approvers' }],
    });
    expect(text).toContain('API surface &lt;conditions&gt;');
    expect(text).toContain('L2 behavioural: *low* — failing: CI green');
    expect(text).toContain('CI: 8 passed, 1 failed, 2 known flakes retried');
    expect(text).toContain('Suggested reviewers: enxebre (api-approvers)');
  });

  it('dashboard data has counts per level', () => {
    expect(confidenceSummary(a)[1]).toEqual({ level: 'L2', name: 'behavioural', grade: 'low', score: 0, missing: 3, failing: 1 });
  });
});
