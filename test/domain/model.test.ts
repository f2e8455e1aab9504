import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/contracts/failures.js';
import {
  loadDomainModel,
  loadOwnersIndex,
  loadTree,
  parseModels,
  readModelSources,
  referencedFiles,
  snapshotDir,
  verifyAgainstTree,
} from '../../src/domain/index.js';
import type { ModelSource } from '../../src/domain/index.js';

const sources = readModelSources();
// the pinned snapshot committed beside the models (domain-models/snapshot/tree.txt.gz)
const tree = loadTree();

function mutate(file: string, from: string, to: string): ModelSource[] {
  return sources.map((s) => {
    if (s.file !== file) return s;
    expect(s.text).toContain(from);
    return { file: s.file, text: s.text.replace(from, to) };
  });
}

function lineOf(text: string, needle: string): number {
  const idx = text.indexOf(needle);
  expect(idx).toBeGreaterThanOrEqual(0);
  return text.slice(0, idx).split('\n').length;
}

function parseError(srcs: ModelSource[]): string {
  try {
    parseModels(srcs);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected parseModels to fail');
}

describe('domain model files', () => {
  it('load and validate, with every part present', () => {
    const m = loadDomainModel();
    expect(m.lifecycle.states.map((s) => s.id)).toEqual(['Creating', 'Ready', 'Scaling', 'Upgrading', 'Deleting', 'Deleted']);
    expect(m.lifecycle.states.find((s) => s.id === 'Upgrading')?.strategies.map((s) => [s.id, s.capiObject])).toEqual([
      ['Replace', 'MachineDeployment'],
      ['InPlace', 'MachineSet'],
    ]);
    expect(m.matrix.platforms.map((p) => p.id).sort()).toEqual(['AWS', 'Agent', 'Azure', 'GCP', 'IBMCloud', 'KubeVirt', 'None', 'OpenStack', 'PowerVS']);
    expect(m.snapshot?.commit).toBe('3ee9615567acffaf3e3ee25c2ca2942d650565cf');
  });

  it('reports a dangling sub-state reference with file, line and path', () => {
    const lc = sources.find((s) => s.file === 'nodepool-lifecycle.yaml')!;
    const line = lineOf(lc.text, 'next: [DrainingOldNode]');
    const msg = parseError(mutate('nodepool-lifecycle.yaml', 'next: [DrainingOldNode]', 'next: [Drain]'));
    expect(msg).toBe(`nodepool-lifecycle.yaml:${line} states.Upgrading.substates[3].next: unknown state "Drain"`);
  });

  it('reports schema errors (unknown key, wrong type) at the line of the value', () => {
    const mx = sources.find((s) => s.file === 'platform-matrix.yaml')!;
    const line = lineOf(mx.text, 'typicalMinutes: 90');
    const msg = parseError(mutate('platform-matrix.yaml', 'typicalMinutes: 90', 'typicalMinutes: "ninety"'));
    expect(msg).toMatch(new RegExp(`^platform-matrix\\.yaml:${line} e2eSuites\\.TestNodePool\\.typicalMinutes: .*number`));
  });

  it('rejects a flow chain whose hops are not edges', () => {
    const fl = sources.find((s) => s.file === 'propagation-flows.yaml')!;
    const line = lineOf(fl.text, 'chain: [azure-machine, capi-machine, nodepool-conditions]');
    const msg = parseError(
      mutate('propagation-flows.yaml', 'chain: [azure-machine, capi-machine, nodepool-conditions]', 'chain: [azure-machine, nodepool-status]'),
    );
    expect(msg).toBe(`propagation-flows.yaml:${line} flows.provider-error-to-nodepool.chain: no edge from azure-machine to nodepool-status`);
  });
});

describe('model verify against the pinned tree', () => {
  it('passes on the real snapshot (29,460 paths)', () => {
    const report = verifyAgainstTree(loadDomainModel(), tree);
    expect(report.issues).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.treePaths).toBe(29460);
    expect(report.checked.refs).toBeGreaterThan(250);
  });

  it('fails with a precise message when a model references a path that is not in the tree', () => {
    const srcs = mutate(
      'platform-matrix.yaml',
      'builder: "hypershift-operator/controllers/nodepool/agent.go:11#agentMachineTemplate"',
      'builder: "hypershift-operator/controllers/nodepool/nodepool.go:11#agentMachineTemplate"',
    );
    const line = lineOf(srcs.find((s) => s.file === 'platform-matrix.yaml')!.text, 'nodepool/nodepool.go:11');
    const report = verifyAgainstTree(parseModels(srcs), tree);
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual([
      {
        kind: 'missing-path',
        file: 'platform-matrix.yaml',
        line,
        at: 'platforms.Agent.machineTemplate.builder',
        message: 'path "hypershift-operator/controllers/nodepool/nodepool.go" is not in the tree at 3ee9615',
      },
    ]);
  });

  it('flags names the old design draft invented, and lines past the end of a file', () => {
    const srcs = mutate(
      'nodepool-lifecycle.yaml',
      'capi.go:433#CAPI.reconcileMachineDeployment"\n          - "hypershift-operator/controllers/nodepool/capi.go:896',
      'capi.go:1999#CAPI.reconcileNodePoolDesiredState"\n          - "hypershift-operator/controllers/nodepool/capi.go:896',
    );
    const report = verifyAgainstTree(parseModels(srcs), tree);
    expect(report.issues.map((i) => [i.kind, i.at, i.message])).toEqual([
      [
        'line-out-of-range',
        'states.Creating.substates[3].code[0]',
        'hypershift-operator/controllers/nodepool/capi.go:1999 is past the end of the file (1480 lines)',
      ],
      [
        'banned-symbol',
        'states.Creating.substates[3].code[0]',
        '"reconcileNodePoolDesiredState" does not exist in HyperShift (listed in the snapshot\'s bannedSymbols)',
      ],
    ]);
  });

  it('flags a symbol whose line the model gets wrong, and one its file does not declare', () => {
    const srcs = mutate('nodepool-lifecycle.yaml', 'capi.go:433#CAPI.reconcileMachineDeployment"', 'capi.go:434#CAPI.reconcileMachineDeployment"');
    const srcs2 = srcs.map((s) =>
      s.file === 'nodepool-lifecycle.yaml'
        ? { ...s, text: s.text.replace('kubevirt.go:35#setKubevirtConditions"', 'kubevirt.go:35#setKubevirtCondition"') }
        : s,
    );
    const report = verifyAgainstTree(parseModels(srcs2), tree);
    expect(report.issues.map((i) => [i.kind, i.message])).toEqual([
      ['symbol-moved', 'symbol "CAPI.reconcileMachineDeployment" is declared at hypershift-operator/controllers/nodepool/capi.go:433 at 3ee9615, not line 434'],
      ['unknown-symbol', 'symbol "setKubevirtCondition" is not declared in hypershift-operator/controllers/nodepool/kubevirt.go at 3ee9615'],
    ]);
  });

  it('flags a condition constant its file does not declare', () => {
    const srcs = mutate('nodepool-lifecycle.yaml', '{const: NodePoolNotFoundReason,', '{const: NodePoolNotFoundErrorReason,');
    const report = verifyAgainstTree(parseModels(srcs), tree);
    expect(report.issues.map((i) => [i.kind, i.at, i.message])).toEqual([
      [
        'unknown-symbol',
        expect.stringMatching(/^conditionCatalog\[\d+\]\.const$/),
        'condition constant "NodePoolNotFoundErrorReason" is not declared in api/hypershift/v1beta1/nodepool_conditions.go at 3ee9615',
      ],
    ]);
  });
});

