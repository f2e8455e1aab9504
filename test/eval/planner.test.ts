// The offline planner plans from the domain model when no recipe fits: grounded files, phases in the
// model's layering, invariants and approvers from the model, and what it cannot fill named as open.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { createAgent } from '../../src/agent/steps.js';
import { join } from 'node:path';

const teamRepo = join(repoRoot, 'examples', 'target-repo');
const { team } = loadConfig(teamRepo);
const agent = createAgent({ targetRepo: teamRepo, team, anthropic: {} });
const plan = async (intention: string) => {
  const r = await agent.plan({ workItemKey: 'HOSTEDCP-3001', intention });
  expect(r.needsModel).toBe(false);
  expect(r.plan, r.message).toBeDefined();
  return { ...r, plan: r.plan!, files: r.plan!.phases.flatMap((p) => p.files) };
};

describe('offline plans from the domain model', () => {
  it('puts the API surface first and platform code after generic code for an AWS API change', async () => {
    const r = await plan('Expose the EC2 placement tenancy through the NodePool API on AWS');
    const ids = r.plan.phases.map((p) => p.id);
    expect(ids[0]).toBe('api-surface');
    expect(ids).toContain('platform-aws');
    expect(ids.indexOf('controller')).toBeLessThan(ids.indexOf('platform-aws'));
    expect(r.plan.phases[0]!.validation.map((v) => v.command)).toEqual([team.codegen.api, team.codegen.verify]);
    expect(r.files).toContain('api/hypershift/v1beta1/aws.go');
    expect(r.files).toContain('hypershift-operator/controllers/nodepool/aws.go');
    expect(r.plan.phases.every((p, i) => p.mergeOrder === i + 1)).toBe(true);
    expect(r.message).toContain('grounded in the domain model');
  });

  it('resolves lifecycle words to the code the model cites for them', async () => {
    const r = await plan('In-place upgrades should respect maxUnavailable when selecting nodes to drain');
    expect(r.files).toContain('control-plane-operator/hostedclusterconfigoperator/controllers/inplaceupgrader/inplaceupgrader.go');
    const constraints = r.plan.phases.flatMap((p) => p.constraints).join('\n');
    expect(constraints).toContain('re-check invariant max-unavailable');
    expect(r.plan.phases.some((p) => p.validation.some((v) => v.command === team.codegen.test))).toBe(true);
  });

  it('finds a platform by the words only its matrix row uses', async () => {
    const r = await plan('Nova no valid host errors should be visible on the NodePool');
    expect(r.files.some((f) => /nodepool\/openstack(\.go|\/)/.test(f))).toBe(true);
    const kubevirt = await plan('Cache the boot image of KubeVirt VMs in the infra cluster');
    expect(kubevirt.files).toContain('hypershift-operator/controllers/nodepool/kubevirt/imagecacher.go');
    expect(kubevirt.plan.phases.some((p) => p.id === 'platform-kubevirt')).toBe(true);
  });

  it('names approvers from OWNERS and what is left open', async () => {
    const r = await plan('Scale from zero on Azure needs the instance type capacity annotations');
    expect(r.files).toContain('hypershift-operator/controllers/nodepool/instancetype/azure/provider.go');
    expect(r.plan.summary).toMatch(/Approvers \(OWNERS\): \S+/);
    expect(r.plan.summary).toContain('Open for the developer or Claude');
  });

  it('still plans, anchored on the NodePool controller, when the model knows none of the words', async () => {
    const r = await plan('Frobnicate the quux widget');
    expect(r.files).toEqual(['hypershift-operator/controllers/nodepool/nodepool_controller.go']);
    expect(r.message).toContain('not in the model');
    expect(r.message).toMatch(/frobnicat/);
  });

  it('keeps the recipe plan where a recipe matches', async () => {
    const r = await plan('NodePool should report capacity errors per platform');
    expect(r.plan.phases.map((p) => p.id)).toEqual(['api-surface', 'platform-bridge', 'nodepool-integration', 'docs-observability']);
  });
});
