// Offline, on the example repository: "add a NodePool condition type CapacityError" runs to a branch
// whose make verify and go test pass, then to a PR in local mode and on the GitHub fake, with CI.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorktree, git } from '../../src/integrations/git.js';
import { createOfflineAgent } from '../../src/agent/offline.js';
import type { ExecuteResult } from '../../src/agent/types.js';
import { createProwCi, prowRunLocation } from '../../src/integrations/ci/prow.js';
import { createGitHub, evidenceDescription } from '../../src/integrations/github.js';
import { goTestJsonToJUnit, renderJUnit } from '../../src/integrations/ci/junit.js';
import { createLocalCi, createLocalCodeHost } from '../../src/integrations/local.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';
import { exampleWorkspace } from '../agent/helpers.js';

let ws: Awaited<ReturnType<typeof exampleWorkspace>>;
let result: ExecuteResult;
const branch = 'sitroom/hostedcp-2101-api-surface';
const instruction = 'add a NodePool condition type CapacityError';

beforeAll(async () => {
  ws = await exampleWorkspace();
  const agent = createOfflineAgent({ model: ws.model, knowledge: ws.knowledge, team: ws.team, targetRepo: ws.repo.dir });
  const planned = await agent.plan({ workItemKey: 'HOSTEDCP-2101', intention: instruction });
  const worktree = join(ws.base, 'wt');
  await addWorktree(ws.repo.dir, worktree, branch);
  const beats: unknown[] = [];
  result = await agent.execute(
    { workItemKey: 'HOSTEDCP-2101', phase: planned.plan!.phases[0]!, instruction, branch, worktree },
    { heartbeat: (d) => beats.push(d) },
  );
  expect(beats.length).toBeGreaterThan(3);
}, 120_000);
afterAll(() => ws.cleanup());

const sh = (cwd: string, file: string, args: string[]) =>
  execFileSync(file, args, { cwd, encoding: 'utf8', env: { ...process.env, GOPROXY: 'off', GOTOOLCHAIN: 'local' } });

