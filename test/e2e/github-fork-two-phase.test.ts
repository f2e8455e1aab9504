// Issue 20's "done when", end to end: a two-phase plan in GitHub mode as a GitHub App (no personal token is set
// anywhere: the product mints installation tokens from the app's key), through forks, against the loopback
// GitHub (real bare repositories behind the upstream, the bot's fork and maria's fork, Prow's job, signed
// webhooks to the product's POST /github/webhook) and a loopback Sippy.
// - Phase capacity is maria's to pair on: its branch is pushed to her fork, she pushes a commit to it with git,
//   hands the phase back in the pair thread, and RH-A continues on top of her commit (the PR's head has it as
//   an ancestor) and opens the PR from maria-dev:branch. The invitation names her fork and its URL. Her first
//   push starts from her fork's stale main, so the branch and RH-A's copy diverge: she is told both heads, nothing
//   is forced, the phase waits; she rebases, pushes and hands it back again.
// - Its first CI run fails a test that Sippy's history says flakes (70% pass): RH-O retries it with /test,
//   silently. Phase reserved's PR fails a test that passes 99.5% of the time: escalated at once (DM and
//   channel), no retry.
// - Phase reserved's PR opens with Prow's /hold and a comment naming phase capacity's PR; a person's label on
//   it stays; when GitHub delivers capacity's merge (pull_request closed, merged), the hold is lifted.
// - An approving review by an api/ OWNERS approver counts in L4 and reaches maria as "Ready to merge?".
// - A revert PR naming capacity's PR is merged: the revert is recorded as the change's outcome, and the
//   dashboard's calibration shows it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { conditionsFile } from '../../src/agent/recipes/paths.js';
import { git } from '../../src/integrations/git.js';
import { renderJUnit } from '../../src/integrations/ci/junit.js';
import { ensureCiHistorySchedule } from '../../src/orchestrator/schedules.js';
import type { Plan } from '../../src/plan/schema.js';
import { ciHistoryImportScheduleId, workItemWorkflowId } from '../../workflows/ids.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';
import { sippyRow, startFakeSippy, type FakeSippy } from '../support/doubles/sippy.js';
import { useSlackProduct } from '../support/slack-product.js';
import { actionIds, seen, until } from '../support/slack-view.js';

const scratch = mkdtempSync(join(tmpdir(), 'sitroom-gh-fork-e2e-'));
const bare = { upstream: join(scratch, 'upstream.git'), bot: join(scratch, 'bot-fork.git'), maria: join(scratch, 'maria-fork.git') };
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(scratch, 'app.pem');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
const webhookSecret = randomBytes(16).toString('hex');
const dashboardSecret = randomBytes(16).toString('hex');

// Sippy's names: the flaky one is not among team.yaml's known signatures, so only Sippy's history makes it a flake.
const flaky = 'TestNodePool/HostedCluster0/Main/TestNTOMachineConfigAppliedInPlace';
const solid = 'TestCreateCluster/Main/EnsureNoCrashingPods';
const release = '4.22';
const variant = 'Installer:hypershift';

let github: FakeGitHub;
let sippy: FakeSippy;

/** Prow's unit job: phase capacity's first run trips the flake, phase reserved's runs fail the 99.5% test, the rest pass. */
function unitRun({ sha, attempt }: { sha: string; attempt: number }) {
  const pull = github.pulls.find((p) => p.sha === sha);
  const failing =
    pull?.headOwner === 'maria-dev' && attempt === 1
      ? { name: flaky, message: 'nto_machineconfig_test.go:141: context deadline exceeded waiting for the MachineConfig rollout' }
      : pull?.headOwner === 'sitroom-bot' && pull.head.includes('/reserved-')
        ? { name: solid, message: 'create_cluster_test.go:88: pod control-plane-operator-5d9f7c-abcde restarted 3 times' }
        : undefined;
  const cases = [flaky, solid].map((name) => ({
    suite: 'e2e',
    name,
    classname: 'e2e',
    timeSeconds: 1,
    status: failing?.name === name ? ('failed' as const) : ('passed' as const),
    message: failing?.name === name ? failing.message : '',
  }));
  return { passed: !failing, junitXml: renderJUnit([{ name: 'unit', cases }]) };
}

