// The offline `sitroom ask` routes a question by the names the domain model gives its nodes, not by its
// phrasing. Each row is asked through the command as the README writes it (`sitroom ask --json "…"`),
// and every reference an answer cites must resolve in the pinned HyperShift snapshot.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as ask } from '../../src/cli/ask.js';
import { findDeclaration, indexTree, loadDomainModel, loadTree } from '../../src/domain/index.js';
import { parseRef } from '../../src/domain/schema.js';
import { repoRoot } from '../../src/paths.js';

type Kind = 'new-platform-checklist' | 'impact' | 'path' | 'lifecycle' | 'platform' | 'explain' | 'needs-model';

/** question, the kind of answer the model must give, the platform the question is about (its id must be in the answer) */
const table: [string, Kind, string | undefined][] = [
  ['What must a new platform implement to support NodePools?', 'new-platform-checklist', undefined],
  ['We want to add a provider for Nutanix: what is the checklist?', 'new-platform-checklist', undefined],
  ['Replace upgrade on AWS', 'lifecycle', 'AWS'],
  ['How does an in-place upgrade work on Azure?', 'lifecycle', 'Azure'],
  ['What happens during a Replace rollout on KubeVirt?', 'lifecycle', 'KubeVirt'],
  ['Walk me through InPlace updates for OpenStack NodePools', 'lifecycle', 'OpenStack'],
  ['How does scaling work on PowerVS?', 'lifecycle', 'PowerVS'],
  ['scale from zero on GCP', 'lifecycle', 'GCP'],
  ['What happens when an Agent NodePool is deleted?', 'lifecycle', 'Agent'],
  ['How is a None platform NodePool created?', 'lifecycle', 'None'],
  ['How are IBM Cloud NodePools upgraded?', 'lifecycle', 'IBMCloud'],
  ['What does deletion of a KubeVirt NodePool clean up?', 'lifecycle', 'KubeVirt'],
  ['Which arch can a PowerVS NodePool use when creating?', 'lifecycle', 'PowerVS'],
  ['What can go wrong while provisioning on AWS?', 'lifecycle', 'AWS'],
  ['How does an AzureMachine error reach the NodePool conditions?', 'path', 'Azure'],
  ['show me the error propagation path from an Azure machine to NodePool conditions', 'path', 'Azure'],
  ['How does an OpenStack machine failure reach the NodePool?', 'path', 'OpenStack'],
  ['how does a kubevirt VM failure reach nodepool conditions', 'path', 'KubeVirt'],
  ['path from the NodePool spec to the GCP machine', 'path', 'GCP'],
  ['How does a PowerVS machine error surface on the NodePool?', 'path', 'PowerVS'],
  ['How does the AgentMachine state get to NodePool conditions?', 'path', 'Agent'],
  ['How does the NodePool spec become an AWSMachine?', 'path', 'AWS'],
  ['From KubevirtMachine to AllMachinesReady', 'path', 'KubeVirt'],
  ['How do MachineDeployment counts reach NodePool status?', 'path', undefined],
  ['What does the AWS platform look like?', 'platform', 'AWS'],
  ['How does KubeVirt differ from other platforms?', 'platform', 'KubeVirt'],
  ['Tell me about OpenStack', 'platform', 'OpenStack'],
  ['What is special about PowerVS?', 'platform', 'PowerVS'],
  ['GCP platform quirks', 'platform', 'GCP'],
  ['Agent platform: what is different?', 'platform', 'Agent'],
  ['What does IBM Cloud support for NodePools?', 'platform', 'IBMCloud'],
  ['azure', 'platform', 'Azure'],
  ['capk', 'platform', 'KubeVirt'],
  ['What does the None platform do?', 'platform', 'None'],
  ["What does KubeVirt's live-migratable condition come from?", 'explain', 'KubeVirt'],
  ['Which CAPI v1beta2 status fields does HyperShift read?', 'explain', undefined],
  ['What is the MachineSet in-place annotation?', 'explain', undefined],
  ['Explain the hcco component', 'explain', undefined],
  ['What does the NodePool controller own?', 'explain', undefined],
  ['What is AllMachinesReady?', 'explain', undefined],
  ['What does ValidPlatformImage mean on OpenStack?', 'explain', 'OpenStack'],
  ['What is the drain-blocked failure mode?', 'explain', undefined],
  ['explain the max-unavailable invariant', 'explain', undefined],
  ['What does AWSSecurityGroupAvailable mean?', 'explain', 'AWS'],
  ['What is the ignition payload?', 'explain', undefined],
  ['What is an IBMPowerVSMachineTemplate?', 'explain', 'PowerVS'],
  ['What is a GCPMachine?', 'explain', 'GCP'],
  ['What is the AgentMachineTemplate?', 'explain', 'Agent'],
  ['What is ScaleFromZero?', 'lifecycle', undefined],
  ['What is impacted if I change hypershift-operator/controllers/nodepool/gcp.go?', 'impact', 'GCP'],
  ['impact of editing hypershift-operator/controllers/nodepool/kubevirt.go', 'impact', 'KubeVirt'],
  ['What breaks when hypershift-operator/controllers/nodepool/capi.go changes?', 'impact', undefined],
  ['blast radius of hypershift-operator/controllers/nodepool/azure.go and api/hypershift/v1beta1/nodepool_types.go', 'impact', 'Azure'],
  ['Who should review control-plane-operator/hostedclusterconfigoperator/controllers/inplaceupgrader/inplaceupgrader.go?', 'impact', undefined],
  ['If I touch hypershift-operator/controllers/nodepool/powervs.go, what rolls?', 'impact', 'PowerVS'],
  ['changing hypershift-operator/controllers/nodepool/agent.go', 'impact', 'Agent'],
  ['I edit hypershift-operator/controllers/nodepool/openstack.go', 'impact', 'OpenStack'],
  ['changes to hypershift-operator/controllers/nodepool/aws.go', 'impact', 'AWS'],
  ['What is the weather in Paris?', 'needs-model', undefined],
  ['zzz qqq xyzzy', 'needs-model', undefined],
  ['What does api/v1beta2/nothing.go do?', 'needs-model', undefined],
  ['Which boundary rule stops the CPO importing providers?', 'explain', undefined],
  ['Why does OpenStack have ValidMachineTemplate failures?', 'explain', 'OpenStack'],
  ['Does a quota error on GCP reach the NodePool?', 'platform', 'GCP'],
  ['What happens on AWS when the default security group is missing?', 'explain', 'AWS'],
];

