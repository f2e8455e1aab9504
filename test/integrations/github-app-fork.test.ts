// GitHub mode as a GitHub App through forks, against the loopback GitHub: installation tokens minted from the
// app's signed JWT (no personal token anywhere), pushes over git's smart HTTP as the app through a credential
// helper scoped to the one command, PRs from fork-owner:branch onto the upstream, a developer's commits on
// their fork taken fast-forward (a diverged branch explained, never forced), Prow holds that respect a
// person's, and GitHub's refusals as the catalogue's failures: 401 expired token (refresh and retry once),
// 403 protected branch, 404 deleted fork, 422 duplicate PR (the existing one is reused), 429/403 rate limits
// with Retry-After.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { environmentFrom, parseEnvironment } from '../../src/config/environment.js';
import { loadConfig } from '../../src/config/load.js';
import { CataloguedFailure } from '../../src/contracts/failures.js';
import { asApplicationFailure } from '../../src/activities/failures.js';
import { git } from '../../src/integrations/git.js';
import { createGitHubMode } from '../../src/integrations/ci/github-mode.js';
import { holdState } from '../../src/integrations/github-errors.js';
import type { CodeHost } from '../../src/integrations/github.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';
import { protectBranches } from '../support/doubles/github-git.js';
import { exampleRepoWithUpstreams } from '../support/example-upstream.js';
import { thrown } from '../support/failures.js';

