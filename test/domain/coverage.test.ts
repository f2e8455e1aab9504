// `sitroom model verify` holds every platform of the matrix to the same depth: a platform that lacks a kind
// of entry (a propagation hop, a round trip, a lifecycle variation, a failure mode, an e2e suite) is drift,
// reported at the platform's line like a broken reference.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as model } from '../../src/cli/model.js';
import { COVERAGE_KINDS, loadDomainModel, platformCoverage } from '../../src/domain/index.js';
import { repoRoot } from '../../src/paths.js';

let out: string[] = [];
let dirs: string[] = [];
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A copy of domain-models/ with text edits applied to one file (each edit must apply). */
function modelsWith(file: string, edits: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sitroom-coverage-'));
  dirs.push(dir);
  cpSync(join(repoRoot, 'domain-models'), dir, { recursive: true });
  let text = readFileSync(join(dir, file), 'utf8');
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.split(from).join(to);
  }
  writeFileSync(join(dir, file), text);
  return dir;
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('model verify: platform coverage', () => {
  it('covers every platform × every kind that applies to it in the committed model', async () => {
    expect(await model(['verify'])).toBe(0);
    expect(out.join('\n')).toMatch(/coverage 72\/72 platform × entry-kind cells\)$/);

    const report = platformCoverage(loadDomainModel());
    const automated = loadDomainModel()
      .matrix.platforms.filter((p) => p.machineTemplate)
      .map((p) => p.id);
    expect(automated).toEqual(['AWS', 'Azure', 'KubeVirt', 'OpenStack', 'PowerVS', 'Agent', 'GCP']);
    for (const p of automated) expect(report.cells.filter((c) => c.platform === p).map((c) => c.kind)).toEqual(COVERAGE_KINDS.map((k) => k.kind));
    for (const p of ['None', 'IBMCloud']) expect(report.cells.filter((c) => c.platform === p).map((c) => c.kind)).toEqual(['lifecycle-variation']);
    // HyperShift's own reads and writes of provider objects are part of the model, not hidden behind CAPI
    expect(report.directReads.map((d) => `${d.platform} ${d.from}>${d.to} ${d.via[0]}`)).toEqual([
      'AWS nodepool-spec>aws-machine hypershift-operator/controllers/nodepool/aws.go:402#CAPI.reconcileAWSMachines',
      'KubeVirt kubevirt-machine>nodepool-conditions hypershift-operator/controllers/nodepool/kubevirt.go:117#NodePoolReconciler.setAllMachinesLMCondition',
    ]);
  });

  it('fails when a platform loses its only failure mode, naming the platform and the missing kind at its line', async () => {
    const dir = modelsWith('nodepool-lifecycle.yaml', [
      ['platforms: [KubeVirt, OpenStack, PowerVS, Agent, GCP]', 'platforms: [KubeVirt, OpenStack, PowerVS, Agent]'],
    ]);
    expect(await model(['verify', '--models', dir])).toBe(1);
    const matrix = readFileSync(join(dir, 'platform-matrix.yaml'), 'utf8');
    const line = lineOf(matrix, 'constRef: "api/hypershift/v1beta1/hostedcluster_types.go#GCPPlatform"');
    expect(out.join('\n')).toBe(
      ['model verify: 1 problem', `platform-matrix.yaml:${line} platforms.GCP: platform GCP has no failure-mode entry: add a failure mode naming it`].join(
        '\n',
      ),
    );
  });

  it('fails when a platform has no hop from its machine template to its provider machine, and no round trip', async () => {
    const flows = readFileSync(join(repoRoot, 'domain-models', 'propagation-flows.yaml'), 'utf8');
    const edge = flows.split('\n').find((l) => l.includes('{from: kubevirt-machine-template, to: kubevirt-machine,'))!;
    const flowIds = ['kubevirt-roundtrip', 'kubevirt-live-migratable'].map((id) => {
      const start = flows.indexOf(`  - id: ${id}\n`);
      return flows.slice(start, flows.indexOf('\n  - id:', start + 1) + 1);
    });
    const dir = modelsWith('propagation-flows.yaml', [[`${edge}\n`, ''], ...flowIds.map((f): [string, string] => [f, ''])]);
    expect(await model(['verify', '--models', dir, '--json'])).toBe(1);
    const report = JSON.parse(out.join('\n')) as { issues: { kind: string; at: string; message: string }[] };
    expect(report.issues.map((i) => [i.kind, i.at, i.message.split(':')[0]])).toEqual([
      ['coverage-gap', 'platforms.KubeVirt', 'platform KubeVirt has no template-to-machine entry'],
      ['coverage-gap', 'platforms.KubeVirt', 'platform KubeVirt has no roundtrip-flow entry'],
    ]);
  });
});
