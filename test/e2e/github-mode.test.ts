// GitHub mode end to end: the composition root wired to a loopback GitHub (Octokit's wire format, a real
// bare repository behind it) whose Prow-style job runs the pushed commit's `go test`. The first run of a
// commit trips the example repository's known flake, RH-O retries it with `/test unit` on the PR, the
// retry passes, the owner is told the PR is ready, and the phase merges only once the PR is merged on
// GitHub (tide's job, played here by the test). Runs on the time-skipping test server so RH-O's
// re-check of an unmerged PR (minutes) passes in milliseconds.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { git } from '../../src/integrations/git.js';
import { environmentFrom } from '../../src/config/environment.js';
import { loadConfig } from '../../src/config/load.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { startFakeGitHub, type FakeGitHub, type FakeProwJob } from '../support/doubles/github.js';
import { createGitHub } from '../../src/integrations/github.js';
import { goTestJsonToJUnit, parseJUnit, renderJUnit } from '../../src/integrations/ci/junit.js';
import type { Plan } from '../../src/plan/schema.js';
import { createGitHubCiPort, finishedRuns, githubSettings } from '../../src/integrations/ci/github-mode.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { startTimeSkippingEnvironment } from '../support/temporal.js';

const exec = promisify(execFile);
const token = 'ghp_e2efaketoken00000000000000000000';
const scratch = mkdtempSync(join(tmpdir(), 'sitroom-gh-e2e-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A Prow job that checks out the commit from the bare repository and runs its Go tests, like the local CI does. */
function goTestJob(bare: string): FakeProwJob['run'] {
  return async ({ sha, attempt }) => {
    const wt = mkdtempSync(join(scratch, 'prow-unit-'));
    await git(bare, ['worktree', 'add', '-q', '--detach', wt, sha]);
    try {
      const out = await exec('go', ['test', '-json', './...'], {
        cwd: wt,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GOPROXY: 'off',
          GOTOOLCHAIN: 'local',
          GOFLAGS: process.env.GOFLAGS ?? '',
          SITROOM_CI_ATTEMPT: String(attempt),
        },
      }).then(
        (r) => r.stdout,
        (err: { stdout?: string }) => err.stdout ?? '',
      );
      const junitXml = goTestJsonToJUnit(out);
      const report = parseJUnit(junitXml);
      return { passed: report.failures === 0 && report.tests > 0, junitXml };
    } finally {
      await git(bare, ['worktree', 'remove', '--force', wt]).catch(() => undefined);
    }
  };
}

describe('GitHub mode against the loopback GitHub and Prow', () => {
  let env: TestWorkflowEnvironment;
  let rt: TestRuntime;
  let github: FakeGitHub;
  let bare: string;

  beforeAll(async () => {
    bare = join(scratch, 'hypershift.git');
    await git(scratch, ['init', '-q', '--bare', '-b', 'main', bare]);
    github = await startFakeGitHub({
      owner: 'openshift',
      repo: 'hypershift',
      bareRepo: bare,
      token,
      jobs: [{ name: 'unit', required: true, run: goTestJob(bare) }],
    });
    env = await startTimeSkippingEnvironment();
    rt = await startTestRuntime({
      env,
      processEnv: { GITHUB_TOKEN: token, GITHUB_API_URL: github.url, PROW_GCS_URL: github.url, GITHUB_PUSH_URL: bare, CI_WEBHOOK_SECRET: undefined },
    });
    // The remote starts as a copy of the target repository, as a fork of HyperShift would.
    await git(rt.core.targetRepo, ['push', '-q', bare, 'main']);
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await env?.teardown();
    await github?.close();
  });

  it('opens the PR on GitHub, retries the known flake with /test unit, reports the PR ready, and merges when GitHub has merged it', async () => {
    expect(rt.core.mode).toBe('github');
    const key = `${rt.keyPrefix}-7`;
    const plan: Plan = {
      workItemKey: key,
      intention: 'NodePool should report capacity errors',
      summary: '',
      phases: [
        {
          id: 'api',
          title: 'Add NodePool condition type CapacityError and reason InsufficientCapacity',
          activity: 'api_changes',
          files: ['api/hypershift/v1beta1/nodepool_conditions.go', 'api/hypershift/v1beta1/nodepool_condition_capacity_error_test.go'],
          constraints: ['CamelCase condition type and reason values'],
          validation: [{ command: 'make verify', why: 'generated code current' }],
          dependsOn: [],
          mergeOrder: 1,
        },
      ],
    };
    const handle = await env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [{ key, ownerId: 'maria', title: 'Capacity errors', intention: plan.intention, plan }],
    });
    const state = () => handle.query(workItemStateQuery);
    const decide = (kind: 'approve-plan' | 'approve-phase', phaseId?: string) =>
      rt.orchestrator.decide({
        workItemKey: key,
        kind,
        actor: 'maria',
        surface: 'slack-button',
        idempotencyKey: `${key}:${kind}:${phaseId ?? 'plan'}`,
        ...(phaseId ? { phaseId } : {}),
      });

    await eventually(state, (s) => s.status === 'awaiting-plan-approval', 'plan gate');
    expect(await decide('approve-plan')).toMatchObject({ outcome: 'applied' });
    const opened = await eventually(state, (s) => ['awaiting-approval', 'running'].includes(s.phases[0]!.status), 'api phase open');
    if (opened.phases[0]!.status === 'awaiting-approval') expect(await decide('approve-phase', 'api')).toMatchObject({ outcome: 'applied' });

    // The PR is opened on GitHub with the evidence, from the branch pushed to the remote.
    const pull = await eventually(
      async () => github.pulls[0],
      (p) => p !== undefined,
      'PR on the fake',
      240_000,
    );
    expect(pull!.base).toBe('main');
    expect(pull!.head).toBe(`sitroom/${key.toLowerCase()}/api-1`);
    expect(pull!.body).toContain('make verify');
    expect(pull!.body).toContain('api/hypershift/v1beta1/nodepool_conditions.go');
    expect(pull!.body).toMatch(/L1 structural/i);
    expect(await git(bare, ['show', `${pull!.sha}:api/hypershift/v1beta1/nodepool_conditions.go`])).toContain('NodePoolCapacityErrorConditionType');

    // The first Prow run trips the known flake; RH-O asks Prow to run the job again, once.
    const retry = await eventually(
      async () => github.comments.filter((c) => c.issue === pull!.number),
      (cs) => cs.length > 0,
      '/test comment',
      120_000,
    );
    expect(retry[0]!.body.split('\n')[0]).toBe('/test unit');
    expect(retry[0]!.body).toMatch(/<!-- sitroom:ci-retry:/);

    const ready = await eventually(
      async () =>
        (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'pr-ready'))).filter(
          (n) => (n.payload as { workItemKey: string }).workItemKey === key,
        ),
      (rows) => rows.length > 0,
      'pr-ready notification',
      180_000,
    );
    expect(ready[0]!.payload).toMatchObject({ phaseId: 'api', prUrl: `${github.url}/openshift/hypershift/pull/${pull!.number}` });
    await github.idle();
    expect(github.jobRuns.map((r) => [r.job, r.sha, r.attempt, r.passed])).toEqual([
      ['unit', pull!.sha, 1, false],
      ['unit', pull!.sha, 2, true],
    ]);
    expect(github.comments.filter((c) => c.issue === pull!.number)).toHaveLength(1);

    // RH-O asked GitHub whether the PR merged; it has not, so the phase waits and nothing is merged by us.
    await eventually(
      () => completedActivities(handle, 'mergePhase'),
      (n) => n >= 1,
      'first merge check',
    );
    expect((await state()).phases[0]!.status).toBe('ready-to-merge');
    expect(pull!.merged).toBe(false);

    // Tide merges the PR on GitHub; RH-O's next look finds it merged and the work item resolves.
    await github.mergePull(pull!.number);
    let final = await state();
    for (let i = 0; i < 60 && final.status !== 'resolved'; i++) {
      await env.sleep(60_000);
      final = await state();
    }
    expect(final.status).toBe('resolved');
    expect(final.phases.map((p) => [p.id, p.status])).toEqual([['api', 'merged']]);
    expect(await git(bare, ['show', 'main:api/hypershift/v1beta1/nodepool_conditions.go'])).toContain('NodePoolCapacityErrorConditionType');
    expect(await git(bare, ['log', '-1', '--format=%s', 'main'])).toContain(`Merge pull request #${pull!.number}`);

    const audit = await decisionsFor(rt.core.store.db, key);
    expect(audit.filter((d) => d.kind === 'ci-retry')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ job: 'unit', tests: ['TestNodePoolAutoRepair'] }) }),
    ]);
    expect(audit.some((d) => d.kind === 'ci-alert')).toBe(false);
  }, 600_000);
});