const scratch = mkdtempSync(join(tmpdir(), 'sitroom-gh-app-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(scratch, 'app.pem');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });

describe('GitHub App identity, forks and holds on the loopback GitHub', () => {
  let github: FakeGitHub;
  let host: CodeHost;
  let repoDir: string;
  const bare = { upstream: join(scratch, 'upstream.git'), bot: join(scratch, 'bot-fork.git'), maria: join(scratch, 'maria-fork.git') };
  const credentialsDir = join(scratch, 'credentials');
  let env: Record<string, string>;

  beforeAll(async () => {
    repoDir = await exampleRepoWithUpstreams(scratch, Object.values(bare));
    github = await startFakeGitHub({
      owner: 'openshift',
      repo: 'hypershift',
      bareRepo: bare.upstream,
      app: { appId: '4242', installationId: '777', publicKey },
      forks: { 'sitroom-bot/hypershift': bare.bot, 'maria-dev/hypershift': bare.maria },
    });
    env = {
      GITHUB_APP_ID: '4242',
      GITHUB_APP_INSTALLATION_ID: '777',
      GITHUB_APP_PRIVATE_KEY_PATH: keyFile,
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_FORK: 'sitroom-bot/hypershift',
      PROW_GCS_URL: github.url,
    };
    const { team } = loadConfig(repoDir);
    host = createGitHubMode(environmentFrom(env).github, team, {
      developerFork: (id) => (id === 'maria' ? 'maria-dev/hypershift' : undefined),
      credentialsDir,
    }).host;
  }, 60_000);
  afterAll(async () => github?.close());

  it('names a bad app configuration: a key others can read, a missing partner variable', () => {
    const loose = join(scratch, 'loose.pem');
    writeFileSync(loose, privateKey.export({ type: 'pkcs1', format: 'pem' }));
    chmodSync(loose, 0o644);
    const bad = parseEnvironment({ ...env, GITHUB_APP_PRIVATE_KEY_PATH: loose });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.map((p) => `${p.variable}: ${p.message}`)).toEqual([
      expect.stringMatching(/^GITHUB_APP_PRIVATE_KEY_PATH: .*mode 0644: chmod 600/),
    ]);
    const partial = parseEnvironment({ GITHUB_APP_ID: '4242' });
    expect(!partial.ok && partial.problems.map((p) => p.variable)).toEqual(['GITHUB_APP_INSTALLATION_ID', 'GITHUB_APP_PRIVATE_KEY_PATH']);
    const { team } = loadConfig(repoDir);
    expect(() => createGitHubMode(environmentFrom({ GITHUB_API_URL: github.url }).github, team)).toThrow(/GitHub mode needs an identity: set GITHUB_APP_ID/);
  });

  it('pushes to the bot fork as the app, opens the PR from fork-owner:branch, and reuses it on a duplicate (422)', async () => {
    await git(repoDir, ['checkout', '-q', '-b', 'sitroom/w-1/api-1', 'main']);
    await git(repoDir, ['commit', '-q', '--allow-empty', '-m', 'api change']);
    await host.pushBranch(repoDir, 'sitroom/w-1/api-1');
    // git's smart HTTP asks twice per push (the refs, then the pack); both as the app, both to the bot's fork.
    expect(new Set(github.gitRequests.filter((r) => r.service === 'git-receive-pack').map((r) => `${r.slug} as ${r.login}`))).toEqual(
      new Set(['sitroom-bot/hypershift as sitroom-app[bot]']),
    );
    expect((await git(bare.bot, ['rev-parse', 'refs/heads/sitroom/w-1/api-1'])).trim()).toBe((await git(repoDir, ['rev-parse', 'HEAD'])).trim());
    await expect(git(bare.upstream, ['rev-parse', '--verify', '-q', 'refs/heads/sitroom/w-1/api-1'])).rejects.toThrow();
    // The token lived in a file only for the push.
    expect(existsSync(credentialsDir) ? readdirSync(credentialsDir) : []).toEqual([]);

    const pr = await host.openPullRequest({ branch: 'sitroom/w-1/api-1', base: 'main', title: 'W-1: api', body: 'evidence' });
    expect(github.pulls[0]).toMatchObject({ number: pr.number, headOwner: 'sitroom-bot', head: 'sitroom/w-1/api-1', base: 'main' });
    const again = await host.openPullRequest({ branch: 'sitroom/w-1/api-1', base: 'main', title: 'W-1: api', body: 'evidence' });
    expect(again.number).toBe(pr.number);
    expect(github.pulls).toHaveLength(1);
    expect(await host.findPullRequest('sitroom/w-1/api-1')).toMatchObject({ number: pr.number });

    // One installation token served all of it; the JWT it was minted with is RS256-signed, issued by the app, short-lived.
    expect(github.tokens.issued).toHaveLength(1);
    expect(github.tokens.jwts[0]).toMatchObject({ iss: '4242' });
    expect(github.tokens.jwts[0]!.exp - github.tokens.jwts[0]!.iat).toBeLessThanOrEqual(600);
  });

  it('refreshes an installation token GitHub answers 401 to, once, for the API and for git', async () => {
    const pr = github.pulls[0]!.number;
    github.tokens.expireAll();
    await host.comment(pr, 'hello after expiry');
    expect(github.tokens.issued).toHaveLength(2);
    expect(github.comments.at(-1)).toMatchObject({ body: 'hello after expiry', user: 'sitroom-app[bot]' });

    github.tokens.expireAll();
    await git(repoDir, ['commit', '-q', '--allow-empty', '-m', 'second']);
    await host.pushBranch(repoDir, 'sitroom/w-1/api-1');
    expect(github.tokens.issued).toHaveLength(3);
    expect((await git(bare.bot, ['log', '-1', '--format=%s', 'refs/heads/sitroom/w-1/api-1'])).trim()).toBe('second');
  });

  it('turns 429 and 403 secondary rate limits into a retryable failure that waits as long as GitHub asked', async () => {
    const pr = github.pulls[0]!.number;
    github.rateLimit(1, { status: 429, retryAfterSeconds: 7 });
    const limited = await thrown(host.comment(pr, 'x'));
    expect(limited).toBeInstanceOf(CataloguedFailure);
    expect(limited).toMatchObject({ type: 'GitHubRateLimited', nonRetryable: false, options: { retryAfterMs: 7000 } });
    const temporal = asApplicationFailure(limited) as ApplicationFailure;
    expect(temporal).toBeInstanceOf(ApplicationFailure);
    expect(temporal).toMatchObject({ type: 'GitHubRateLimited', nonRetryable: false, nextRetryDelay: 7000 });

    github.rateLimit(1, { status: 403, retryAfterSeconds: 60 });
    expect(await thrown(host.comment(pr, 'y'))).toMatchObject({
      type: 'GitHubRateLimited',
      options: { retryAfterMs: 60_000 },
      message: expect.stringMatching(/rate limit .* trying again in 60 s/),
    });
    await host.comment(pr, 'after the limit');
    expect(github.comments.at(-1)!.body).toBe('after the limit');
  });

  it('explains a protected branch (403 GH006) and a deleted fork (404) as failures Temporal does not retry', async () => {
    protectBranches(bare.bot, ['release-*']);
    await git(repoDir, ['branch', '-f', 'release-4.18', 'HEAD']);
    const protectedPush = await thrown(host.pushBranch(repoDir, 'release-4.18'));
    expect(protectedPush).toMatchObject({
      type: 'ProtectedBranch',
      nonRetryable: true,
      message: expect.stringMatching(/release-4\.18 to sitroom-bot\/hypershift: the branch is protected there \(GH006\)/),
    });

    github.forks.delete('sitroom-bot/hypershift');
    try {
      const gone = await thrown(host.pushBranch(repoDir, 'sitroom/w-1/api-1'));
      expect(gone).toMatchObject({
        type: 'ForkNotFound',
        nonRetryable: true,
        message: expect.stringMatching(/^sitroom-bot\/hypershift does not exist any more \(GitHub answers 404\)/),
      });
    } finally {
      github.forks.set('sitroom-bot/hypershift', bare.bot);
    }
  });

  it("takes the developer's commits from their fork fast-forward, and explains a branch that moved on both sides without forcing it", async () => {
    const branch = 'sitroom/w-2/impl-1';
    const wt = join(scratch, 'phase-wt');
    await git(repoDir, ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    expect(await host.pullBranch!(wt, branch, { developer: 'maria' })).toEqual({ remote: 'absent', commits: 0 });
    await host.pushBranch(wt, branch, { developer: 'maria' });
    expect(github.gitRequests.at(-1)).toMatchObject({ slug: 'maria-dev/hypershift', service: 'git-receive-pack' });

    // Maria works in her own clone of her fork and pushes.
    const mine = join(scratch, 'maria-clone');
    await git(scratch, ['clone', '-q', '-b', branch, bare.maria, mine]);
    writeFileSync(join(mine, 'NOTES.md'), 'capacity errors: start from the condition type\n');
    await git(mine, ['add', 'NOTES.md']);
    await git(mine, ['commit', '-q', '-m', 'maria: notes on the approach']);
    await git(mine, ['push', '-q', 'origin', branch]);

    expect(await host.pullBranch!(wt, branch, { developer: 'maria' })).toEqual({ remote: 'fast-forwarded', commits: 1 });
    expect((await git(wt, ['log', '-1', '--format=%s'])).trim()).toBe('maria: notes on the approach');

    // Both sides move: nothing is forced, and the person is told what each side has.
    await git(wt, ['commit', '-q', '--allow-empty', '-m', 'agent: step']);
    await git(mine, ['commit', '-q', '--allow-empty', '-m', 'maria: second thought']);
    await git(mine, ['push', '-q', 'origin', branch]);
    const ours = (await git(wt, ['rev-parse', 'HEAD'])).trim();
    const diverged = await thrown(host.pullBranch!(wt, branch, { developer: 'maria' }));
    expect(diverged).toMatchObject({ type: 'NonFastForward', nonRetryable: true });
    expect(diverged.message).toMatch(
      /has 1 commit\(s\) the agent's copy lacks \(\w+ maria: second thought\) and the agent's copy has 1 it lacks \(\w+ agent: step\)\. Nothing was forced/,
    );
    expect((await git(wt, ['rev-parse', 'HEAD'])).trim()).toBe(ours);
    const pushRejected = await thrown(host.pushBranch(wt, branch, { developer: 'maria' }));
    expect(pushRejected).toMatchObject({ type: 'NonFastForward' });
    expect((await git(bare.maria, ['log', '-1', '--format=%s', branch])).trim()).toBe('maria: second thought');
  });

  it("holds a PR with Prow's /hold once, lifts only its own hold, and leaves a person's alone", async () => {
    const pr = github.pulls[0]!.number;
    await host.hold!(pr, 'Waits for phase api.', 'hold:W-1:impl');
    await host.hold!(pr, 'Waits for phase api.', 'hold:W-1:impl'); // a retried activity
    expect(github.comments.filter((c) => c.issue === pr && c.body.startsWith('/hold\n'))).toHaveLength(1);
    expect(github.labels.get(pr)?.has('do-not-merge/hold')).toBe(true);
    await expect(github.mergePull(pr)).rejects.toMatchObject({ status: 405 });
    expect((await host.releaseHold!(pr, 'hold:W-1:impl')).outcome).toBe('released');
    expect(github.labels.get(pr)?.has('do-not-merge/hold')).toBe(false);
    expect((await host.releaseHold!(pr, 'hold:W-1:impl')).outcome).toBe('not-held');

    // A reviewer holds it too: our hold cancelled would cancel theirs (one label), so it stays.
    await host.hold!(pr, 'Waits again.', 'hold:W-1:impl2');
    github.commentAs('reviewer-ann', pr, 'Let me look first.\n/hold');
    expect((await host.releaseHold!(pr, 'hold:W-1:impl2')).outcome).toBe('held-by-person');
    expect(github.labels.get(pr)?.has('do-not-merge/hold')).toBe(true);
    github.commentAs('reviewer-ann', pr, '/hold cancel');
    expect((await host.releaseHold!(pr, 'hold:W-1:impl2')).outcome).toBe('not-held');

    // A label put on by hand in GitHub's UI is a person's hold as well.
    await host.hold!(pr, 'Waits once more.', 'hold:W-1:impl3');
    github.commentAs('reviewer-ann', pr, '/hold cancel');
    github.labelAs('approver-bob', pr, 'do-not-merge/hold');
    expect((await host.releaseHold!(pr, 'hold:W-1:impl3')).outcome).toBe('held-by-person');
  });

  it('reads whose hold it is from comments and label events', () => {
    const ours = { body: '/hold\n\nwaiting\n<!-- sitroom:hold:W:x -->', ours: true };
    expect(holdState({ comments: [ours], labelEvents: [{ event: 'labeled', actor: 'openshift-ci[bot]' }], held: true })).toBe('ours');
    expect(holdState({ comments: [ours], labelEvents: [], held: false })).toBe('none');
    expect(holdState({ comments: [ours, { body: '/hold', ours: false }], labelEvents: [], held: true })).toBe('person');
    expect(holdState({ comments: [ours, { body: '/hold', ours: false }, { body: '/unhold', ours: false }], labelEvents: [], held: true })).toBe('ours');
    expect(holdState({ comments: [], labelEvents: [{ event: 'labeled', actor: 'openshift-ci-robot' }], held: true })).toBe('person');
  });
});
