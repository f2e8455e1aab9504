// `sitroom doctor` as the README writes it (`npx sitroom doctor`, i.e. bin/sitroom.js), against a deployment made
// of real parts: the local Slack workspace (auth.test, the x-oauth-scopes header, conversations.list), the
// Temporal dev server, PostgreSQL, a git checkout of the example target repository and a loopback GitHub REST
// API. Once healthy (every check passes, exit 0), then once per deliberate misconfiguration, each reported
// with its fix and exit 1.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, createVerify } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manifestBotScopes } from '../../src/cli/doctor.js';
import { exampleTargetRepo } from '../../src/config/load.js';
import { openStore } from '../../src/db/client.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/local-slack/server.js';
import { createDatabase } from '../support/db.js';
import { doctorLine, runDoctor } from '../support/doctor.js';
import { needsPostgres } from '../support/postgres.js';

const exec = promisify(execFile);
// First, so that a server it starts is up before the beforeAll below and stopped after everything else.
const postgres = needsPostgres();
const botToken = 'xoxb-doctor-test-token';
const githubToken = 'ghp_doctor_can_push';
/** The app's key pair: the doctor signs its JWT with the private half, the loopback GitHub checks it with the public one. */
const appKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const appId = '424242';
const installationToken = 'ghs_doctor_installation';
/** Installations the loopback GitHub knows: id → what the installation may do and which repositories it covers. */
const installations: Record<string, { permissions: Record<string, string>; repositories: string[] }> = {
  '7': { permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' }, repositories: ['sitroom-bot/hypershift'] },
  '8': { permissions: { contents: 'read', pull_requests: 'write', metadata: 'read' }, repositories: ['sitroom-bot/hypershift'] },
};
let tokenInstallation = '7';
const alertsChannel = 'hypershift-data-plane';
const workspaces: LocalWorkspace[] = [];
let github: Server | undefined;
let healthy: Record<string, string>;
let targetRepo: string;

async function workspace(options: { botScopes?: string[]; botOutsideChannels?: string[] } = {}): Promise<LocalWorkspace> {
  const started = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret: 'doctor-signing-secret',
    botToken,
    users: [],
    channels: ['general', alertsChannel],
    botScopes: manifestBotScopes(),
    ...options,
  });
  workspaces.push(started);
  return started;
}

