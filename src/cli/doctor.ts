// `sitroom doctor [--process worker|slack]`: checks a deployment end to end, in the order a person would fix
// it, and prints each check with its fix: the environment, Slack (token, scopes the manifest asks for, the
// bot in the alerts channel), the Temporal namespace, the database's migrations, the target checkout, GitHub
// push rights, and the agent's sandbox. Exit 1 if any check fails.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { formatProblem, type Environment, type ProcessKind } from '../config/environment.js';
import { loadConfig, targetRepoOf, type LoadedConfig } from '../config/load.js';
import { checkEnvironment, inheritedEnvironment } from '../config/process-environment.js';
import { migrationsFolder } from '../db/client.js';
import { UserError } from '../contracts/failures.js';
import { repoRoot } from '../paths.js';
import { describeSecurity, temporalSecurity } from '../temporal/connection.js';
import { appJwt, readAppPrivateKey } from '../integrations/github-auth.js';

const run$ = promisify(execFile);
const usage = 'usage: sitroom doctor [--process worker|slack]';

export interface Check {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do about it; only for a failed check. */
  fix?: string;
}

const pass = (name: string, detail: string): Check => ({ name, ok: true, detail });
const fail = (name: string, detail: string, fix: string): Check => ({ name, ok: false, detail, fix });

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { process: { type: 'string', default: 'slack' }, json: { type: 'boolean' } } });
  if (values.process !== 'worker' && values.process !== 'slack') throw new UserError(`--process must be worker or slack\n${usage}`, { field: 'process' });
  const checks = await doctor(values.process);
  if (values.json) console.log(JSON.stringify(checks, null, 2));
  else for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}${c.fix ? `\n      fix: ${c.fix}` : ''}`);
  const failed = checks.filter((c) => !c.ok).length;
  if (!values.json) console.log(failed === 0 ? `\nall ${checks.length} checks passed` : `\n${failed} of ${checks.length} checks failed`);
  return failed === 0 ? 0 : 1;
}

export async function doctor(processKind: ProcessKind): Promise<Check[]> {
  const checks: Check[] = [];
  const parsed = checkEnvironment({ process: processKind });
  if (parsed.ok) checks.push(pass('environment', `valid for sitroom ${processKind}`));
  else
    checks.push(
      fail(
        'environment',
        parsed.problems.map(formatProblem).join('; '),
        `set or correct the variables named (the README's "Environment variables" table); \`sitroom config check --process ${processKind}\` lists the same`,
      ),
    );
  // The other checks run on whatever parses, so one bad variable does not hide the rest of the picture.
  const loose = parsed.ok ? parsed : checkEnvironment({ process: 'tool' });
  const environment: Environment | undefined = loose.ok ? loose.environment : undefined;
  if (!environment) return checks;

  const repo = targetRepoOf(environment.paths);
  const target = checkTarget(repo);
  let config: LoadedConfig | undefined;
  try {
    config = loadConfig(repo);
  } catch {
    // reported by the target check
  }
  if (processKind === 'slack' || environment.slack.botToken) checks.push(...(await checkSlack(environment, config)));
  checks.push(await checkTemporal(environment));
  checks.push(await checkDatabase(environment));
  checks.push(target);
  checks.push(await checkGitHub(environment, config));
  checks.push(await checkSandbox());
  return checks;
}