beforeAll(async () => {
  for (const dir of Object.values(bare)) await git(scratch, ['init', '-q', '--bare', '-b', 'main', dir]);
  github = await startFakeGitHub({
    owner: 'openshift',
    repo: 'hypershift',
    bareRepo: bare.upstream,
    app: { appId: '4242', installationId: '777', publicKey },
    forks: { 'sitroom-bot/hypershift': bare.bot, 'maria-dev/hypershift': bare.maria },
    jobs: [{ name: 'unit', required: true, run: unitRun }],
  });
  sippy = await startFakeSippy({
    [release]: [
      sippyRow(flaky, [variant, 'Platform:aws'], 400, 120, 100), // 70% pass, a quarter of the runs flaked
      sippyRow(solid, [variant, 'Platform:aws'], 1000, 5, 0), // 99.5%: the Risk Analysis "high" band
    ],
  });
});

const product = useSlackProduct({
  dashboardSecret,
  runtime: () => ({
    processEnv: {
      GITHUB_TOKEN: undefined,
      GITHUB_APP_ID: '4242',
      GITHUB_APP_INSTALLATION_ID: '777',
      GITHUB_APP_PRIVATE_KEY_PATH: keyFile,
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_FORK: 'sitroom-bot/hypershift',
      GITHUB_PUSH_URL: undefined,
      PROW_GCS_URL: github.url,
      GITHUB_WEBHOOK_SECRET: webhookSecret,
      CI_WEBHOOK_SECRET: undefined,
    },
  }),
});
const { dm, dmOf, newDm, current } = product;