const targetRepo = join(repoRoot, 'examples', 'target-repo');
const model = loadDomainModel();
const snapshot = model.snapshot!;
const tree = indexTree(loadTree());

interface Asked {
  code: number;
  text: string;
  kind?: string;
  needsModel: boolean;
  citations: { node: string; ref?: string }[];
}

let printed: string[] = [];
const savedKey = process.env['ANTHROPIC_API_KEY'];
beforeAll(() => {
  delete process.env['ANTHROPIC_API_KEY']; // the offline agent, as on a machine without a key
});
afterAll(() => {
  if (savedKey !== undefined) process.env['ANTHROPIC_API_KEY'] = savedKey;
});
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function askJson(question: string): Promise<Asked> {
  printed = [];
  const code = await ask(['--repo', targetRepo, '--json', question]);
  return { code, ...(JSON.parse(printed.join('\n')) as Omit<Asked, 'code'>) };
}

/** Why a HyperShift reference does not resolve at the pin, or undefined when it does. */
function unresolved(ref: string): string | undefined {
  const { path, line, symbol } = parseRef(ref);
  const p = path.replace(/\/$/, '');
  if (!tree.files.has(p) && !tree.dirs.has(p)) return `${ref}: ${p} is not in the tree`;
  const lines = snapshot.lineCounts[p];
  if (line !== undefined && (lines === undefined || line > lines)) return `${ref}: line ${line} is past the end (${lines ?? 'unknown'} lines)`;
  if (symbol && !p.startsWith('vendor/')) {
    const decls = snapshot.declarations[p];
    const at = decls ? findDeclaration(decls, symbol, line) : undefined;
    if (at === undefined) return `${ref}: ${symbol} is not declared in ${p}`;
    if (line !== undefined && at !== line) return `${ref}: ${symbol} is declared at line ${at}`;
  }
  return undefined;
}