describe('offline execute of the condition recipe', () => {
  it('commits on the branch, and make verify and go test pass on a fresh checkout of it', async () => {
    expect(result.status, result.message).toBe('committed');
    expect(result.checks).toEqual([
      { command: 'make verify', passed: true },
      { command: 'go test ./...', passed: true },
    ]);
    const check = join(ws.base, 'check');
    await git(ws.repo.dir, ['worktree', 'add', '-q', '--detach', check, branch]);
    const conditions = sh(check, 'git', ['show', 'HEAD:api/hypershift/v1beta1/nodepool_conditions.go']);
    expect(conditions).toContain('\tNodePoolCapacityErrorConditionType = "CapacityError"\n');
    sh(check, 'make', ['verify']); // throws on a non-zero exit
    expect(sh(check, 'go', ['test', '-run', 'CapacityError', '-v', './api/...'])).toContain('--- PASS: TestCapacityErrorConditionIsDeclared');
    const files = sh(check, 'git', ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n').sort();
    // A constant generates nothing: the deepcopy code make api writes is unchanged, so it is not in the commit.
    expect(files).toEqual(['api/hypershift/v1beta1/nodepool_condition_capacity_error_test.go', 'api/hypershift/v1beta1/nodepool_conditions.go']);
  });

  it('make verify catches stale generated deepcopy code after an API field is added without make api', async () => {
    const stale = join(ws.base, 'stale');
    await addWorktree(ws.repo.dir, stale, 'stale-check');
    const file = join(stale, 'api/hypershift/v1beta1/nodepool_types.go');
    const before = readFileSync(file, 'utf8');
    const after = before.replace('type NodePoolStatus struct {\n', 'type NodePoolStatus struct {\n\tLabels map[string]string\n');
    expect(after).not.toBe(before);
    writeFileSync(file, after);
    expect(() => sh(stale, 'make', ['verify'])).toThrow(/changed these files; commit the result:[^]*zz_generated\.deepcopy\.go/);
    // make api (run by verify) regenerated it; now verify passes, and the regenerated code copies the map.
    sh(stale, 'make', ['verify']);
    expect(readFileSync(join(stale, 'api/hypershift/v1beta1/zz_generated.deepcopy.go'), 'utf8')).toContain('*out = make(map[string]string, len(*in))');
  });

  it('opens a local-mode PR whose description lists the evidence, and local CI publishes JUnit from go test', async () => {
    const host = createLocalCodeHost(ws.repo.dir);
    await host.pushBranch(join(ws.base, 'wt'), branch);
    const body = evidenceDescription({
      workItemKey: 'HOSTEDCP-2101',
      phaseTitle: 'Add NodePool condition type CapacityError',
      summary: result.message,
      evidence: result.evidence,
      checks: result.checks,
    });
    expect(await host.findPullRequest(branch)).toBeUndefined();
    const pr = await host.openPullRequest({ branch, base: 'main', title: 'HOSTEDCP-2101: CapacityError condition', body });
    expect(pr.headSha).toBe(result.commit);
    expect(await host.findPullRequest(branch)).toEqual(pr);
    const stored = host.pull(pr.number)!;
    expect(stored.body).toContain('✅ `make verify`');
    expect(stored.body).toContain('✅ `go test ./...`');
    expect(stored.body).toContain('`make api`');
    expect(stored.body).toContain('api/hypershift/v1beta1/nodepool_conditions.go');

    const ci = createLocalCi({ repo: ws.repo.dir });
    // The example repository carries the known TestNodePoolAutoRepair flake: the first run of a commit trips it.
    const first = await ci.run(pr.number);
    expect(first.state).toBe('failure');
    const flaked = await ci.junit((await ci.jobStatuses(pr.number))[0]!);
    expect(flaked!.cases.filter((c) => c.status === 'failed').map((c) => [c.name, c.message.includes('timed out waiting for the condition')])).toEqual([
      ['TestNodePoolAutoRepair', true],
    ]);
    expect(await ci.retrigger(pr.number, 'unit')).toBe('/test unit');
    const status = (await ci.jobStatuses(pr.number))[0]!;
    expect(status.state).toBe('success');
    const report = await ci.junit(status);
    expect(report!.failures).toBe(0);
    expect(report!.cases.map((c) => c.name)).toContain('TestCapacityErrorConditionIsDeclared');
  }, 120_000);

  it('pushes to the GitHub fake, opens a PR with the evidence, reads Prow JUnit and retriggers with /test and /retest-required', async () => {
    const bare = join(ws.base, 'remote.git');
    await git(ws.base, ['init', '-q', '--bare', bare]);
    await git(ws.repo.dir, ['push', '-q', bare, 'main']);
    const failingThenPassing = (attempt: number) =>
      renderJUnit([
        {
          name: 'unit',
          cases: [
            {
              suite: 'unit',
              name: 'TestNodePoolAutoRepair',
              classname: 'nodepool',
              timeSeconds: 1,
              status: attempt === 1 ? 'failed' : 'passed',
              message: attempt === 1 ? 'timed out waiting for the condition' : '',
            },
          ],
        },
      ]);
    const github: FakeGitHub = await startFakeGitHub({
      owner: 'openshift',
      repo: 'hypershift',
      bareRepo: bare,
      token: 'ghp_faketoken000000000000000000000',
      jobs: [
        { name: 'unit', run: ({ attempt }) => ({ passed: attempt > 1, junitXml: failingThenPassing(attempt) }) },
        {
          name: 'verify',
          run: () => ({
            passed: true,
            junitXml: renderJUnit([
              { name: 'verify', cases: [{ suite: 'verify', name: 'make verify', classname: 'verify', timeSeconds: 2, status: 'passed', message: '' }] },
            ]),
          }),
        },
      ],
    });
    try {
      const host = createGitHub({ owner: 'openshift', repo: 'hypershift', token: 'ghp_faketoken000000000000000000000', baseUrl: github.url, pushUrl: bare });
      await host.pushBranch(join(ws.base, 'wt'), branch);
      const body = evidenceDescription({
        workItemKey: 'HOSTEDCP-2101',
        phaseTitle: 'Add NodePool condition type CapacityError',
        summary: result.message,
        evidence: result.evidence,
        checks: result.checks,
      });
      expect(await host.findPullRequest(branch)).toBeUndefined();
      const pr = await host.openPullRequest({ branch, base: 'main', title: 'HOSTEDCP-2101: CapacityError condition', body });
      expect(pr.headSha).toBe(result.commit);
      expect(await host.findPullRequest(branch)).toEqual(pr);
      expect(github.pulls[0]!.body).toContain('✅ `make verify`');
      expect(github.pulls[0]!.body).toContain('nodepool_condition_capacity_error_test.go');
      await host.setCommitStatus(pr.headSha, { context: 'sitroom/confidence', state: 'success', description: 'L1 structural: no boundary findings' });
      await host.createCheckRun(pr.headSha, { name: 'sitroom', conclusion: 'success', title: 'Evidence', summary: body });
      expect(github.checkRuns[0]!.output.summary).toContain('make verify');

      const ci = createProwCi({
        owner: 'openshift',
        repo: 'hypershift',
        token: 'ghp_faketoken000000000000000000000',
        baseUrl: github.url,
        gcsUrl: github.url,
        platform: ws.team.ci.platforms[0]!,
        host,
      });
      await github.idle();
      const statuses = await ci.jobStatuses(pr.number);
      expect(statuses.map((s) => [s.job, s.state])).toEqual([
        ['unit', 'failure'],
        ['verify', 'success'],
      ]);
      // The status links the run's Prow page; the JUnit is read from the run's files in its GCS bucket.
      expect(statuses[0]!.artifactsUrl).toMatch(
        new RegExp(`/view/gs/test-platform-results/pr-logs/pull/openshift_hypershift/${pr.number}/pull-ci-openshift-hypershift-main-unit/\\d+$`),
      );
      expect(prowRunLocation(statuses[0]!.artifactsUrl!)).toMatchObject({
        bucket: 'test-platform-results',
        path: expect.stringMatching(/^pr-logs\/pull\/openshift_hypershift\//),
      });
      const junit = await ci.junit(statuses[0]!);
      // Only the step's tests: ci-operator's junit_operator.xml (the step itself as a failed case) is left out.
      expect(junit!.cases.map((c) => [c.name, c.status])).toEqual([['TestNodePoolAutoRepair', 'failed']]);
      expect(junit!.cases[0]).toMatchObject({ message: expect.stringContaining('timed out') });

      expect(await ci.retrigger(pr.number, 'unit')).toBe('/test unit');
      await github.idle();
      expect((await ci.jobStatuses(pr.number)).find((s) => s.job === 'unit')!.state).toBe('success');
      expect(await ci.retrigger(pr.number)).toBe('/retest-required');
      await github.idle();
      const comments = await host.listComments(pr.number);
      expect(comments.map((c) => c.body)).toEqual(['/test unit', '/retest-required']);
      // /retest-required re-runs only failed required jobs: unit is green now, so nothing ran again.
      expect(github.jobRuns.map((r) => `${r.job}#${r.attempt}`).sort()).toEqual(['unit#1', 'unit#2', 'verify#1']);
    } finally {
      await github.close();
    }
  }, 60_000);

  it('finds a run in GCS from its Prow page URL, and nothing in a URL that is not one', () => {
    expect(
      prowRunLocation(
        'https://prow.ci.openshift.org/view/gs/test-platform-results/pr-logs/pull/openshift_hypershift/5012/pull-ci-openshift-hypershift-main-unit/1861234567890/',
      ),
    ).toEqual({
      bucket: 'test-platform-results',
      path: 'pr-logs/pull/openshift_hypershift/5012/pull-ci-openshift-hypershift-main-unit/1861234567890',
    });
    expect(prowRunLocation('https://ci.example.com/artifacts/run-7/junit.xml')).toBeUndefined();
    expect(prowRunLocation('not a url')).toBeUndefined();
  });

  it('converts go test -json with a failing test and a build failure to JUnit', () => {
    const events = [
      { Action: 'run', Package: 'example/a', Test: 'TestOk' },
      { Action: 'pass', Package: 'example/a', Test: 'TestOk', Elapsed: 0.01 },
      { Action: 'run', Package: 'example/a', Test: 'TestBad' },
      { Action: 'output', Package: 'example/a', Test: 'TestBad', Output: '    bad_test.go:9: want 2, got 3\n' },
      { Action: 'fail', Package: 'example/a', Test: 'TestBad', Elapsed: 0.02 },
      { Action: 'output', Package: 'example/b', Output: '# example/b\nb.go:3:1: syntax error\n' },
      { Action: 'fail', Package: 'example/b', Elapsed: 0 },
    ].map((e) => JSON.stringify(e));
    const xml = goTestJsonToJUnit(events.join('\n'));
    expect(xml).toContain('<failure message="bad_test.go:9: want 2, got 3">');
    expect(xml).toContain('name="[build]"');
    expect(xml).toContain('syntax error');
  });
});