async function slackCall(
  environment: Environment,
  method: string,
  args: Record<string, string> = {},
): Promise<{ body: Record<string, unknown>; scopes?: string }> {
  const res = await fetch(`${environment.slack.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${environment.slack.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const scopes = res.headers.get('x-oauth-scopes') ?? undefined;
  return { body, ...(scopes !== undefined ? { scopes } : {}) };
}

/** The bot scopes slack-app-manifest.yaml asks for. */
export function manifestBotScopes(): string[] {
  const manifest = parseYaml(readFileSync(join(repoRoot, 'slack-app-manifest.yaml'), 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

async function checkSlack(environment: Environment, config: LoadedConfig | undefined): Promise<Check[]> {
  if (!environment.slack.botToken)
    return [
      fail(
        'slack token',
        'SLACK_BOT_TOKEN is not set',
        'install the app from slack-app-manifest.yaml and copy the Bot User OAuth Token (OAuth & Permissions) into SLACK_BOT_TOKEN',
      ),
    ];
  let auth: Awaited<ReturnType<typeof slackCall>>;
  try {
    auth = await slackCall(environment, 'auth.test');
  } catch (err) {
    return [
      fail(
        'slack token',
        `cannot reach ${environment.slack.apiUrl}: ${(err as Error).message}`,
        'let this host reach slack.com over HTTPS (proxy, egress rules), or correct SLACK_API_URL',
      ),
    ];
  }
  if (auth.body.ok !== true) {
    const error = String(auth.body.error);
    return [
      fail(
        'slack token',
        `auth.test answered ${error}`,
        error === 'invalid_auth' || error === 'not_authed' || error === 'token_revoked' || error === 'account_inactive'
          ? "SLACK_BOT_TOKEN is not a valid bot token: copy the Bot User OAuth Token from the app's OAuth & Permissions page (reinstall the app if it was removed)"
          : 'see https://api.slack.com/methods/auth.test#errors',
      ),
    ];
  }
  const checks = [pass('slack token', `bot ${String(auth.body.user)} (${String(auth.body.user_id)}) in workspace ${String(auth.body.team)}`)];
  // Slack names a token's scopes in this header on every Web API response: https://api.slack.com/authentication/oauth-v2#scopes
  const granted = new Set(
    (auth.scopes ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const missing = manifestBotScopes().filter((s) => !granted.has(s));
  checks.push(
    missing.length === 0
      ? pass('slack scopes', `every scope slack-app-manifest.yaml asks for is granted (${granted.size})`)
      : fail(
          'slack scopes',
          `missing ${missing.join(', ')}`,
          `add ${missing.join(', ')} under OAuth & Permissions → Bot Token Scopes (or update the app from slack-app-manifest.yaml), then reinstall the app`,
        ),
  );
  if (!config) {
    checks.push(fail('slack alerts channel', 'unknown: the target checkout has no valid .rh-agentic/team.yaml', 'fix the target checkout first (see below)'));
    return checks;
  }
  const channelName = config.team.notifications.alerts_channel.replace(/^#/, '');
  checks.push(await checkAlertsChannel(environment, channelName, String(auth.body.user)));
  return checks;
}

async function checkAlertsChannel(environment: Environment, channelName: string, botName: string): Promise<Check> {
  const name = 'slack alerts channel';
  let cursor = '';
  for (let page = 0; page < 50; page++) {
    const { body } = await slackCall(environment, 'conversations.list', {
      types: 'public_channel,private_channel',
      limit: '200',
      exclude_archived: 'true',
      ...(cursor ? { cursor } : {}),
    });
    if (body.ok !== true) return fail(name, `conversations.list answered ${String(body.error)}`, 'grant channels:read and groups:read (see slack scopes)');
    const found = (body.channels as Array<{ id: string; name: string; is_member?: boolean }>).find((c) => c.name === channelName);
    if (found) {
      return found.is_member
        ? pass(name, `the bot is a member of #${channelName}`)
        : fail(name, `the bot is not a member of #${channelName}`, `in Slack, open #${channelName} and run /invite @${botName} (alerts are posted there)`);
    }
    cursor = String((body.response_metadata as { next_cursor?: string } | undefined)?.next_cursor ?? '');
    if (!cursor) break;
  }
  return fail(
    name,
    `no channel #${channelName} (team.yaml notifications.alerts_channel) is visible to the bot`,
    `create #${channelName} and invite the bot, or change notifications.alerts_channel in .rh-agentic/team.yaml`,
  );
}

async function checkTemporal(environment: Environment): Promise<Check> {
  const name = 'temporal namespace';
  const { address, namespace } = environment.temporal;
  if (!address)
    return fail(
      name,
      'TEMPORAL_ADDRESS is not set',
      'set TEMPORAL_ADDRESS to the frontend host:port (sitroom dev starts its own server; a deployment does not)',
    );
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, ...temporalSecurity(environment.temporal), connectTimeout: 10_000 });
    await connection.workflowService.describeNamespace({ namespace });
    return pass(name, `${namespace} at ${address} (${describeSecurity(environment.temporal)})`);
  } catch (err) {
    const cause = (err as { cause?: { code?: number; details?: string } }).cause ?? (err as { code?: number; details?: string });
    if (cause.code === 5)
      return fail(
        name,
        `namespace ${namespace} does not exist at ${address}`,
        `create it (\`temporal operator namespace create --namespace ${namespace}\`) or set TEMPORAL_NAMESPACE to an existing one (Temporal Cloud: <namespace>.<account>)`,
      );
    if (cause.code === 16 || cause.code === 7)
      return fail(
        name,
        `${address} refused the credentials: ${cause.details ?? (err as Error).message}`,
        'check TEMPORAL_API_KEY, or TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH against the CA the namespace trusts',
      );
    return fail(
      name,
      `cannot reach ${address} (${describeSecurity(environment.temporal)}): ${cause.details ?? (err as Error).message}`,
      'check TEMPORAL_ADDRESS and the network; a secured cluster needs TEMPORAL_TLS (and TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA)',
    );
  } finally {
    await connection?.close();
  }
}

