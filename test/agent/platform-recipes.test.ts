// The offline RH-A carrying the platform-error plan ("NodePool should report capacity errors per platform")
// on a fresh copy of the example Go repository: the API surface, the platform bridge, the fix round after a
// hand-written integration forgot `make api`, and the docs. Every step is checked with the repository's own
// `make verify` and `go test`, run here, not only with what the agent says it ran.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { git } from '../../src/integrations/git.js';
import { createOfflineAgent } from '../../src/agent/offline.js';
import { apiTypesFile, conditionsFile, controllerDir, deepcopyFile } from '../../src/agent/recipes.js';
import type { ExecuteResult } from '../../src/agent/types.js';
import type { PlannedPhase } from '../../src/plan/schema.js';
import { handWrittenIntegration } from './hand-written-integration.js';
import { exampleWorkspace } from './helpers.js';

let ws: Awaited<ReturnType<typeof exampleWorkspace>>;
let agent: Agent;
let phases: PlannedPhase[];
const key = 'HOSTEDCP-2101';
const aws = `${controllerDir}/aws.go`;
const awsTest = `${controllerDir}/aws_test.go`;

/** A command in the repository as a developer would run it: exit code and output, never a throw. */
function sh(command: string, args: string[], cwd = ws.repo.dir): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, GOFLAGS: '', GOPROXY: 'off', GOTOOLCHAIN: 'local' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}
const phase = (id: string) => phases.find((p) => p.id === id)!;
const branchOff = (name: string, from = 'HEAD') => git(ws.repo.dir, ['checkout', '-q', '-b', name, from]);
const head = async () => (await git(ws.repo.dir, ['rev-parse', 'HEAD'])).trim();
const committedFiles = async () => (await git(ws.repo.dir, ['show', '--name-only', '--format=', 'HEAD'])).trim().split('\n').sort();
async function run(p: PlannedPhase, extra: { fixRound?: boolean } = {}): Promise<ExecuteResult> {
  const branch = (await git(ws.repo.dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  return agent.execute({ workItemKey: key, phase: p, instruction: [p.title, ...p.constraints].join('\n'), branch, worktree: ws.repo.dir, ...extra });
}

beforeAll(async () => {
  ws = await exampleWorkspace();
  agent = createOfflineAgent({ model: ws.model, knowledge: ws.knowledge, team: ws.team, targetRepo: ws.repo.dir });
  const planned = await agent.plan({ workItemKey: key, intention: 'NodePool should report capacity errors per platform' });
  phases = planned.plan!.phases;
  expect(planned.warnings).toEqual([]);
}, 60_000);
afterAll(() => ws.cleanup());

describe('the platform-error plan, executed offline in the example repository', () => {
  it('lists what each step writes: each platform file with its test, and the API files in the integration phase', () => {
    expect(phase('platform-bridge').files).toEqual([aws, awsTest]);
    expect(phase('nodepool-integration').files).toEqual(
      expect.arrayContaining([`${controllerDir}/conditions.go`, `${controllerDir}/nodepool_controller.go`, conditionsFile, apiTypesFile, deepcopyFile]),
    );
    expect(phase('docs-observability').files).toEqual(['docs/content/reference/nodepool-rollouts.md']);
  });

  it('platform bridge: before the API surface has merged it stops and says why; for an error class it has no words for it needs a model', async () => {
    await git(ws.repo.dir, ['checkout', '-q', 'main']);
    const early = await run(phase('platform-bridge'));
    expect(early.status).toBe('failed');
    expect(early.message).toContain('NodePoolCapacityErrorConditionType is not declared');
    expect(early.message).toContain('the API surface phase must merge before the platform bridge');
    expect((await git(ws.repo.dir, ['status', '--porcelain'])).trim()).toBe('');

    const image = await run({ ...phase('platform-bridge'), title: "Platform bridge: map each provider's failure to ImageError" });
    expect(image.status).toBe('needs-model');
    expect(image.message).toMatch(/No offline recipe knows what the providers say for ImageError \(known: capacity errors, quota errors, subnet errors\)/);
    expect(image.message).toContain('This needs a model: set ANTHROPIC_API_KEY');
  });

  it('platform bridge: maps the AWS capacity failure in its own file, with a table test; gofmt-clean, make verify and go test pass', async () => {
    await branchOff('api-surface');
    const api = await run(phase('api-surface'));
    expect(api.status, api.message).toBe('committed');
    await branchOff('platform-bridge');
    const before = await head();

    const r = await run(phase('platform-bridge'));
    expect(r.message).toMatch(/^Mapped aws capacity failures to NodePoolCapacityErrorDetectedReason; committed [0-9a-f]{12} on platform-bridge$/);
    expect(r.status).toBe('committed');
    expect(r.checks).toEqual([
      { command: 'make verify', passed: true },
      { command: 'go test ./...', passed: true },
    ]);
    expect(r.evidence.filesWritten).toEqual([aws, awsTest]);
    expect(r.evidence.notes.join('\n')).toContain(
      "awsCapacityError maps InsufficientInstanceCapacity in a machine's provider message to NodePoolCapacityErrorDetectedReason",
    );
    expect((await git(ws.repo.dir, ['rev-list', '--count', `${before}..HEAD`])).trim()).toBe('1');
    expect(await committedFiles()).toEqual([aws, awsTest]);

    const source = readFileSync(join(ws.repo.dir, aws), 'utf8');
    expect(source).toContain('func awsCapacityError(providerMessage string) (reason string, ok bool) {');
    expect(source).toContain('var awsCapacityErrorCodes = []string{"InsufficientInstanceCapacity"}');
    expect(source).toContain('return hyperv1.NodePoolCapacityErrorDetectedReason, true');
    expect(source).toMatch(/import \(\n\t"errors"\n\t"strings"\n\n\thyperv1 /);
    // Only its own provider's words: none of the other providers' codes appear in aws.go.
    for (const other of ['AllocationFailed', 'ZONE_RESOURCE_POOL_EXHAUSTED', 'No valid host was found', 'ErrorUnschedulable'])
      expect(source).not.toContain(other);

    // The repository's own checks, run here.
    expect(await sh('gofmt', ['-l', '.'])).toEqual({ code: 0, out: '' });
    const verify = await sh('make', ['verify']);
    expect(verify.code, verify.out).toBe(0);
    const tests = await sh('go', ['test', '-count=1', '-v', '-run', 'TestAWSCapacityError', `./${controllerDir}/`]);
    expect(tests.code, tests.out).toBe(0);
    expect(tests.out).toContain('--- PASS: TestAWSCapacityError/InsufficientInstanceCapacity');
    expect(tests.out).toContain('--- PASS: TestAWSCapacityError/Azure_AllocationFailed'); // another provider's capacity failure is not mapped
    expect(tests.out).toContain('--- PASS: TestAWSCapacityError/AWS_VcpuLimitExceeded'); // nor another AWS failure
    expect(tests.out).toContain('--- PASS: TestAWSCapacityError/no_provider_message');
    const all = await sh('go', ['test', '-count=1', './...']);
    expect(all.code, all.out).toBe(0);

    // The test checks the mapping: map Azure's words instead and it fails.
    writeFileSync(join(ws.repo.dir, aws), source.replace('[]string{"InsufficientInstanceCapacity"}', '[]string{"AllocationFailed"}'));
    const broken = await sh('go', ['test', '-count=1', '-run', 'TestAWSCapacityError', `./${controllerDir}/`]);
    expect(broken.code).not.toBe(0);
    expect(broken.out).toContain('--- FAIL: TestAWSCapacityError/InsufficientInstanceCapacity');
    expect(broken.out).toContain('--- FAIL: TestAWSCapacityError/Azure_AllocationFailed');
    await git(ws.repo.dir, ['checkout', '-q', '--', aws]);
  }, 120_000);

  it('platform bridge: a test file outside the phase files is refused and nothing is committed', async () => {
    const before = await head();
    await branchOff('narrow-bridge', 'api-surface');
    const r = await run({ ...phase('platform-bridge'), files: [aws] });
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/refused \(not-writable\): "hypershift-operator\/controllers\/nodepool\/aws_test.go" is outside the writable paths/);
    expect(r.evidence.refusals.map((x) => x.kind)).toEqual(['not-writable']);
    expect(await head()).toBe((await git(ws.repo.dir, ['rev-parse', 'api-surface'])).trim());
    await git(ws.repo.dir, ['reset', '-q', '--hard']);
    await git(ws.repo.dir, ['checkout', '-q', 'platform-bridge']);
    expect(await head()).toBe(before);
  }, 60_000);

  it('docs wait for the integration; the fix round regenerates what the hand-written integration left stale; then the NodePool conditions page documents the condition', async () => {
    await branchOff('nodepool-integration');
    const early = await run(phase('docs-observability'));
    expect(early.status).toBe('failed');
    expect(early.message).toContain('nothing in hypershift-operator/controllers/nodepool sets NodePoolCapacityErrorConditionType yet');

    // maria's change, committed without `make api`: go test and make verify fail as CI will.
    const hers = handWrittenIntegration('CapacityError');
    await hers.write(ws.repo.dir);
    await git(ws.repo.dir, ['add', ...hers.files]);
    await git(ws.repo.dir, [
      '-c',
      'user.name=Maria Alvarez',
      '-c',
      'user.email=maria@example.com',
      'commit',
      '-q',
      '-m',
      `${key}: set CapacityError in the reconcile loop`,
    ]);
    const stale = await sh('go', ['test', '-count=1', './...']);
    expect(stale.code).not.toBe(0);
    expect(stale.out).toContain(`--- FAIL: ${hers.registeredTest}`);
    expect(stale.out).toContain(hers.staleMessage);
    // HyperShift's verify regenerates and then finds the tree changed; the example's does the same.
    const staleVerify = await sh('make', ['verify']);
    expect(staleVerify.code).not.toBe(0);
    expect(staleVerify.out).toContain(`verify: make api or go fmt changed these files; commit the result:\n${deepcopyFile}\n`);
    await git(ws.repo.dir, ['checkout', '-q', '--', '.']);

    // With the phase's files as the plan had them before (no API files), the regenerated deepcopy code is outside the scope.
    const narrow = await run(
      { ...phase('nodepool-integration'), files: [`${controllerDir}/conditions.go`, `${controllerDir}/nodepool_controller.go`] },
      { fixRound: true },
    );
    expect(narrow.status).toBe('failed');
    expect(narrow.message).toContain(`files outside the phase's scope changed: ${deepcopyFile}`);
    await git(ws.repo.dir, ['checkout', '-q', '--', '.']);

    const herCommit = await head();
    const fixed = await run(phase('nodepool-integration'), { fixRound: true });
    expect(fixed.message).toMatch(/^Regenerated with make api and committed [0-9a-f]{12} on nodepool-integration$/);
    expect(fixed.checks).toEqual([
      { command: 'make verify', passed: true },
      { command: 'go test ./...', passed: true },
    ]);
    expect((await git(ws.repo.dir, ['rev-parse', 'HEAD~1'])).trim()).toBe(herCommit);
    expect(await committedFiles()).toEqual([deepcopyFile]);
    expect(readFileSync(join(ws.repo.dir, deepcopyFile), 'utf8')).toContain(
      `\tif in.${hers.field} != nil {\n\t\tin, out := &in.${hers.field}, &out.${hers.field}\n\t\t*out = make(map[string]int32, len(*in))`,
    );
    const green = await sh('go', ['test', '-count=1', './...']);
    expect(green.code, green.out).toBe(0);

    const docs = await run(phase('docs-observability'));
    expect(docs.message).toMatch(/^Documented CapacityError in docs\/content\/reference\/nodepool-rollouts\.md; committed [0-9a-f]{12}/);
    expect(docs.status).toBe('committed');
    expect(await committedFiles()).toEqual(['docs/content/reference/nodepool-rollouts.md']);
    const page = readFileSync(join(ws.repo.dir, 'docs/content/reference/nodepool-rollouts.md'), 'utf8');
    // Appended after the page's own sections, which stay as they were.
    expect(page.indexOf('## Conditions')).toBeGreaterThan(0);
    expect(page.indexOf('## NodePool condition `CapacityError`')).toBeGreaterThan(page.indexOf('## Conditions'));
    const section = page.slice(page.indexOf('## NodePool condition `CapacityError`'));
    expect(section).toContain('- Type: `CapacityError` (`NodePoolCapacityErrorConditionType` in `api/hypershift/v1beta1/nodepool_conditions.go`).');
    expect(section).toContain('- Set by `setCapacityErrorCondition` (`hypershift-operator/controllers/nodepool/conditions.go`).');
    expect(section).toContain('  - `AsExpected` (`NodePoolAsExpectedReason`)');
    expect(section).toContain('  - `CapacityErrorDetected` (`NodePoolCapacityErrorDetectedReason`)');
    expect(section).toContain(
      '  - `CapacityExhausted`: `NodePoolCapacityExhaustedReason` means no machine of the NodePool can be created for lack of capacity.',
    );
    expect(section).toContain('  - AWS: `InsufficientInstanceCapacity` — `awsCapacityError` in `hypershift-operator/controllers/nodepool/aws.go`');
    expect(section).toContain('- Not set on Azure, KubeVirt, Agent, None, OpenStack: those platforms have no mapping, so they report nothing new.');
    const verify = await sh('make', ['verify']);
    expect(verify.code, verify.out).toBe(0);

    const again = await run(phase('docs-observability'));
    expect(again.status).toBe('failed');
    expect(again.message).toBe('docs/content/reference/nodepool-rollouts.md already documents CapacityError');
  }, 180_000);
});
