// The checks that read a phase branch's real change: API compatibility of api/ types, coverage of added lines
// from a coverage profile, version skew from the domain model, the calibration table's verdict and overlap.
import { describe, expect, it } from 'vitest';
import { apiCompatibility } from '../../src/confidence/api-compat.js';
import { changedLineCoverage } from '../../src/confidence/changed-coverage.js';
import { evidenceFromPatterns, evidenceFromSkew } from '../../src/confidence/change-evidence.js';
import { calibrationTable, levelCalibration, type MergedChangeRecord } from '../../src/confidence/calibration.js';
import { describeOverlap, footprintOf, overlapOf } from '../../src/confidence/overlap.js';
import { apiCompatibility as compat } from '../../src/confidence/api-compat.js';
import { impactOf } from '../../src/domain/index.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';

const typesFile = 'api/hypershift/v1beta1/nodepool_types.go';
const before = `package v1beta1

// NodePoolSpec is the desired state.
type NodePoolSpec struct {
	// +kubebuilder:validation:MaxLength=255
	// +optional
	ClusterName string \`json:"clusterName,omitempty"\`
	// +optional
	Replicas *int32 \`json:"replicas,omitempty"\`
	// +kubebuilder:validation:Enum=Replace;InPlace
	UpgradeType string \`json:"upgradeType"\`
	Subnet string \`json:"subnet,omitempty"\`
	Arch string \`json:"arch,omitempty"\`
}
`;

/** A unified diff of one file from its two versions, the way git prints it (one hunk covering the whole file). */
function diffOf(path: string, a: string, b: string): string {
  const old = a.split('\n');
  const now = b.split('\n');
  return [
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -1,${old.length} +1,${now.length} @@`,
    ...old.map((l) => `-${l}`),
    ...now.map((l) => `+${l}`),
  ].join('\n');
}

function check(after: string, path = typesFile) {
  return apiCompatibility({
    diff: diffOf(path, before, after),
    before: (p) => (p === path ? before : undefined),
    after: (p) => (p === path ? after : undefined),
  });
}

describe('API compatibility', () => {
  it('calls an added optional field additive and nothing breaking', () => {
    const r = check(before.replace('\tArch string', '\t// +optional\n\tLabels map[string]string `json:"labels,omitempty"`\n\tArch string'));
    expect(r.breaking).toEqual([]);
    expect(r.added).toEqual(['NodePoolSpec.Labels']);
  });

  it('finds a removed exported field, with its file and line', () => {
    const r = check(before.replace('\tSubnet string `json:"subnet,omitempty"`\n', ''));
    expect(r.breaking).toEqual([
      { kind: 'removed-field', subject: 'NodePoolSpec.Subnet', detail: 'removed exported field NodePoolSpec.Subnet', file: typesFile, line: 12 },
    ]);
  });

  it('tells a rename (same JSON name) from a removal, and reports changed JSON names and types', () => {
    expect(check(before.replace('Subnet string `json:"subnet', 'SubnetID string `json:"subnet')).breaking.map((b) => b.detail)).toEqual([
      'renamed exported field NodePoolSpec.Subnet to NodePoolSpec.SubnetID',
    ]);
    expect(check(before.replace('json:"arch,omitempty"', 'json:"architecture,omitempty"')).breaking.map((b) => b.detail)).toEqual([
      'changed the JSON name of NodePoolSpec.Arch from "arch" to "architecture"',
    ]);
    expect(check(before.replace('Replicas *int32', 'Replicas *int64')).breaking.map((b) => b.kind)).toEqual(['type-changed']);
  });

  it('finds narrowed validation and a field becoming required; widening is not breaking', () => {
    expect(check(before.replace('MaxLength=255', 'MaxLength=63')).breaking.map((b) => b.detail)).toEqual([
      'narrowed validation of NodePoolSpec.ClusterName: MaxLength 255 → 63',
    ]);
    expect(check(before.replace('MaxLength=255', 'MaxLength=1024')).breaking).toEqual([]);
    expect(check(before.replace('Enum=Replace;InPlace', 'Enum=Replace')).breaking.map((b) => b.detail)).toEqual([
      'narrowed validation of NodePoolSpec.UpgradeType: Enum no longer accepts "InPlace"',
    ]);
    expect(check(before.replace('Enum=Replace;InPlace', 'Enum=Replace;InPlace;Recreate')).breaking).toEqual([]);
    expect(check(before.replace('\t// +optional\n\tReplicas', '\t// +required\n\tReplicas')).breaking.map((b) => b.kind)).toEqual(['became-required']);
  });

  it('ignores tests and generated files under api/', () => {
    const r = compat({
      diff: diffOf('api/hypershift/v1beta1/zz_generated.deepcopy.go', before, 'package v1beta1\n'),
      before: () => before,
      after: () => 'package v1beta1\n',
    });
    expect(r).toEqual({ files: [], breaking: [], added: [] });
  });
});

