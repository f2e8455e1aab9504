import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/contracts/failures.js';
import { run as check } from '../../src/cli/check.js';
import { run as model } from '../../src/cli/model.js';
import { loadTree } from '../../src/domain/index.js';

const fixtures = join(import.meta.dirname, '../fixtures/domain');
let out: string[] = [];

beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('sitroom model', () => {
  it('path prints the chain with the code on each hop', async () => {
    expect(await model(['path', 'AzureMachine', 'NodePool conditions'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('AzureMachine -> Machine -> NodePool conditions   (2 hops, 2 lossy)');
    expect(text).toContain('code:    hypershift-operator/controllers/nodepool/conditions.go:634#setMachineAndNodeConditions');
  });

  it('path --json is plain data with stable field names', async () => {
    expect(await model(['path', 'azure machine', 'nodepool conditions', '--json'])).toBe(0);
    const res = JSON.parse(out.join('\n')) as { steps: { from: { id: string }; to: { id: string }; lossy: boolean }[] };
    expect(res.steps.map((s) => [s.from.id, s.to.id, s.lossy])).toEqual([
      ['azure-machine', 'capi-machine', true],
      ['capi-machine', 'nodepool-conditions', true],
    ]);
  });

  it('impact --files names reviewers from the real OWNERS', async () => {
    expect(await model(['impact', '--files', 'hypershift-operator/controllers/nodepool/kubevirt.go', '--json'])).toBe(0);
    const res = JSON.parse(out.join('\n')) as { reviewers: { approvers: string[] }; platforms: { affected: string[] } };
    expect(res.reviewers.approvers).toEqual(expect.arrayContaining(['nunnatsa', 'orenc1', 'awels', 'akalenyu', 'qinqon']));
    expect(res.platforms.affected).toEqual(['KubeVirt']);
  });

  it('impact warns that a change to a machine template builder rolls every NodePool of its platform', async () => {
    expect(await model(['impact', '--files', 'hypershift-operator/controllers/nodepool/openstack.go'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(
      'rollout: every NodePool of OpenStack rolls if the change alters its machine template spec (the template name is a hash of the spec):',
    );
    expect(text).toContain(
      'OpenStack: hypershift-operator/controllers/nodepool/openstack.go -> hypershift-operator/controllers/nodepool/openstack.go:21#openstackMachineTemplate',
    );
    expect(text).toMatch(/^ {2}Upgrading \(RollingOutTemplate\)$/m);

    // the file that names every template (a hash of the builder's output) rolls every automated platform
    out = [];
    expect(await model(['impact', '--files', 'hypershift-operator/controllers/nodepool/capi.go', '--json'])).toBe(0);
    const capi = JSON.parse(out.join('\n')) as { rollouts: { platform: string }[] };
    expect(capi.rollouts.map((r) => r.platform)).toEqual(['AWS', 'Azure', 'KubeVirt', 'OpenStack', 'PowerVS', 'Agent', 'GCP']);

    // a platform file that builds no template rolls nothing
    out = [];
    expect(await model(['impact', '--files', 'hypershift-operator/controllers/nodepool/instancetype/aws/provider.go', '--json'])).toBe(0);
    expect((JSON.parse(out.join('\n')) as { rollouts: unknown[] }).rollouts).toEqual([]);
  });

  it('impact --diff reads the files of a diff', async () => {
    expect(await model(['impact', '--diff', join(fixtures, 'api-provider-import.diff')])).toBe(0);
    expect(out.join('\n')).toContain('approvers: enxebre, csrwng, sjenning, joelspeed, everettraven');
  });

  it('verify passes against the pinned snapshot in the repository, and against a plain tree listing', async () => {
    expect(await model(['verify'])).toBe(0);
    expect(out.join('\n')).toMatch(
      /^model verify: ok \(\d+ references, \d+ globs, \d+ symbols against 29460 paths; coverage (\d+)\/\1 platform × entry-kind cells\)$/,
    );
    out = [];
    const dir = mkdtempSync(join(tmpdir(), 'sitroom-tree-'));
    const listing = join(dir, 'tree.txt');
    writeFileSync(
      listing,
      loadTree()
        .filter((p) => p !== 'hypershift-operator/controllers/nodepool/agent.go')
        .join('\n'),
    );
    expect(await model(['verify', '--tree', listing])).toBe(1);
    expect(out.join('\n')).toContain('platform-matrix.yaml:');
    expect(out.join('\n')).toContain('path "hypershift-operator/controllers/nodepool/agent.go" is not in the tree at 3ee9615');
    rmSync(dir, { recursive: true, force: true });
  });

  it('platform new-checklist and platform <name> answer the platform questions', async () => {
    expect(await model(['platform', 'new-checklist'])).toBe(0);
    expect(out[0]).toMatch(/^ 1\. \[steps\] Add the PlatformType const/);
    out = [];
    expect(await model(['platform', 'kubevirt'])).toBe(0);
    expect(out.join('\n')).toContain('Creating / ValidatingSpec, ProvisioningMachines: boot image may be cached');
  });

  it('bad input is a UserError, not a crash', async () => {
    await expect(model(['path', 'NoSuchThing', 'Machine'])).rejects.toThrow(UserError);
    await expect(model(['impact'])).rejects.toThrow('model impact needs --files a,b or --diff FILE');
  });
});

describe('sitroom check', () => {
  it('exits 1 with rule id and file:line for a violating diff', async () => {
    expect(await check(['--diff', join(fixtures, 'cpo-provider-import.diff')])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/^check: 3 violations/);
    expect(text).toContain('control-plane-operator/controllers/hostedcontrolplane/v2/capi_provider/deployment.go:7 [cpo-no-provider-imports]');
    expect(text).toContain('instead: read what you need from the HostedControlPlane spec');
  });

  it('exits 0 on a clean diff', async () => {
    expect(await check(['--diff', join(fixtures, 'aws-like-real.diff')])).toBe(0);
    expect(out).toEqual(['check: ok (1 Go file, 14 added lines)']);
  });

  it('requires --diff', async () => {
    await expect(check([])).rejects.toThrow(UserError);
  });
});
