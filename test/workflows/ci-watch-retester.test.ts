// Retester and RH-O on one PR, never stacking: the real CI watch workflow (dev server, real activities)
// reads CI through the GitHub CI port against the loopback GitHub, whose Retester comments as OpenShift's
// does (`/retest-required` with the retests remaining against base HEAD and PR HEAD, once per base+HEAD,
// `/hold` after its cap per HEAD). A known flake on a required job after Retester's comment: RH-O posts no
// `/test` of its own and says why in its decision log. The same flake without that comment: RH-O retries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentFrom } from '../../src/config/environment.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { git } from '../../src/integrations/git.js';
import { createGitHub } from '../../src/integrations/github.js';
import { createGitHubCiPort, githubSettings } from '../../src/integrations/ci/github-mode.js';
import { renderJUnit } from '../../src/integrations/ci/junit.js';
import { parseRetesterComment, retesterActivity } from '../../src/integrations/ci/retester.js';
import { ciResultSignal } from '../../workflows/definitions.js';
import { startCiWatch, startCiWatchOrchestra } from '../support/ci-watch.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';
import { exampleRepoWithUpstreams } from '../support/example-upstream.js';
import type { Orchestra } from '../support/orchestra.js';
import { waitFor } from '../support/wait.js';

const token = 'ghp_retesterfaketoken000000000000000';
const scratch = mkdtempSync(join(tmpdir(), 'sitroom-retester-'));
const flakyTest = 'TestNodePoolAutoRepair';
let github: FakeGitHub;
let orchestra: Orchestra;
let repoDir: string;
let port: ReturnType<typeof createGitHubCiPort>;
let host: ReturnType<typeof createGitHub>;

