import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDiff, loadDomainModel, parseGoImports, parseUnifiedDiff, scanRepo, verifyAgainstTree } from '../../src/domain/index.js';
import { buildOwnersIndex, suggestReviewers } from '../../src/domain/index.js';

const model = loadDomainModel();
const fixtures = join(import.meta.dirname, '../fixtures/domain');
const diff = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const brief = (r: ReturnType<typeof checkDiff>): string[] => r.violations.map((v) => `${v.file}:${v.line} ${v.ruleId}`);

describe('checkDiff boundary rules', () => {
  it('flags a provider import (and its use) added to api/', () => {
    const r = checkDiff(model, diff('api-provider-import.diff'));
    expect(r.ok).toBe(false);
    expect(brief(r)).toEqual([
      'api/hypershift/v1beta1/nodepool_types.go:6 api-no-cluster-api',
      'api/hypershift/v1beta1/nodepool_types.go:125 api-no-cluster-api',
    ]);
    expect(r.violations[0]!.found).toBe('sigs.k8s.io/cluster-api-provider-aws/v2/api/v1beta2');
    expect(r.violations[0]!.insteadDo).toMatch(/api\/ibmcapi\/types\.go/);
  });

  it('flags a provider import and a hand-built client in a CPO v2 component', () => {
    const r = checkDiff(model, diff('cpo-provider-import.diff'));
    expect(brief(r)).toEqual([
      'control-plane-operator/controllers/hostedcontrolplane/v2/capi_provider/deployment.go:7 cpo-no-provider-imports',
      'control-plane-operator/controllers/hostedcontrolplane/v2/capi_provider/deployment.go:24 cpo-v2-reader-only',
      'control-plane-operator/controllers/hostedcontrolplane/v2/capi_provider/deployment.go:25 cpo-no-provider-imports',
    ]);
  });

  it('stays silent on a change to nodepool/aws.go written the way the real code is', () => {
    const r = checkDiff(model, diff('aws-like-real.diff'));
    expect(r.violations).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.addedLines).toBe(14);
  });

  it('flags another platform provider imported into a platform file', () => {
    const d = diff('aws-like-real.diff').replace(
      '+\tcapiv1 "sigs.k8s.io/cluster-api/api/core/v1beta1"',
      '+\tcapiazure "sigs.k8s.io/cluster-api-provider-azure/api/v1beta1"',
    );
    expect(brief(checkDiff(model, d))).toEqual(['hypershift-operator/controllers/nodepool/aws.go:13 nodepool-aws-file-own-provider']);
  });
});

describe('checkDiff conventions', () => {
  it('flags non-CamelCase reasons, inline literals and messages that list every machine', () => {
    const r = checkDiff(model, diff('conventions.diff'));
    expect(brief(r)).toEqual([
      'api/hypershift/v1beta1/nodepool_conditions.go:142 condition-value-camelcase',
      'hypershift-operator/controllers/nodepool/conditions.go:704 condition-message-summarise',
      'hypershift-operator/controllers/nodepool/conditions.go:709 condition-literal-not-const',
      'hypershift-operator/controllers/nodepool/conditions.go:710 condition-message-summarise',
    ]);
    expect(r.violations[0]!.message).toBe('NodePoolCapacityExhaustedReason = "capacity exhausted": condition types and reasons must be CamelCase');
  });

  it('uses the post-image from --repo to see condition literals that open outside the hunk', () => {
    const post = [
      'package nodepool',
      '',
      'func f() {',
      '\tc := hyperv1.NodePoolCondition{',
      '\t\tType: hyperv1.NodePoolReadyConditionType,',
      '\t\tReason: "not ready",',
      '\t}',
      '\t_ = c',
      '}',
      '',
    ].join('\n');
    const d = [
      '--- a/hypershift-operator/controllers/nodepool/x.go',
      '+++ b/hypershift-operator/controllers/nodepool/x.go',
      '@@ -5,2 +5,2 @@',
      ' \t\tType: hyperv1.NodePoolReadyConditionType,',
      '-\t\tReason: hyperv1.AsExpectedReason,',
      '+\t\tReason: "not ready",',
      '',
    ].join('\n');
    expect(brief(checkDiff(model, d))).toEqual([]);
    expect(brief(checkDiff(model, d, { fileContents: { 'hypershift-operator/controllers/nodepool/x.go': post } }))).toEqual([
      'hypershift-operator/controllers/nodepool/x.go:6 condition-literal-not-const',
    ]);
  });
});

describe('diff, Go imports and verify --repo', () => {
  it('parses git diffs including new and deleted files', () => {
    const files = parseUnifiedDiff(
      [
        'diff --git a/a.go b/a.go',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/a.go',
        '@@ -0,0 +1,2 @@',
        '+package a',
        '+',
        'diff --git a/b.go b/b.go',
        'deleted file mode 100644',
        '--- a/b.go',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-package b',
        '',
      ].join('\n'),
    );
    expect(files.map((f) => [f.path, f.status, f.hunks[0]?.lines.length])).toEqual([
      ['a.go', 'added', 2],
      ['b.go', 'deleted', 1],
    ]);
  });

  it('reads import blocks with aliases and comments', () => {
    const g = parseGoImports('x.go', readFileSync(join(fixtures, 'repo/api/hypershift/v1beta1/extra_types.go'), 'utf8'));
    expect(g.imports).toEqual([
      { path: 'fmt', line: 4 },
      { path: 'sigs.k8s.io/cluster-api/api/core/v1beta1', alias: 'capiv1', line: 7 },
    ]);
  });

  it('finds boundary violations in a checkout, and only there', () => {
    const scan = scanRepo(join(fixtures, 'repo'));
    const report = verifyAgainstTree(model, scan.paths, { goFiles: scan.goFiles });
    const boundary = report.issues.filter((i) => i.kind === 'boundary-violation');
    expect(boundary.map((i) => `${i.file}:${i.line} ${i.at}`)).toEqual(['api/hypershift/v1beta1/extra_types.go:7 api-no-cluster-api']);
    expect(report.checked.goFiles).toBe(2);
  });
});

describe('OWNERS parsing', () => {
  it('applies every matching filter up the tree, expands aliases and stops at no_parent_owners', () => {
    const idx = buildOwnersIndex([
      { path: 'OWNERS_ALIASES', text: 'aliases:\n  team: [alice, Bob]\n' },
      { path: 'OWNERS', text: 'filters:\n  ".*":\n    approvers: [root]\n  "^pkg/.*_test\\\\.go$":\n    reviewers: [tester]\n' },
      { path: 'pkg/OWNERS', text: 'approvers: [team]\nreviewers: [bob]\n' },
      { path: 'sealed/OWNERS', text: 'options:\n  no_parent_owners: true\napprovers: [carol]\n' },
    ]);
    const r = suggestReviewers(idx, ['pkg/a_test.go', 'sealed/x.go']);
    expect(r.files[0]).toMatchObject({ approvers: ['alice', 'Bob', 'root'], reviewers: ['bob', 'tester'], ownersFiles: ['pkg/OWNERS', 'OWNERS'] });
    expect(r.files[1]).toMatchObject({ approvers: ['carol'], reviewers: ['carol'], reviewersFromApprovers: true, ownersFiles: ['sealed/OWNERS'] });
  });
});
