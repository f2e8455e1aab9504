// How the offline planner resolves what an intention names when no recipe fits: package names the model
// does not cite (through the pinned snapshot's tree), concepts that live upstream (through the hops HyperShift
// performs on them), the API surface only when the intention asks for it, and platform code reached from the
// reconciler that dispatches to it. Driven through the agent, as `sitroom plan` and the eval harness use it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { createAgent } from '../../src/agent/steps.js';

const teamRepo = join(repoRoot, 'examples', 'target-repo');
const { team } = loadConfig(teamRepo);
const agent = createAgent({ targetRepo: teamRepo, team, anthropic: {} });
const plan = async (intention: string) => {
  const r = await agent.plan({ workItemKey: 'HOSTEDCP-3002', intention });
  expect(r.needsModel).toBe(false);
  expect(r.plan, r.message).toBeDefined();
  const phases = r.plan!.phases;
  return { ...r, phases, ids: phases.map((p) => p.id), files: phases.flatMap((p) => p.files) };
};

describe('offline planner: what an intention names', () => {
  it('resolves a package name written as two words against the snapshot tree, and leaves plain words alone', async () => {
    const r = await plan('Route shared ingress traffic through a second listener');
    expect(r.files).toContain('hypershift-operator/controllers/sharedingress/sharedingress_controller.go');
    expect(r.evidence.notes.some((n) => n.startsWith('file hypershift-operator/controllers/sharedingress/') && n.includes('sharedingress'))).toBe(true);

    // "network" is a package name too, but written as an ordinary word it names none
    const plain = await plan('Retry the network lookup when the subnet is missing');
    expect(plain.files.filter((f) => /(^|\/)network\//.test(f))).toEqual([]);
  });

  it('reaches a concept that lives upstream through the hops HyperShift performs on it', async () => {
    const r = await plan('Raise the MHC timeout for slow hosts');
    // MachineHealthCheck is Cluster API's; the NodePool controller creates it
    expect(r.files).toContain('hypershift-operator/controllers/nodepool/capi.go');
    expect(r.files.some((f) => f.startsWith('vendor/'))).toBe(false);
  });

  it('plans the API surface only when the intention asks for a type change', async () => {
    const fix = await plan('Skip the release image check when the annotation is present');
    expect(fix.ids).not.toContain('api-surface');
    expect(fix.files.filter((f) => f.startsWith('api/'))).toEqual([]);

    const option = await plan('Add a disk encryption set option to Azure NodePools');
    expect(option.ids[0]).toBe('api-surface');
    expect(option.phases[0]!.validation.map((v) => v.command)).toContain(team.codegen.api);
    expect(option.files).toContain('api/hypershift/v1beta1/azure.go');
  });

  it('does not pull a platform in on a word its row merely uses', async () => {
    // OpenStack's row and its reconcileOpenStackImageCR speak of images; the intention names no platform
    const r = await plan('Skip the release image check when the annotation is present');
    expect(r.ids.filter((id) => id.startsWith('platform-'))).toEqual([]);
  });

  it('names the reconciler that dispatches to platform code in the generic phase, before the platform phase', async () => {
    const r = await plan('Set the outbound load balancer on the Azure cluster');
    const azure = r.phases.find((p) => p.id === 'platform-azure');
    const generic = r.phases.find((p) => p.id === 'controller');
    expect(azure?.files).toContain('hypershift-operator/controllers/hostedcluster/internal/platform/azure/azure.go');
    expect(generic?.files).toContain('hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go');
    expect(r.ids.indexOf('controller')).toBeLessThan(r.ids.indexOf('platform-azure'));
  });

  it('anchors a component whose entry is its main.go on the reconciler the model cites', async () => {
    const r = await plan('Reconcile the control-plane-operator deployments in a stable order');
    expect(r.files).toContain('control-plane-operator/controllers/hostedcontrolplane/hostedcontrolplane_controller.go');
  });
});