describe('coverage of added lines', () => {
  const file = 'api/hypershift/v1beta1/nodepool_status.go';
  const source = ['package v1beta1', '', 'func IsTrue(s string) bool {', '\tif s == "" {', '\t\treturn false', '\t}', '\treturn s == "True"', '}', ''].join(
    '\n',
  );
  const diff = [
    `diff --git a/${file} b/${file}`,
    'new file mode 100644',
    '--- /dev/null',
    `+++ b/${file}`,
    '@@ -0,0 +1,8 @@',
    ...source
      .split('\n')
      .slice(0, 8)
      .map((l) => `+${l}`),
  ].join('\n');
  // As `go test -coverprofile` writes it for this file when only the non-empty case ran.
  const profile = [
    'mode: set',
    'example.com/repo/api/hypershift/v1beta1/nodepool_status.go:3.28,4.13 1 1',
    'example.com/repo/api/hypershift/v1beta1/nodepool_status.go:4.13,6.3 1 0',
    'example.com/repo/api/hypershift/v1beta1/nodepool_status.go:7.2,7.20 1 1',
  ].join('\n');

  it('counts added statement lines that ran, and names the ones that did not', () => {
    expect(changedLineCoverage(diff, profile, 'example.com/repo')).toEqual({ coverable: 5, covered: 3, uncovered: [`${file}:5-6`] });
  });

  it('has nothing to count when the profile has no block for the file', () => {
    expect(changedLineCoverage(diff, 'mode: set\n', 'example.com/repo')).toEqual({ coverable: 0, covered: 0, uncovered: [] });
  });
});

describe('version skew from the model', () => {
  const { model } = createDomainInsight();
  const at = new Date('2026-11-30T12:00:00Z');

  it('fails an API change that components one version apart cannot read, passes a compatible one', () => {
    const files = [typesFile];
    const broken = check(before.replace('\tSubnet string `json:"subnet,omitempty"`\n', ''));
    expect(evidenceFromSkew({ model, impact: impactOf(model, files), api: broken, at })).toEqual([
      expect.objectContaining({ check: 'version-skew', status: 'fail' }),
    ]);
    const fine = check(before.replace('\tArch string', '\t// +optional\n\tZone string `json:"zone,omitempty"`\n\tArch string'));
    expect(evidenceFromSkew({ model, impact: impactOf(model, files), api: fine, at })).toEqual([
      expect.objectContaining({ check: 'version-skew', status: 'pass' }),
    ]);
  });

  it('leaves the check missing when the code enforcing the skew rule changes without a test that exercises it', () => {
    const files = ['hypershift-operator/controllers/nodepool/version.go'];
    expect(evidenceFromSkew({ model, impact: impactOf(model, files), diff: '', at })).toEqual([]);
    expect(evidenceFromSkew({ model, impact: impactOf(model, ['docs/index.md']), at })).toEqual([]);
  });
});