describe('sitroom ask offline: routed by the model, cited from the snapshot', () => {
  it('has at least 60 phrasings and asks about every platform in the matrix', () => {
    expect(table.length).toBeGreaterThanOrEqual(60);
    const asked = new Set(table.map(([, , platform]) => platform).filter(Boolean));
    expect([...asked].sort()).toEqual(model.matrix.platforms.map((p) => p.id).sort());
  });

  it.each(table)('%s -> %s', async (question, kind, platform) => {
    const r = await askJson(question);
    expect(r.kind).toBe(kind);
    if (kind === 'needs-model') {
      expect(r.needsModel).toBe(true);
      expect(r.code).toBe(3);
      // it says what it looked for, not only that it needs a model
      expect(r.text).toMatch(/The domain model has no answer to this\. In the question it found/);
      return;
    }
    expect(r.code).toBe(0);
    if (platform) expect(r.text).toContain(platform);
    const hypershift = r.citations.filter((c) => c.ref && !c.node.startsWith('pattern:'));
    expect(hypershift.length).toBeGreaterThan(0);
    expect(hypershift.map((c) => unresolved(c.ref!)).filter(Boolean)).toEqual([]);
    // team patterns are cited from the target repository's pattern library
    for (const c of r.citations.filter((x) => x.node.startsWith('pattern:'))) expect(existsSync(join(targetRepo, c.ref!)), c.ref).toBe(true);
  });

  it('answers what a new platform must implement with the checklist, every step in order', async () => {
    const r = await askJson('what must a new platform implement to support NodePools?');
    expect(r.needsModel).toBe(false);
    const positions = model.matrix.newPlatformSteps.map((s) => r.text.indexOf(s.step));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(r.citations.map((c) => c.ref)).toContain('hypershift-operator/controllers/nodepool/capi.go:838#CAPI.machineTemplateBuilders');
  });

  it('answers a Replace upgrade on AWS with the Replace rollout steps, not the AWS card or the InPlace steps', async () => {
    const r = await askJson('Replace upgrade on AWS');
    const upgrading = model.lifecycle.states.find((s) => s.id === 'Upgrading')!;
    const replace = upgrading.substates.filter((u) => u.strategy === 'Replace' || u.strategy === 'both').map((u) => u.id);
    const positions = replace.map((id) => r.text.indexOf(`${id}:`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const inPlace of upgrading.substates.filter((u) => u.strategy === 'InPlace')) expect(r.text).not.toContain(`${inPlace.id}:`);
    expect(r.text).not.toContain('machine template: AWSMachineTemplate built by'); // the platform card's first line
    expect(r.text).toContain('On AWS');
  });

  it('cites the provider types file, never the provider package path turned into an api/ path', async () => {
    for (const p of model.matrix.platforms.filter((x) => x.machineTemplate)) {
      const r = await askJson(`What does the ${p.id} platform look like?`);
      const refs = r.citations.map((c) => c.ref ?? '');
      expect(refs).toContain(p.machineTemplate!.providerTypes);
      expect(refs.filter((ref) => /^api\/v1(alpha|beta)\d/.test(ref))).toEqual([]);
    }
  });

  it("names the OpenStack template reason on OpenStack, and KubeVirt's only on KubeVirt", async () => {
    const openstack = await askJson('What can go wrong when creating an OpenStack NodePool?');
    expect(openstack.kind).toBe('lifecycle');
    expect(openstack.text).toContain('InvalidOpenStackMachineTemplate');
    expect(openstack.text).not.toContain('InvalidKubevirtMachineTemplate');
  });
});