beforeAll(async () => {
  const bare = join(scratch, 'hypershift.git');
  repoDir = await exampleRepoWithUpstreams(scratch, [bare]);
  // The team's known flake (team.yaml known_signatures): fails the first run of a commit, passes a retest.
  const junit = (passed: boolean) =>
    renderJUnit([
      {
        name: 'e2e-aws',
        cases: [
          {
            suite: 'nodepool',
            name: flakyTest,
            classname: 'nodepool',
            timeSeconds: 0.1,
            status: passed ? 'passed' : 'failed',
            message: passed ? '' : 'nodepool_test.go:212: timed out waiting for the condition',
          },
        ],
      },
    ]);
  github = await startFakeGitHub({
    owner: 'openshift',
    repo: 'hypershift',
    bareRepo: bare,
    token,
    jobs: [{ name: 'e2e-aws', required: true, run: ({ attempt }) => ({ passed: attempt > 1, junitXml: junit(attempt > 1) }) }],
  });
  orchestra = await startCiWatchOrchestra({
    poll: (...a) => port.poll(...a),
    retrigger: (...a) => port.retrigger(...a),
    merge: (...a) => port.merge(...a),
    retesterActivity: (...a) => port.retesterActivity!(...a),
  });
  const settings = githubSettings(
    environmentFrom({ GITHUB_TOKEN: token, GITHUB_API_URL: github.url, PROW_GCS_URL: github.url, GITHUB_PUSH_URL: bare }).github,
    orchestra.config.team,
  );
  host = createGitHub({ owner: settings.owner, repo: settings.repo, token, baseUrl: github.url, pushUrl: bare });
  port = createGitHubCiPort({ settings, host });
}, 120_000);
afterAll(async () => {
  await orchestra?.stop();
  await github?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A phase PR whose first e2e-aws run failed on the known flake, and that failure as the CI port reads it. */
async function failedPr(branch: string) {
  await git(repoDir, ['checkout', '-q', '-B', branch, 'main']);
  await git(repoDir, ['commit', '-q', '--allow-empty', '-m', branch]);
  await host.pushBranch(repoDir, branch);
  const pr = await host.openPullRequest({ branch, base: 'main', title: branch, body: branch });
  await github.idle();
  const [failure] = await port.poll(pr.url, []);
  expect(failure).toMatchObject({ job: 'e2e-aws', state: 'failure', attempt: 1, tests: [expect.objectContaining({ test: flakyTest, status: 'failed' })] });
  return { pr, failure: failure! };
}

const watch = (n: number, prUrl: string) => startCiWatch(orchestra, n, { prUrl });

const ourRetests = (issue: number) => github.comments.filter((c) => c.issue === issue && c.body.startsWith('/test '));

describe('Retester and RH-O on one PR', () => {
  it('leaves a required job’s flake to Retester once Retester retested this base+HEAD, and says so', async () => {
    const { pr, failure } = await failedPr('retester-first');
    // Retester's pass over the PR: a required job failed, so it retests (once for this base+HEAD).
    expect(await github.retesterPass(pr.number)).toBe('retest');
    await github.idle();
    const said = github.comments.filter((c) => c.issue === pr.number && c.user === 'openshift-ci-robot');
    expect(said).toHaveLength(1);
    expect(said[0]!.body).toMatch(
      new RegExp(`^/retest-required\\n\\nRemaining retests: 0 against base HEAD [0-9a-f]{40} and 2 for PR HEAD ${pr.headSha} in total`),
    );

    const { key, handle } = await watch(1, pr.url);
    await handle.signal(ciResultSignal, failure);
    const rows = await waitFor(
      () => decisionsFor(orchestra.store.db, key),
      (r) => r.some((d) => d.kind === 'ci-retry'),
    );
    const retry = rows.find((d) => d.kind === 'ci-retry')!;
    expect(retry.detail).toMatchObject({
      leftToRetester: true,
      decisions: [
        expect.objectContaining({ test: flakyTest, action: 'leave-to-retester', reason: expect.stringContaining('Retester already retested this base+HEAD') }),
      ],
    });
    await new Promise((r) => setTimeout(r, 500));
    await github.idle();
    expect(ourRetests(pr.number)).toEqual([]);
    // Retester's one retest ran the job again, and only it.
    expect(github.jobRuns.filter((r) => r.sha === pr.headSha).map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('retries the same flake itself when Retester has not commented', async () => {
    const { pr, failure } = await failedPr('no-retester');
    const { key, handle } = await watch(2, pr.url);
    await handle.signal(ciResultSignal, failure);
    await waitFor(
      async () => ourRetests(pr.number).length,
      (n) => n === 1,
    );
    expect(ourRetests(pr.number)[0]!.body.split('\n')[0]).toBe('/test e2e-aws');
    // The /test comment is posted by the retrigger activity before the workflow records its decision: wait for the row too.
    const rows = await waitFor(
      () => decisionsFor(orchestra.store.db, key),
      (r) => r.some((d) => d.kind === 'ci-retry'),
    );
    const retry = rows.find((d) => d.kind === 'ci-retry')!;
    expect(retry.detail).toMatchObject({ decisions: [expect.objectContaining({ test: flakyTest, action: 'retry' })] });
    expect((retry.detail as { leftToRetester?: boolean }).leftToRetester).toBeUndefined();
  });
});

describe("reading Retester's comments", () => {
  const head = 'a'.repeat(40);
  const base = 'b'.repeat(40);
  const robot = { login: 'openshift-ci-robot' };
  const retest = (b: string, h: string, user = robot) => ({
    user,
    body: `/retest-required\n\nRemaining retests: 0 against base HEAD ${b} and 2 for PR HEAD ${h} in total\n`,
  });

  it("counts Retester's retests of this HEAD, pairs them with the base, and reads its hold as the cap reached", () => {
    expect(retesterActivity([retest(base, head)], head, base)).toEqual({ retestsOnHead: 1, retestedBaseHead: true });
    // The base moved since: Retester may retest this HEAD once more, so ours would stack.
    expect(retesterActivity([retest(base, head)], head, 'c'.repeat(40))).toEqual({ retestsOnHead: 1, retestedBaseHead: false });
    // Another HEAD's retests do not count for this one.
    expect(retesterActivity([retest(base, 'd'.repeat(40))], head, base)).toEqual({ retestsOnHead: 0, retestedBaseHead: false });
    const hold = { user: { login: 'openshift-ci[bot]' }, body: `/hold\n\nRevision ${head} was retested 3 times: holding\n` };
    expect(retesterActivity([retest(base, head), hold], head.slice(0, 12), base)).toEqual({ retestsOnHead: 3, retestedBaseHead: true, heldAfter: 3 });
  });

  it('ignores the same words from anyone else, and a bare /retest-required', () => {
    expect(parseRetesterComment(retest(base, head, { login: 'someone' }))).toBeUndefined();
    expect(parseRetesterComment({ user: robot, body: '/retest-required' })).toBeUndefined();
    expect(parseRetesterComment({ user: robot, body: '/lgtm' })).toBeUndefined();
    expect(parseRetesterComment(retest(base, head))).toEqual({ kind: 'retest', base, head });
  });
});