describe('calibration drives what is shown', () => {
  const records = (grade: 'high' | 'medium', merged: number, fixed: number): MergedChangeRecord[] =>
    Array.from({ length: merged }, (_, i) => ({ prUrl: `pr-${grade}-${i}`, grades: { L1: grade }, outcomes: i < fixed ? [{ kind: 'revert' as const }] : [] }));

  it('marks a grade whose merges needed fixes more often than it promises', () => {
    const rows = calibrationTable([...records('high', 6, 3), ...records('medium', 6, 0)]);
    const c = levelCalibration(rows, 'L1', 'high');
    expect(c.miscalibrated).toBe(true);
    expect(c.note).toBe('miscalibrated: L1 high promises fixes in at most 10% of merges; 3 of 6 (50%) needed one');
    expect(levelCalibration(rows, 'L1', 'medium')).toEqual({ note: 'before: 0 of 6 merged at medium needed a fix', miscalibrated: false });
  });

  it('says nothing is wrong with too few merges to tell', () => {
    expect(levelCalibration(calibrationTable(records('high', 2, 2)), 'L1', 'high')).toEqual({
      note: 'before: 2 of 2 merged at high needed a fix',
      miscalibrated: false,
    });
  });
});

describe('overlap', () => {
  const { model } = createDomainInsight();
  const item = (key: string, files: string[]) => footprintOf(model, { workItemKey: key, ownerId: key, files });

  it('names shared files; same component with different files and invariants is no overlap', () => {
    const a = item('A', ['api/hypershift/v1beta1/nodepool_conditions.go', 'api/hypershift/v1beta1/a_test.go']);
    const b = item('B', ['api/hypershift/v1beta1/nodepool_conditions.go', 'api/hypershift/v1beta1/b_test.go']);
    const c = item('C', [typesFile]);
    expect(describeOverlap(overlapOf(a, b)!)).toEqual([
      'api/hypershift/v1beta1/nodepool_conditions.go',
      expect.stringMatching(/^invariant conditions-summarise: /),
    ]);
    expect(overlapOf(a, c)).toBeUndefined();
  });

  it('names a shared invariant when the files differ', () => {
    const a = item('A', ['api/hypershift/v1beta1/nodepool_conditions.go']);
    const d = item('D', ['hypershift-operator/controllers/nodepool/conditions.go']);
    expect(overlapOf(a, d)).toEqual({ files: [], invariants: [expect.objectContaining({ id: 'conditions-summarise' })] });
  });
});

describe('follows a curated pattern, whoever wrote the change', () => {
  const at = new Date('2026-11-30T12:00:00Z');
  const pattern = {
    id: 'nodepool-condition-type',
    state: 'approved',
    applicability: { files: ['api/hypershift/v1beta1/nodepool_conditions.go', 'hypershift-operator/controllers/nodepool/**'] },
    references: [
      'api/hypershift/v1beta1/nodepool_conditions.go',
      'api/hypershift/v1beta1/zz_generated.conditions.go',
      'hypershift-operator/controllers/nodepool/conditions.go#setMachineConditions',
    ],
  };
  const conditions = 'api/hypershift/v1beta1/nodepool_conditions.go';
  const generated = 'api/hypershift/v1beta1/zz_generated.conditions.go';

  it('passes a hand-written change that keeps the source and its generated companion together', () => {
    expect(evidenceFromPatterns([conditions, generated, 'api/hypershift/v1beta1/x_test.go'], [pattern], at)).toEqual([
      expect.objectContaining({
        check: 'pattern-match',
        status: 'pass',
        detail: `follows pattern "nodepool-condition-type" (${conditions}, ${generated} changed together)`,
      }),
    ]);
  });

  it('does not call a change that leaves the companion behind, or one outside the pattern, a match', () => {
    expect(evidenceFromPatterns([conditions], [pattern], at)).toEqual([]);
    expect(evidenceFromPatterns([typesFile], [pattern], at)).toEqual([]);
    expect(evidenceFromPatterns([conditions, generated], [{ ...pattern, state: 'draft' }], at)).toEqual([]);
  });
});