/** How many times the workflow ran an activity of this type to completion, from its event history. */
async function completedActivities(handle: WorkflowHandle, type: string): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set<string>();
  let completed = 0;
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) scheduled.add(String(e.eventId));
    const done = e.activityTaskCompletedEventAttributes;
    if (done && scheduled.has(String(done.scheduledEventId))) completed++;
  }
  return completed;
}

describe('the GitHub CI port on its own', () => {
  let github: FakeGitHub;
  let bare: string;
  let repoDir: string;

  beforeAll(async () => {
    const repo = await createExampleRepo(join(scratch, 'port-repo'));
    repoDir = repo.dir;
    bare = join(scratch, 'port.git');
    await git(scratch, ['init', '-q', '--bare', '-b', 'main', bare]);
    await git(repoDir, ['push', '-q', bare, 'main']);
    const junit = (passed: boolean) =>
      renderJUnit([
        {
          name: 'unit',
          cases: [
            {
              suite: 'nodepool',
              name: 'TestNodePoolAutoRepair',
              classname: 'nodepool',
              timeSeconds: 0.1,
              status: passed ? 'passed' : 'failed',
              message: passed ? '' : 'timed out waiting for the condition',
            },
          ],
        },
      ]);
    github = await startFakeGitHub({
      owner: 'openshift',
      repo: 'hypershift',
      bareRepo: bare,
      token,
      jobs: [
        { name: 'unit', run: ({ attempt }) => ({ passed: attempt > 1, junitXml: junit(attempt > 1) }) },
        { name: 'lint', run: () => ({ passed: true, junitXml: '<html>not junit</html>' }) },
      ],
    });
  });
  afterAll(async () => github?.close());

  it('reads settings from the environment and team.yaml, naming a bad value', () => {
    const { team } = loadConfig(repoDir);
    const github = (vars: Record<string, string>) => environmentFrom(vars).github;
    expect(githubSettings(github({ GITHUB_TOKEN: token }), team)).toMatchObject({
      owner: 'openshift',
      repo: 'hypershift',
      apiUrl: 'https://api.github.com',
      pushUrl: 'https://github.com/openshift/hypershift.git',
      requiredJobs: ['unit'],
      gcsUrl: 'https://storage.googleapis.com',
    });
    const withJobs = { ...team, ci: { ...team.ci, platforms: [{ ...team.ci.platforms[0]!, required_jobs: ['unit', 'verify'] }] } };
    expect(githubSettings(github({ GITHUB_TOKEN: token, GITHUB_REPOSITORY: 'me/fork', GITHUB_API_URL: 'http://127.0.0.1:1/' }), withJobs)).toMatchObject({
      owner: 'me',
      repo: 'fork',
      apiUrl: 'http://127.0.0.1:1',
      requiredJobs: ['unit', 'verify'],
    });
    expect(() => github({ GITHUB_TOKEN: token, GITHUB_REPOSITORY: 'not a repo' })).toThrow(
      /GITHUB_REPOSITORY: expected an owner\/name GitHub repository, got "not a repo"/,
    );
    const badSlug = { ...team, target: { ...team.target, repo: 'not a repo' } };
    expect(() => githubSettings(github({ GITHUB_TOKEN: token }), badSlug)).toThrow(/team\.yaml target\.repo: "not a repo"/);
    const noProw = { ...team, ci: { ...team.ci, platforms: [{ ...team.ci.platforms[0]!, kind: 'github-actions' as const }] } };
    expect(() => githubSettings(github({ GITHUB_TOKEN: token }), noProw)).toThrow(/team\.yaml ci\.platforms/);
  });

  it('numbers runs per job and commit, retriggers once per key, and reports merged only after GitHub merged', async () => {
    const { team } = loadConfig(repoDir);
    const settings = githubSettings(
      environmentFrom({ GITHUB_TOKEN: token, GITHUB_API_URL: github.url, PROW_GCS_URL: github.url, GITHUB_PUSH_URL: bare }).github,
      team,
    );
    const host = createGitHub({ owner: settings.owner, repo: settings.repo, token, baseUrl: github.url, pushUrl: bare });
    const port = createGitHubCiPort({ settings, host });

    await git(repoDir, ['checkout', '-q', '-b', 'feature/x']);
    await git(repoDir, ['commit', '-q', '--allow-empty', '-m', 'x']);
    await host.pushBranch(repoDir, 'feature/x');
    const pr = await host.openPullRequest({ branch: 'feature/x', base: 'main', title: 'x', body: 'x' });
    await github.idle();

    const first = await port.poll(pr.url, []);
    expect(first.map((r) => [r.job, r.state, r.attempt, r.commit])).toEqual([
      ['lint', 'success', 1, pr.headSha],
      ['unit', 'failure', 1, pr.headSha],
    ]);
    expect(first[1]!.tests).toEqual([
      { job: 'unit', test: 'TestNodePoolAutoRepair', status: 'failed', message: expect.stringContaining('timed out waiting for the condition') },
    ]);
    expect(first[0]!.tests).toEqual([]); // an artifact that is not JUnit is reported without test detail
    expect(
      await port.poll(
        pr.url,
        first.map((r) => r.runId),
      ),
    ).toEqual([]);

    await port.retrigger(pr.url, 'unit', 'ci-retry:watch-1:run-1');
    await port.retrigger(pr.url, 'unit', 'ci-retry:watch-1:run-1'); // a retried activity
    await github.idle();
    expect(github.comments.filter((c) => c.issue === pr.number).map((c) => c.body.split('\n')[0])).toEqual(['/test unit']);
    const second = await port.poll(
      pr.url,
      first.map((r) => r.runId),
    );
    expect(second.map((r) => [r.job, r.state, r.attempt])).toEqual([['unit', 'success', 2]]);
    expect(new Set([...first, ...second].map((r) => r.runId)).size).toBe(3);

    expect(await port.merge({ workItemKey: 'W-1', phaseId: 'api', prUrl: pr.url, branch: 'feature/x' })).toEqual({ merged: false, base: expect.any(String) });
    expect(github.pulls[0]!.merged).toBe(false); // the port never merges by itself
    const merged = await github.mergePull(pr.number);
    expect(await port.merge({ workItemKey: 'W-1', phaseId: 'api', prUrl: pr.url, branch: 'feature/x' })).toEqual({
      merged: true,
      base: merged.sha.slice(0, 12),
    });
    await expect(port.merge({ workItemKey: 'W-1', phaseId: 'api', prUrl: 'https://github.com/someone/else/pull/1', branch: null })).rejects.toThrow(
      /not a pull request of openshift\/hypershift/,
    );
  });

  it('orders a status history newest first into finished runs', () => {
    const sha = 'a'.repeat(40);
    expect(
      finishedRuns(sha, [
        { context: 'ci/prow/unit', state: 'pending' },
        { context: 'ci/prow/unit', state: 'failure', target_url: 'https://prow/b/2' },
        { context: 'ci/prow/unit', state: 'pending' },
        { context: 'ci/prow/e2e', state: 'success' },
        { context: 'tide', state: 'pending' },
      ]),
    ).toEqual([{ job: 'e2e', state: 'success', attempt: 1, runId: `ci/prow/e2e@${sha}#1` }]);
  });
});