/** GET /repos/{owner}/{repo} as GitHub answers it: permissions of the token's user on the repository. */
async function startGitHub(): Promise<string> {
  github = createServer((req, res) => {
    const match = /^\/repos\/([\w.-]+)\/([\w.-]+)$/.exec(req.url ?? '');
    const auth = req.headers.authorization ?? '';
    const minting = /^\/app\/installations\/(\w+)\/access_tokens$/.exec(req.url ?? '');
    if (minting && req.method === 'POST') {
      // The app's JWT: RS256 over header.claims, issued by the app id.
      const [head, claims, signature] = auth.replace(/^Bearer /, '').split('.');
      const verified =
        signature !== undefined && createVerify('RSA-SHA256').update(`${head}.${claims}`).verify(appKeys.publicKey, Buffer.from(signature, 'base64url'));
      const iss = verified ? (JSON.parse(Buffer.from(claims!, 'base64url').toString()) as { iss?: string }).iss : undefined;
      if (!verified || iss !== appId)
        return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'A JSON web token could not be decoded' }));
      const installation = installations[minting[1]!];
      if (!installation) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      tokenInstallation = minting[1]!;
      return void res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: installationToken, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: installation.permissions }));
    }
    if (auth === `Bearer ${installationToken}`) {
      const covered = match && installations[tokenInstallation]!.repositories.includes(`${match[1]}/${match[2]}`);
      if (!covered) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ full_name: `${match[1]}/${match[2]}` }));
    }
    if (!auth.startsWith('Bearer '))
      return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Requires authentication' }));
    if (!match) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
    const push = auth === `Bearer ${githubToken}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        full_name: `${match[1]}/${match[2]}`,
        private: false,
        permissions: { admin: false, maintain: false, push, triage: true, pull: true },
      }),
    );
  });
  await new Promise<void>((resolve) => github!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  if (!postgres.available) return;
  targetRepo = mkdtempSync(join(tmpdir(), 'sitroom-doctor-target-'));
  cpSync(exampleTargetRepo, targetRepo, { recursive: true });
  await exec('git', ['init', '-q', '-b', 'main', targetRepo]);
  const databaseUrl = await createDatabase(postgres.adminUrl(), 'sr_doctor');
  const store = await openStore({ url: databaseUrl });
  await store.close();
  const slack = await workspace();
  healthy = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: 'doctor-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    SITROOM_DASHBOARD_SECRET: 'd'.repeat(40),
    TARGET_REPO: targetRepo,
    GITHUB_TOKEN: githubToken,
    GITHUB_API_URL: await startGitHub(),
    GITHUB_REPOSITORY: 'openshift/hypershift',
  };
}, 120_000);

afterAll(async () => {
  for (const w of workspaces) await w.stop();
  github?.close();
  if (targetRepo) rmSync(targetRepo, { recursive: true, force: true });
});

describe('sitroom doctor (on real PostgreSQL, as a deployment runs: DATABASE_URL or a server of its own)', { timeout: 180_000 }, () => {
  it('a healthy deployment: every check passes and the exit code is 0', async () => {
    const { code, out } = await runDoctor(healthy);
    expect(out).toContain('all 9 checks passed');
    for (const check of [
      'environment',
      'slack token',
      'slack scopes',
      'slack alerts channel',
      'temporal namespace',
      'database migrations',
      'target checkout',
      'github push',
      'sandbox',
    ]) {
      expect(doctorLine(out, check), check).toMatch(/^ok {4}/);
    }
    expect(out).toContain(`the bot is a member of #${alertsChannel}`);
    expect(out).not.toContain(botToken);
    expect(code).toBe(0);
  });

  it('a wrong Slack token: invalid_auth, with where to copy the right one', async () => {
    const { code, out } = await runDoctor({ ...healthy, SLACK_BOT_TOKEN: 'xoxb-wrong' });
    expect(doctorLine(out, 'slack token')).toMatch(
      /FAIL {2}slack token: auth.test answered invalid_auth\n {6}fix: SLACK_BOT_TOKEN is not a valid bot token: copy the Bot User OAuth Token/,
    );
    expect(code).toBe(1);
  });

  it('a scope the manifest asks for is missing: named, with where to add it', async () => {
    const slack = await workspace({ botScopes: manifestBotScopes().filter((s) => s !== 'chat:write') });
    const { code, out } = await runDoctor({ ...healthy, SLACK_API_URL: slack.apiUrl });
    expect(doctorLine(out, 'slack scopes')).toMatch(
      /FAIL {2}slack scopes: missing chat:write\n {6}fix: add chat:write under OAuth & Permissions → Bot Token Scopes/,
    );
    expect(code).toBe(1);
  });

  it('the bot is not in the alerts channel: says to invite it', async () => {
    const slack = await workspace({ botOutsideChannels: [alertsChannel] });
    const { code, out } = await runDoctor({ ...healthy, SLACK_API_URL: slack.apiUrl });
    expect(doctorLine(out, 'slack alerts channel')).toMatch(
      new RegExp(`FAIL {2}slack alerts channel: the bot is not a member of #${alertsChannel}\\n {6}fix: in Slack, open #${alertsChannel} and run /invite @`),
    );
    expect(code).toBe(1);
  });

  it('a namespace that does not exist: says how to create it', async () => {
    const { code, out } = await runDoctor({ ...healthy, TEMPORAL_NAMESPACE: 'no-such-namespace' });
    expect(doctorLine(out, 'temporal namespace')).toMatch(
      /FAIL {2}temporal namespace: namespace no-such-namespace does not exist at .*\n {6}fix: create it \(`temporal operator namespace create --namespace no-such-namespace`\)/,
    );
    expect(code).toBe(1);
  });

  it('an unmigrated database: counts what is pending and says to run sitroom migrate', async () => {
    const { code, out } = await runDoctor({ ...healthy, DATABASE_URL: await createDatabase(postgres.adminUrl(), 'sr_doctor_empty') });
    expect(doctorLine(out, 'database migrations')).toMatch(
      /FAIL {2}database migrations: (\d+) of \1 migrations not applied \(0000_foundation, .*\)\n {6}fix: run `sitroom migrate`/,
    );
    expect(code).toBe(1);
  });

  it('a target that is not a git repository', async () => {
    const notGit = mkdtempSync(join(tmpdir(), 'sitroom-doctor-plain-'));
    cpSync(join(exampleTargetRepo, '.rh-agentic'), join(notGit, '.rh-agentic'), { recursive: true });
    const { code, out } = await runDoctor({ ...healthy, TARGET_REPO: notGit });
    expect(doctorLine(out, 'target checkout')).toMatch(
      new RegExp(`FAIL {2}target checkout: ${notGit} is not a git repository\\n {6}fix: clone the team's repository there`),
    );
    expect(code).toBe(1);
    rmSync(notGit, { recursive: true, force: true });
  });

  it('a GitHub identity without push permission', async () => {
    const { code, out } = await runDoctor({ ...healthy, GITHUB_TOKEN: 'ghp_read_only' });
    expect(doctorLine(out, 'github push')).toMatch(
      /FAIL {2}github push: the token cannot push to openshift\/hypershift\n {6}fix: grant write access to openshift\/hypershift .*or push to a fork you own with GITHUB_PUSH_URL/,
    );
    expect(code).toBe(1);
  });

  describe('with a GitHub App instead of a personal token', () => {
    let keyFile: string;
    const asApp = (installation: string, extra: Record<string, string> = {}) => {
      const { GITHUB_TOKEN: _personal, ...rest } = healthy;
      return {
        ...rest,
        GITHUB_APP_ID: appId,
        GITHUB_APP_INSTALLATION_ID: installation,
        GITHUB_APP_PRIVATE_KEY_PATH: keyFile,
        GITHUB_FORK: 'sitroom-bot/hypershift',
        ...extra,
      };
    };
    beforeAll(() => {
      keyFile = join(mkdtempSync(join(tmpdir(), 'sitroom-doctor-app-')), 'app.pem');
      writeFileSync(keyFile, appKeys.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    });

    it('mints an installation token and finds the fork covered: github push passes', async () => {
      const { code, out } = await runDoctor(asApp('7'));
      expect(doctorLine(out, 'github push')).toMatch(/ok +github push: app 424242 \(installation 7\) can push to sitroom-bot\/hypershift/);
      expect(out).toContain('all 9 checks passed');
      expect(code).toBe(0);
    });

    it('an installation that may only read contents', async () => {
      const { code, out } = await runDoctor(asApp('8'));
      expect(doctorLine(out, 'github push')).toMatch(
        /FAIL {2}github push: the app's installation cannot write contents\n {6}fix: give the app Contents and Pull requests: read and write/,
      );
      expect(code).toBe(1);
    });

    it('a fork the installation does not cover, and an installation that does not exist', async () => {
      const notCovered = await runDoctor(asApp('7', { GITHUB_FORK: 'someone-else/hypershift' }));
      expect(doctorLine(notCovered.out, 'github push')).toMatch(/FAIL {2}github push: the app's installation does not cover someone-else\/hypershift \(404\)/);
      const gone = await runDoctor(asApp('99'));
      expect(doctorLine(gone.out, 'github push')).toMatch(
        /FAIL {2}github push: app 424242 has no installation 99 \(404\)\n {6}fix: install the app on sitroom-bot\/hypershift/,
      );
      expect([notCovered.code, gone.code]).toEqual([1, 1]);
    });
  });
});
