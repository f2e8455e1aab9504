// The case builder on a small history: data-plane merges in the window become cases with the PR
// number, title, Jira key and the files split into source, tests and generated.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDomainModel } from '../../src/domain/index.js';
import { buildCases, classifyFile, dataPlanePaths, jiraKeyOf } from '../../src/eval/cases.js';
import { makeHistory } from './history.js';

const repo = makeHistory();
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('eval cases', () => {
  it('keeps the data-plane merges of the window, with their files split by kind', async () => {
    const built = await buildCases(repo, loadDomainModel(), { since: '2024-01-01', until: '2025-06-01' });
    // #103 touched only the CPO main.go (not data plane); #104 merged after the window.
    expect(built.merges).toBe(3);
    expect(built.set.cases.map((c) => c.pr)).toEqual([101, 102]);
    const [aws, api] = built.set.cases;
    expect(aws).toMatchObject({
      title: 'OCPBUGS-1111: AWS: set the AMI on NodePool machine templates',
      jira: 'OCPBUGS-1111',
      files: { source: ['hypershift-operator/controllers/nodepool/aws.go'], tests: ['hypershift-operator/controllers/nodepool/aws_test.go'], generated: [] },
    });
    expect(api!.files).toEqual({
      source: ['api/hypershift/v1beta1/nodepool_types.go', 'hypershift-operator/controllers/nodepool/capi.go'],
      tests: [],
      generated: ['api/hypershift/v1beta1/zz_generated.deepcopy.go', 'docs/content/reference/api.md'],
    });
    expect(api!.jira).toBe('HOSTEDCP-2222');
  });

  it('classifies files and reads Jira keys', () => {
    expect(classifyFile('vendor/x/y.go')).toBe('other');
    expect(classifyFile('test/e2e/nodepool_test.go')).toBe('tests');
    expect(classifyFile('api/hypershift/v1beta1/zz_generated.deepcopy.go')).toBe('generated');
    expect(classifyFile('Makefile')).toBe('other');
    expect(jiraKeyOf('NO-JIRA: bump CVE-2024-1234')).toBeUndefined();
    expect(jiraKeyOf('OCPBUGS-44655,OCPBUGS-43083: Fix IPv6')).toBe('OCPBUGS-44655');
  });

  it('derives the data-plane paths from the model, without vendor', () => {
    const globs = dataPlanePaths(loadDomainModel());
    expect(globs).toContain('hypershift-operator/controllers/nodepool/**');
    expect(globs.some((g) => g.startsWith('vendor/'))).toBe(false);
  });

  it('rejects a malformed date', async () => {
    await expect(buildCases(repo, loadDomainModel(), { since: '2024/01/01', until: '2025-06-01' })).rejects.toThrow(/--since "2024\/01\/01" must be a date/);
  });
});
