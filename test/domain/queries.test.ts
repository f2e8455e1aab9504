import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/contracts/failures.js';
import { explain, findPath, impactOf, loadDomainModel, loadOwnersIndex, newPlatformChecklist, platformVariations } from '../../src/domain/index.js';

const model = loadDomainModel();
const owners = loadOwnersIndex();

const CORE_APPROVERS = ['enxebre', 'csrwng', 'sjenning', 'muraee', 'bryan-cox', 'cblecker', 'jparrill', 'devguyio', 'clebs'];
const KUBEVIRT = ['nunnatsa', 'orenc1', 'awels', 'akalenyu', 'qinqon'];
const API_APPROVERS = ['enxebre', 'csrwng', 'sjenning', 'joelspeed', 'everettraven'];

describe('findPath', () => {
  it('gives the real chain from an Azure machine to NodePool conditions, with files and lossy hops', () => {
    const p = findPath(model, 'AzureMachine', 'NodePool conditions');
    expect([p.steps[0]!.from.name, ...p.steps.map((s) => s.to.name)]).toEqual(['AzureMachine', 'Machine', 'NodePool conditions']);
    expect(p.steps.map((s) => s.actor.id)).toEqual(['capi-core', 'nodepool-controller']);
    expect(p.steps[1]!.via).toEqual([
      'hypershift-operator/controllers/nodepool/conditions.go:634#setMachineAndNodeConditions',
      'hypershift-operator/controllers/nodepool/capi.go:1421#NodePoolReconciler.getMachinesForNodePool',
    ]);
    expect(p.lossyCount).toBe(2);
    // the counts-only route through MachineSet/MachineDeployment is offered as an alternative
    expect(p.alternatives.map((a) => a.map((s) => s.to.id))).toContainEqual(['capi-machine', 'machineset', 'machinedeployment', 'nodepool-conditions']);
  });

  it('accepts aliases in any spelling', () => {
    const a = findPath(model, 'azure machine', 'nodepool conditions');
    const b = findPath(model, 'AzureMachine', 'AllMachinesReady');
    expect(a.steps).toEqual(b.steps);
    expect(findPath(model, 'machine', 'nodepool status').steps.map((s) => s.to.id)).toEqual(['machineset', 'nodepool-status']);
  });

  it('rejects an unknown concept with suggestions', () => {
    expect(() => findPath(model, 'azure', 'NodePool conditions')).toThrow(UserError);
    expect(() => findPath(model, 'azure', 'NodePool conditions')).toThrow(/did you mean: AzureMachine/);
  });
});

describe('impactOf', () => {
  it('treats kubevirt.go as KubeVirt-specific and asks the kubevirt approvers', () => {
    const r = impactOf(model, ['hypershift-operator/controllers/nodepool/kubevirt.go'], { owners });
    expect(r.platforms).toEqual({ scope: 'platform-specific', affected: ['KubeVirt'], specific: ['KubeVirt'] });
    expect(r.components.map((c) => c.id)).toEqual(['nodepool-controller']);
    expect(r.reviewers?.approvers).toEqual([...CORE_APPROVERS, ...KUBEVIRT]);
    expect(r.reviewers?.reviewers).toEqual(expect.arrayContaining(KUBEVIRT));
    expect(r.reviewers?.labels).toEqual(['area/platform/kubevirt', 'area/hypershift-operator']);
    expect(r.e2e.suites.map((s) => s.id)).toEqual(['TestNodePool', 'NodePoolLifecycleV2', 'KubeVirtNodePoolTests']);
    expect(r.boundaryRules).toEqual(['nodepool-kubevirt-file-own-provider']);
  });

  it('asks only the api approvers for api/ (no_parent_owners)', () => {
    const r = impactOf(model, ['api/hypershift/v1beta1/nodepool_types.go'], { owners });
    expect(r.reviewers?.approvers).toEqual(API_APPROVERS);
    expect(r.reviewers?.files[0]?.ownersFiles).toEqual(['api/OWNERS']);
    expect(r.reviewers?.labels).toEqual(['area/api']);
    expect(r.platforms.scope).toBe('generic');
    expect(r.platforms.affected).toHaveLength(9);
    expect(r.invariants.map((i) => i.id)).toEqual(['max-unavailable', 'upgrade-type-immutable', 'platform-immutable']);
  });

  it('treats capi.go as generic: every platform with machine management, Upgrading invariants to re-check', () => {
    const r = impactOf(model, ['hypershift-operator/controllers/nodepool/capi.go']);
    expect(r.platforms.scope).toBe('generic');
    expect(r.platforms.affected).toEqual(['AWS', 'Azure', 'KubeVirt', 'OpenStack', 'PowerVS', 'Agent', 'GCP']);
    expect(r.states.map((s) => s.state)).toEqual(['Creating', 'Ready', 'Scaling', 'Upgrading', 'Deleting']);
    expect(r.invariants.map((i) => i.id)).toEqual([
      'max-unavailable',
      'new-ready-before-old-deleted',
      'drain-before-delete',
      'version-forward-only',
      'no-machines-without-automation',
      'paused-means-frozen',
    ]);
    expect(r.e2e.wallMinutes).toBe(90);
    expect(r.reviewers).toBeNull();
  });
});

describe('explain and platform questions', () => {
  it('explains a concept from its edges', () => {
    const e = explain(model, 'azure machine');
    expect(e.kind).toBe('concept');
    expect(e.title).toBe('AzureMachine');
    expect(e.sections.find((s) => s.heading === 'State goes to')?.items[0]).toMatch(/^Machine via Cluster API core controllers: .*\(lossy: /);
    expect(e.refs[0]).toBe('vendor/sigs.k8s.io/cluster-api-provider-azure/api/v1beta1/azuremachine_types.go');
  });

  it('explains a lifecycle state with its strategies and invariants', () => {
    const e = explain(model, 'Upgrading');
    expect(e.kind).toBe('state');
    expect(e.sections.find((s) => s.heading === 'Strategies')?.items.map((i) => i.split(':')[0])).toEqual([
      'Replace (MachineDeployment)',
      'InPlace (MachineSet)',
    ]);
    expect(e.sections.find((s) => s.heading === 'Invariants')?.items.map((i) => i.split(':')[0])).toContain('max-unavailable');
  });

  it('lists which sub-states behave differently on a platform', () => {
    const r = platformVariations(model, 'none');
    expect(r.platform.id).toBe('None');
    expect(r.variations.map((v) => `${v.state}:${v.substates.join(',')}`)).toEqual([
      'Creating:ApplyingMachineTemplate,ProvisioningMachines',
      'Upgrading:RollingOutTemplate,SurgingNewMachine,DeletingOldMachine,AnnotatingMachineSet',
      'Creating:ValidatingSpec',
    ]);
    expect(platformVariations(model, 'AWS').failureModes.map((f) => f.id)).toEqual(['aws-platform-config', 'aws-default-sg-not-ready']);
  });

  it('derives the new-platform checklist from steps, matrix columns and lifecycle variations', () => {
    const c = newPlatformChecklist(model);
    expect(c.items.filter((i) => i.source === 'steps').map((i) => i.id)).toEqual([
      'api-type',
      'provider-vendor',
      'machine-template',
      'infra-cluster',
      'conditions',
      'arch',
      'boundary-rule',
      'cli',
      'e2e-owners',
    ]);
    expect(c.items.filter((i) => i.source === 'matrix')).toHaveLength(7);
    expect(c.items.some((i) => i.source === 'lifecycle' && i.step.includes('ScaleFromZero'))).toBe(true);
  });
});