beforeAll(async () => {
  // The upstream and both forks start as copies of the target repository; GitHub tells the product about every change.
  for (const dir of Object.values(bare)) await git(product.rt.core.targetRepo, ['push', '-q', dir, 'main']);
  github.setWebhook({ url: `${product.surfaces.http.url}/github/webhook`, secret: webhookSecret });
  // The team's files, as the team edits them: maria's fork in her role file, Sippy in team.yaml.
  const config = join(product.rt.core.targetRepo, '.rh-agentic');
  appendFileSync(join(config, 'roles', 'maria.yaml'), 'fork: maria-dev/hypershift\n');
  const team = parseDocument(readFileSync(join(config, 'team.yaml'), 'utf8'));
  team.setIn(['ci', 'sippy'], { url: sippy.url, release, variants: [variant], import_every: '1h' });
  writeFileSync(join(config, 'team.yaml'), team.toString());
});
afterAll(async () => {
  await product.rt.env.client.schedule
    .getHandle(ciHistoryImportScheduleId)
    .delete()
    .catch(() => undefined);
  await github?.close();
  await sippy?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const grade = (text: string, level: string): string | undefined => new RegExp(`\\*${level}\\* (\\w+)`).exec(text)?.[1];

describe('a two-phase plan through forks as a GitHub App', () => {
  it('pairs on a fork, retries a Sippy flake, escalates a regression, holds and releases by merge order, counts an OWNERS review and records a revert', async () => {
    const { rt, ws } = product;
    expect(rt.core.mode).toBe('github');
    expect(rt.core.environment.github.token).toBeUndefined();
    const key = `${rt.keyPrefix}-41`;
    const alerts = rt.core.config.current().team.notifications.alerts_channel.replace(/^#/, '');
    const cookie = await product.signIn('maria');
    const dashboard = async () => (await fetch(`${product.surfaces.http.url}/dashboard`, { headers: { cookie } })).text();

    // The worker process creates the Sippy import's Schedule at start when team.yaml names Sippy (src/main/processes.ts).
    await until(() => rt.core.config.current().team.ci.sippy, 'the edited team.yaml in force');
    await ensureCiHistorySchedule(rt.env.client, 3_600_000, rt.taskQueue);
    await until(
      async () => (await dashboard()).includes(`Sippy history: release ${release}, 2 tests`) || undefined,
      'the Sippy import on the dashboard',
      60_000,
    );

    const plan: Plan = {
      workItemKey: key,
      intention: 'NodePool reports capacity errors and reservations',
      summary: '',
      phases: [
        {
          id: 'capacity',
          title: 'Add NodePool condition type CapacityError and reason InsufficientCapacity',
          activity: 'core_logic', // maria pairs on core logic (her role file)
          files: [conditionsFile, 'api/hypershift/v1beta1/nodepool_condition_capacity_error_test.go'],
          constraints: ['CamelCase condition type and reason values'],
          validation: [{ command: 'make verify', why: 'generated code current' }],
          dependsOn: [],
          mergeOrder: 1,
        },
        {
          id: 'reserved',
          title: 'Add NodePool condition type CapacityReserved and reason ReservationPending',
          activity: 'api_changes',
          files: [conditionsFile, 'api/hypershift/v1beta1/nodepool_condition_capacity_reserved_test.go'],
          constraints: ['CamelCase condition type and reason values'],
          validation: [{ command: 'make verify', why: 'generated code current' }],
          dependsOn: [],
          mergeOrder: 2,
        },
      ],
    };
    await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [{ key, ownerId: 'maria', title: 'Capacity errors and reservations', intention: plan.intention, plan }],
    });

    const planGate = await newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), 'the plan gate', 60_000);
    expect((await ws.tap('maria', planGate, 'sitroom:decide:approve-plan')).status).toBe(200);
    // Meanwhile tide merges someone else's change upstream; maria's fork's main stays where it was.
    const other = join(scratch, 'other-clone');
    await git(scratch, ['clone', '-q', bare.upstream, other]);
    writeFileSync(join(other, 'CAPACITY-NOTES.md'), 'Another team documents capacity reservations.\n');
    await git(other, ['add', 'CAPACITY-NOTES.md']);
    await git(other, ['-c', 'user.name=Lee', '-c', 'user.email=lee@example.com', 'commit', '-q', '-m', 'docs: capacity reservations']);
    await git(other, ['push', '-q', 'origin', 'main']);
    const upstreamHead = (await git(other, ['rev-parse', 'HEAD'])).trim();
    const gateOf = (phase: string) =>
      newDm('maria', (m) => seen(m).includes(`Phase gate — ${key}`) && seen(m).includes(`phase ${phase}`), `the ${phase} phase gate`, 60_000);
    expect((await ws.tap('maria', await gateOf('capacity'), 'sitroom:decide:approve-phase')).status).toBe(200);

    // 1. Pairing through her fork: the branch is on maria-dev/hypershift; she pushes a commit to it with git.
    const invite = await newDm('maria', (m) => m.text.includes(`${key} phase capacity is yours to pair on`), 'the pair invitation', 120_000);
    const [, branch, pushUrl] = /Push your commits to maria-dev\/hypershift:(\S+) \(git push (\S+) \S+\)\.$/m.exec(invite.text) ?? [];
    expect(branch).toBe(`sitroom/${key.toLowerCase()}/capacity-1`);
    expect(pushUrl).toBe(`${github.url}/maria-dev/hypershift.git`);
    expect((await git(bare.maria, ['rev-parse', '--verify', `refs/heads/${branch}`])).trim()).toMatch(/^[0-9a-f]{40}$/);
    await expect(git(bare.bot, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])).rejects.toThrow();

    // She starts the branch from her fork's main, which lacks the upstream's new commit, and pushes it over the prepared one.
    const mine = join(scratch, 'maria-clone');
    await git(scratch, ['clone', '-q', bare.maria, mine]);
    await git(mine, ['checkout', '-q', '-b', branch!, 'origin/main']);
    appendFileSync(join(mine, conditionsFile), '\n// Capacity conditions are set by the NodePool controller when the platform refuses machines.\n');
    await git(mine, [
      '-c',
      'user.name=Maria Alvarez',
      '-c',
      'user.email=maria@example.com',
      'commit',
      '-q',
      '-am',
      `${key}: where capacity conditions come from`,
    ]);
    await git(mine, ['push', '-q', '-f', 'origin', branch!]);
    let hers = (await git(mine, ['rev-parse', 'HEAD'])).trim();

    const channel = dm('maria');
    const { ts } = await ws.sendMessage('maria', channel, `pair with me on phase capacity of ${key}`);
    await until(() => ws.threadReplies(channel, ts).find((m) => m.text.startsWith('Pairing on')), 'the pair thread');
    await ws.sendMessage('maria', channel, 'take it from here', ts);
    await product.replyIn(channel, ts, (m) => m.text.includes('continues from your commits'), 'the hand-back reply');

    // The two sides diverged: explained with both heads, nothing forced, and the phase waits for her (no failure).
    const diverged = await newDm('maria', (m) => m.text.includes(`${key} phase capacity is waiting for you`), 'the divergence message', 120_000);
    expect(diverged.text).toContain(`${branch} on your fork maria-dev/hypershift (at ${hers.slice(0, 10)})`);
    expect(diverged.text).toContain(`RH-A's copy (at ${upstreamHead.slice(0, 10)}) have diverged`);
    expect(diverged.text).toContain('Nothing was forced');
    expect(diverged.text).toContain('say "take it from here"');
    // The pair thread she handed back in says the same.
    const inThread = await product.replyIn(
      channel,
      ts,
      (m) => m.text.includes(`${key} phase capacity is waiting for you`),
      'the divergence in the pair thread',
    );
    expect(inThread.text).toContain(`(at ${hers.slice(0, 10)})`);
    expect(inThread.text).toContain(`(at ${upstreamHead.slice(0, 10)})`);
    expect(dmOf('maria').some((m) => m.text.includes(`${key} phase capacity failed`))).toBe(false);
    expect((await git(bare.maria, ['rev-parse', `refs/heads/${branch}`])).trim()).toBe(hers);
    expect(github.pulls.find((p) => p.head === branch)).toBeUndefined();

    // She rebases onto the upstream, pushes, and hands the phase back in the same thread.
    await git(mine, ['fetch', '-q', bare.upstream, 'main']);
    await git(mine, ['-c', 'user.name=Maria Alvarez', '-c', 'user.email=maria@example.com', 'rebase', '-q', 'FETCH_HEAD']);
    await git(mine, ['push', '-q', '-f', 'origin', branch!]);
    hers = (await git(mine, ['rev-parse', 'HEAD'])).trim();
    await ws.sendMessage('maria', channel, 'take it from here', ts);
    await until(
      () => ws.threadReplies(channel, ts).filter((m) => m.text.includes('continues from your commits')).length === 2 || undefined,
      'the second hand-back reply',
    );

    // RH-A continues on top of her commit and opens the PR from her fork onto the upstream.
    const ready = await newDm('maria', (m) => seen(m).includes(`PR ready — ${key} capacity`), '"PR ready" for capacity', 300_000);
    const first = github.pulls.find((p) => p.head === branch)!;
    expect(first).toMatchObject({ headOwner: 'maria-dev', base: 'main' });
    const firstUrl = `${github.url}/openshift/hypershift/pull/${first.number}`;
    expect(seen(ready)).toContain(firstUrl);
    expect(first.sha).not.toBe(hers);
    await git(bare.maria, ['merge-base', '--is-ancestor', hers, first.sha]); // throws when her commit is not in the PR's head
    await git(bare.maria, ['merge-base', '--is-ancestor', upstreamHead, first.sha]);
    expect(await git(bare.maria, ['show', `${first.sha}:${conditionsFile}`])).toContain('NodePoolCapacityErrorConditionType');
    expect(await git(bare.maria, ['show', `${first.sha}:${conditionsFile}`])).toContain('Capacity conditions are set by the NodePool controller');
    // Every push and API call was the app's; nothing reached the upstream's branches.
    expect(new Set(github.gitRequests.filter((r) => r.service === 'git-receive-pack').map((r) => r.login))).toEqual(new Set(['sitroom-app[bot]']));
    expect(github.tokens.issued.length).toBeGreaterThan(0);
    await expect(git(bare.upstream, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])).rejects.toThrow();

    // 2. The flake: retried with /test on the PR, silently (no alert anywhere), and the retry passed.
    const firstComments = () => github.comments.filter((c) => c.issue === first.number);
    expect(firstComments().map((c) => c.body.split('\n')[0])).toContain('/test unit');
    expect(github.jobRuns.filter((r) => r.sha === first.sha).map((r) => [r.attempt, r.passed])).toEqual([
      [1, false],
      [2, true],
    ]);
    const blocked = (phase: string) => (m: { text: string; blocks?: unknown }) => seen(m as never).includes(`CI blocked — ${key} ${phase}`);
    expect(dmOf('maria').some(blocked('capacity'))).toBe(false);
    expect(ws.messagesIn(alerts).some(blocked('capacity'))).toBe(false);

    // 3. Phase reserved opens after capacity's PR: held with /hold, naming capacity's PR.
    expect((await ws.tap('maria', await gateOf('reserved'), 'sitroom:decide:approve-phase')).status).toBe(200);
    const second = await until(() => github.pulls.find((p) => p.head === `sitroom/${key.toLowerCase()}/reserved-1`), 'the reserved PR', 300_000);
    expect(second.headOwner).toBe('sitroom-bot');
    const secondComments = () => github.comments.filter((c) => c.issue === second.number);
    const hold = await until(() => secondComments().find((c) => c.body.split('\n')[0] === '/hold'), 'the /hold comment', 60_000);
    expect(hold.body).toContain(`phase capacity ("${plan.phases[0]!.title}") ${firstUrl}`);
    expect(hold.user).toBe('sitroom-app[bot]');
    expect(github.labels.get(second.number)?.has('do-not-merge/hold')).toBe(true);
    // A reviewer labels it in GitHub's UI: their label, not the bot's to touch.
    github.labelAs('approver-bob', second.number, 'needs-ok-to-test');

    // 4. The regression: a failure of the 99.5% test is escalated at once, to maria and the channel, with no retry.
    const alertDm = await newDm('maria', blocked('reserved'), 'the CI alert in her DM', 180_000);
    const inChannel = await until(() => ws.messagesIn(alerts).find(blocked('reserved')), 'the CI alert in the channel');
    for (const alert of [alertDm, inChannel]) expect(seen(alert)).toContain(solid);
    await github.idle();
    expect(secondComments().filter((c) => c.body.startsWith('/test') || c.body.startsWith('/retest'))).toEqual([]);
    expect(github.jobRuns.filter((r) => r.sha === second.sha).map((r) => r.attempt)).toEqual([1]);
    // The dashboard shows both tests as the decisions took them.
    const health = await dashboard();
    const stateOf = (test: string) =>
      new RegExp(`data-test="${test.replace(/[/]/g, '\\/')}"><div class="ci-head"><span class="chip s-(\\w+)">`).exec(health)?.[1];
    expect(stateOf(flaky)).toBe('flaky');
    expect(stateOf(solid)).toBe('regressed');

    // 5. An api/ OWNERS approver approves capacity's PR: L4 counts it and maria is asked "Ready to merge?".
    const l4Before = grade(seen(ready), 'L4 human');
    await github.submitReview(first.number, 'joelspeed', 'APPROVED');
    const approved = await newDm('maria', (m) => m.text.startsWith(`joelspeed approved ${key}`), 'the OWNERS approval', 60_000);
    expect(seen(approved)).toContain('as an OWNERS approver: L4 counts it.');
    expect(grade(seen(approved), 'L4 human')).not.toBe(l4Before);
    const readyAction = `sitroom:decide:ready-to-merge:${firstUrl}`;
    expect(actionIds(approved)).toContain(readyAction);
    expect((await ws.tap('maria', approved, readyAction)).status).toBe(200);
    await until(() => firstComments().find((c) => c.body.split('\n')[0] === '/hold cancel'), "maria's /hold cancel on capacity's PR");
    await until(() => !actionIds(current('maria', approved)).includes(readyAction) || undefined, 'the approval DM without its button');

    // 6. Tide merges capacity's PR; GitHub delivers the merge; the hold on reserved's PR is lifted, the reviewer's label stays.
    await github.mergePull(first.number);
    const released = await until(
      () => secondComments().find((c) => c.body.split('\n')[0] === '/hold cancel'),
      "the /hold cancel on reserved's PR after the merge",
      60_000,
    );
    expect(released.body).toContain('What this PR waited for has merged.');
    expect(github.labels.get(second.number)?.has('do-not-merge/hold')).toBe(false);
    expect(github.labels.get(second.number)?.has('needs-ok-to-test')).toBe(true);
    const calibrated = (html: string, level: string) => new RegExp(`data-level="${level}"[^]*?(\\d+) of (\\d+) needed a fix`).exec(html)?.slice(1, 3);
    await until(async () => (calibrated(await dashboard(), 'L1')?.[1] === '1' ? true : undefined), 'the merge in calibration', 60_000);
    expect(calibrated(await dashboard(), 'L1')).toEqual(['0', '1']);

    // 7. A person reverts it with GitHub's "Revert" button: the merged revert is recorded as the change's outcome.
    const revertBranch = `revert-${first.number}-${branch!.replace(/\//g, '-')}`;
    const reverter = join(scratch, 'revert-clone');
    await git(scratch, ['clone', '-q', bare.upstream, reverter]);
    await git(reverter, ['checkout', '-q', '-b', revertBranch]);
    await git(reverter, ['-c', 'user.name=Bob', '-c', 'user.email=bob@example.com', 'revert', '--no-edit', '-m', '1', first.mergeCommitSha!]);
    await git(reverter, ['push', '-q', 'origin', revertBranch]);
    const revert = await github.openPullAs('approver-bob', {
      head: revertBranch,
      title: `Revert "${first.title}"`,
      body: `Reverts openshift/hypershift#${first.number}\n\nThe capacity condition flaps on kubevirt.`,
    });
    await github.mergePull(revert.number);
    await until(async () => (calibrated(await dashboard(), 'L1')?.[0] === '1' ? true : undefined), 'the revert in calibration on the dashboard', 60_000);
    expect(calibrated(await dashboard(), 'L1')).toEqual(['1', '1']);
  }, 900_000);
});