describe('the pinned snapshot in the repository', () => {
  const snap = loadDomainModel().snapshot!;

  it('pins a commit, lists every path of it, and covers every file the models reference', () => {
    expect(snap).toMatchObject({
      repo: 'github.com/openshift/hypershift',
      commit: '3ee9615567acffaf3e3ee25c2ca2942d650565cf',
      date: '2026-08-22T14:19:28+00:00',
      treePaths: 29460,
    });
    expect(tree).toHaveLength(snap.treePaths);
    expect(tree.filter((p) => !p.startsWith('vendor/'))).toHaveLength(13843);
    const files = referencedFiles(loadDomainModel());
    expect(files.filter((f) => snap.lineCounts[f] === undefined)).toEqual([]);
    expect(files.filter((f) => f.endsWith('.go') && !f.startsWith('vendor/') && !snap.declarations[f])).toEqual([]);
    expect(snap.lineCounts['hypershift-operator/controllers/nodepool/capi.go']).toBe(1480);
    expect(snap.declarations['hypershift-operator/controllers/nodepool/capi.go']).toMatchObject({
      'CAPI.reconcileMachineDeployment': 433,
      'CAPI.Reconcile': 89,
      newCAPI: 73,
    });
    expect(snap.bannedSymbols).toEqual(['CapacityError', 'machineAnnotations', 'reconcileNodePoolDesiredState']);
  });

  it('carries the OWNERS files Prow reads outside vendored code', () => {
    const owners = (dir: string, rel = ''): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? owners(`${dir}/${e.name}`, `${rel}${e.name}/`) : [`${rel}${e.name}`]));
    expect(owners(`${snapshotDir()}/owners`).sort()).toEqual(tree.filter((p) => /(^|\/)OWNERS(_ALIASES)?$/.test(p) && !p.split('/').includes('vendor')).sort());
    expect(
      loadOwnersIndex()
        .files.map((f) => f.dir)
        .sort(),
    ).toEqual(['', 'api', 'control-plane-operator/controllers/openshiftmanager', 'test/e2e']);
  });
});