/** drizzle records each applied migration in drizzle.__drizzle_migrations; migrations/meta/_journal.json lists them all. */
async function checkDatabase(environment: Environment): Promise<Check> {
  const name = 'database migrations';
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
  if (!environment.database.url)
    return fail(
      name,
      'DATABASE_URL is not set',
      'set DATABASE_URL to the PostgreSQL the worker and the Slack app share (the embedded PGlite is for sitroom dev)',
    );
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: environment.database.url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const table = await client.query<{ present: string | null }>("SELECT to_regclass('drizzle.__drizzle_migrations')::text AS present");
    const applied = table.rows[0]?.present
      ? Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')).rows[0]?.n ?? 0)
      : 0;
    const pending = journal.entries.slice(applied).map((e) => e.tag);
    return pending.length === 0
      ? pass(name, `all ${journal.entries.length} migrations applied`)
      : fail(
          name,
          `${pending.length} of ${journal.entries.length} migrations not applied (${pending.join(', ')})`,
          'run `sitroom migrate` with the same DATABASE_URL (sitroom worker also applies them at start)',
        );
  } catch (err) {
    return fail(
      name,
      `cannot query the database: ${(err as Error).message}`,
      'check DATABASE_URL (host, credentials, database name) and that PostgreSQL accepts connections from this host',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function checkTarget(repo: string): Check {
  const name = 'target checkout';
  if (!existsSync(join(repo, '.git')))
    return fail(
      name,
      `${repo} is not a git repository`,
      "clone the team's repository there (the Helm chart's init step or a persistent volume) or point TARGET_REPO at a clone",
    );
  if (!existsSync(join(repo, '.rh-agentic')) || !statSync(join(repo, '.rh-agentic')).isDirectory())
    return fail(
      name,
      `${repo} has no .rh-agentic/`,
      'add .rh-agentic/team.yaml and roles/ to the repository (examples/target-repo/.rh-agentic shows the shape)',
    );
  try {
    const config = loadConfig(repo);
    return pass(name, `${repo}: git repository, team "${config.team.team}" with ${config.roles.size} developers`);
  } catch (err) {
    return fail(name, (err as Error).message, `correct .rh-agentic/ (\`sitroom config check --repo ${repo}\` lists every problem)`);
  }
}

async function checkGitHub(environment: Environment, config: LoadedConfig | undefined): Promise<Check> {
  const name = 'github push';
  const { token, apiUrl, pushUrl } = environment.github;
  if (environment.github.app) return checkGitHubApp(environment, config, environment.github.app);
  if (!token) return pass(name, 'neither a GitHub App nor GITHUB_TOKEN is set: local git mode, nothing is pushed');
  // Branches go to the fork in GITHUB_PUSH_URL when it names one on GitHub, else to the PR repository.
  const fork = pushUrl ? /[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(pushUrl)?.[1] : undefined;
  const repo = fork ?? environment.github.repository ?? config?.team.target.repo;
  if (!repo) return fail(name, 'no repository to push to', 'set GITHUB_REPOSITORY (or target.repo in team.yaml)');
  try {
    const res = await fetch(`${apiUrl}/repos/${repo}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    });
    if (res.status === 401)
      return fail(
        name,
        `GitHub refused GITHUB_TOKEN (401)`,
        'create a new token (fine-grained: Contents read and write, Pull requests read and write on the repository) and set GITHUB_TOKEN',
      );
    if (res.status === 404)
      return fail(name, `${repo} is not visible to this token (404)`, `give the token access to ${repo}, or correct GITHUB_PUSH_URL / GITHUB_REPOSITORY`);
    if (!res.ok) return fail(name, `GET /repos/${repo} answered ${res.status}`, 'check GITHUB_API_URL and the token');
    const body = (await res.json()) as { permissions?: { push?: boolean } };
    return body.permissions?.push
      ? pass(name, `the token can push to ${repo}`)
      : fail(
          name,
          `the token cannot push to ${repo}`,
          `grant write access to ${repo} (Contents: read and write), or push to a fork you own with GITHUB_PUSH_URL`,
        );
  } catch (err) {
    return fail(name, `cannot reach ${apiUrl}: ${(err as Error).message}`, 'check GITHUB_API_URL and the network');
  }
}

/**
 * The GitHub App identity: mints an installation token as the product does, checks that the installation may
 * write contents and pull requests, and that the repository branches go to (the fork, else the PR repository)
 * is one the installation covers.
 * https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
 */
async function checkGitHubApp(environment: Environment, config: LoadedConfig | undefined, app: NonNullable<Environment['github']['app']>): Promise<Check> {
  const name = 'github push';
  const { apiUrl } = environment.github;
  const repo = environment.github.fork ?? environment.github.repository ?? config?.team.target.repo;
  if (!repo) return fail(name, 'no repository to push to', 'set GITHUB_FORK or GITHUB_REPOSITORY (or target.repo in team.yaml)');
  let key;
  try {
    key = readAppPrivateKey(app.privateKeyPath);
  } catch (err) {
    return fail(name, (err as Error).message, "download the app's private key again and point GITHUB_APP_PRIVATE_KEY_PATH at it (mode 0600)");
  }
  const headers = (bearer: string) => ({ authorization: `Bearer ${bearer}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
  try {
    const minted = await fetch(`${apiUrl}/app/installations/${encodeURIComponent(app.installationId)}/access_tokens`, {
      method: 'POST',
      headers: headers(appJwt(app.appId, key, Date.now())),
    });
    const body = (await minted.json().catch(() => ({}))) as { token?: string; permissions?: Record<string, string> };
    if (minted.status === 401)
      return fail(
        name,
        `GitHub refused the JWT of app ${app.appId} (401)`,
        "check GITHUB_APP_ID and that GITHUB_APP_PRIVATE_KEY_PATH is the app's current private key",
      );
    if (minted.status === 404)
      return fail(
        name,
        `app ${app.appId} has no installation ${app.installationId} (404)`,
        `install the app on ${repo} and set GITHUB_APP_INSTALLATION_ID to that installation`,
      );
    if (minted.status !== 201 || !body.token) return fail(name, `minting an installation token answered ${minted.status}`, 'check GITHUB_API_URL and the app');
    const missing = ['contents', 'pull_requests'].filter((p) => body.permissions?.[p] !== 'write');
    if (missing.length > 0)
      return fail(
        name,
        `the app's installation cannot write ${missing.join(' or ')}`,
        'give the app Contents and Pull requests: read and write, then accept the new permissions on the installation',
      );
    const covered = await fetch(`${apiUrl}/repos/${repo}`, { headers: headers(body.token) });
    if (covered.status === 404)
      return fail(
        name,
        `the app's installation does not cover ${repo} (404)`,
        `add ${repo} to the installation's repository access, or correct GITHUB_FORK / GITHUB_REPOSITORY`,
      );
    if (!covered.ok) return fail(name, `GET /repos/${repo} answered ${covered.status}`, 'check GITHUB_API_URL and the app');
    return pass(name, `app ${app.appId} (installation ${app.installationId}) can push to ${repo}`);
  } catch (err) {
    return fail(name, `cannot reach ${apiUrl}: ${(err as Error).message}`, 'check GITHUB_API_URL and the network');
  }
}

/** RH-A's steps run under bubblewrap; without it they cannot be confined. */
async function checkSandbox(): Promise<Check> {
  const name = 'sandbox';
  try {
    const { stdout } = await run$('bwrap', ['--version'], { env: inheritedEnvironment(['PATH']), timeout: 10_000 });
    return pass(name, stdout.trim());
  } catch (err) {
    return fail(
      name,
      `bubblewrap is not available: ${(err as Error).message.split('\n')[0]}`,
      'install bubblewrap (Debian: apt-get install bubblewrap); in a container, allow user namespaces or run with the capabilities the README states',
    );
  }
}
