// The list of environment variables the product reads, each with its parser, default and meaning. Parsing the
// process environment against it, and the typed slices handed to the composition root, live in environment.ts.
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type Parsed = string | number;

export interface Variable {
  group: 'paths' | 'database' | 'temporal' | 'ports' | 'slack' | 'dashboard' | 'anthropic' | 'github' | 'jira' | 'logging' | 'demo';
  /** Turns the raw text into a value, or returns what was expected ("a port number"). */
  parse: (raw: string) => { value: Parsed } | { expected: string };
  /** Used when the variable is unset or empty; shown in the README. */
  default?: string;
  /** What happens when it is unset and there is no default; shown in the README. */
  unset?: string;
  meaning: string;
  /** Its value is never echoed in an error. */
  secret?: boolean;
}

const text = (raw: string) => ({ value: raw });
const withPrefix = (prefix: string, what: string) => (raw: string) =>
  raw.startsWith(prefix) ? { value: raw } : { expected: `${what} starting with "${prefix}"` };
const port = (raw: string) =>
  /^\d{1,5}$/.test(raw) && Number(raw) <= 65_535 ? { value: Number(raw) } : { expected: 'a port number (0–65535; 0 picks a free one)' };
const positiveInteger = (raw: string) => (/^[1-9]\d*$/.test(raw) ? { value: Number(raw) } : { expected: 'a positive whole number' });
const path = (raw: string) => ({ value: resolve(raw) });
const url =
  (protocols: string[]) =>
  (raw: string): { value: string } | { expected: string } => {
    try {
      const parsed = new URL(raw);
      if (protocols.includes(parsed.protocol)) return { value: raw };
    } catch {
      // not a URL: reported below
    }
    return { expected: `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` };
  };
const httpUrl = url(['http:', 'https:']);
const oneOf = (values: string[]) => (raw: string) => (values.includes(raw) ? { value: raw } : { expected: `one of ${values.join(', ')}` });
const hostPort = (raw: string) =>
  /^[A-Za-z0-9._-]+:\d{1,5}$/.test(raw) || /^\[[0-9A-Fa-f:]+\]:\d{1,5}$/.test(raw)
    ? { value: raw }
    : { expected: 'host:port of the Temporal frontend (e.g. temporal:7233)' };
const yesNo = (raw: string) => (/^(true|false)$/i.test(raw) ? { value: raw.toLowerCase() } : { expected: 'true or false' });
/** A file this process can read now, so a wrong path stops the process at start rather than at the first connection. */
const readableFile = (raw: string): { value: string } | { expected: string } => {
  const file = resolve(raw);
  try {
    if (!statSync(file).isFile()) return { expected: `a readable file (${file} is not a file)` };
    accessSync(file, constants.R_OK);
    return { value: file };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { expected: `a readable file (${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')})` };
  }
};
/** An address or host name to listen on; never a URL or host:port. */
const bindHost = (raw: string) =>
  isIP(raw) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(raw)
    ? { value: raw }
    : { expected: 'an IP address or host name to listen on (127.0.0.1, 0.0.0.0, ::)' };
/** A private key file readable by its owner only (0600 or 0400): a key others can read is refused, not used. */
const privateKeyFile = (raw: string): { value: string } | { expected: string } => {
  const readable = readableFile(raw);
  if (!('value' in readable)) return readable;
  const mode = statSync(readable.value).mode & 0o777;
  return mode & 0o077
    ? { expected: `a key file only its owner can read (${readable.value} has mode ${mode.toString(8).padStart(4, '0')}: chmod 600 it)` }
    : readable;
};
const repositorySlug = (raw: string) => (/^[\w.-]+\/[\w.-]+$/.test(raw) ? { value: raw } : { expected: 'an owner/name GitHub repository' });
const minLength = (n: number) => (raw: string) => (raw.length >= n ? { value: raw } : { expected: `at least ${n} characters (e.g. \`openssl rand -hex 32\`)` });

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** In the order of the README's table. */
export const environmentVariables = {
  TARGET_REPO: {
    group: 'paths',
    parse: path,
    unset: '`examples/target-repo` (`sitroom dev`, `worker`, `slack`: a git copy of it in `.data/target-repo`)',
    meaning: 'repository whose `.rh-agentic/` config (team.yaml, roles/) governs the team and in which phases are worked',
  },
  DATABASE_URL: {
    group: 'database',
    parse: url(['postgres:', 'postgresql:']),
    unset: 'PGlite in `.data/pglite` (`sitroom dev` and the scripting commands only)',
    meaning: 'PostgreSQL connection string; required by `worker` and `slack`',
    secret: true,
  },
  TEMPORAL_ADDRESS: {
    group: 'temporal',
    parse: hostPort,
    unset: '`sitroom dev` starts a dev server',
    meaning: 'Temporal frontend `host:port`; required by `worker` and `slack`',
  },
  TEMPORAL_NAMESPACE: { group: 'temporal', parse: text, default: 'default', meaning: 'Temporal namespace' },
  TEMPORAL_TLS: {
    group: 'temporal',
    parse: yesNo,
    unset: 'on when `TEMPORAL_API_KEY` or a `TEMPORAL_TLS_*` file is set, otherwise plain gRPC',
    meaning: 'connect to the Temporal frontend over TLS (Temporal Cloud, a secured cluster)',
  },
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: {
    group: 'temporal',
    parse: readableFile,
    unset: "the system's trusted CAs",
    meaning: "PEM file of the CA that signed the frontend's certificate (a private CA)",
  },
  TEMPORAL_TLS_CLIENT_CERT_PATH: {
    group: 'temporal',
    parse: readableFile,
    unset: 'no client certificate',
    meaning: "PEM client certificate for mTLS (Temporal Cloud's mTLS namespaces); needs `TEMPORAL_TLS_CLIENT_KEY_PATH`",
  },
  TEMPORAL_TLS_CLIENT_KEY_PATH: {
    group: 'temporal',
    parse: readableFile,
    unset: 'no client certificate',
    meaning: 'PEM private key of `TEMPORAL_TLS_CLIENT_CERT_PATH`',
  },
  TEMPORAL_TLS_SERVER_NAME: {
    group: 'temporal',
    parse: text,
    unset: 'the host of `TEMPORAL_ADDRESS`',
    meaning: "name the frontend's certificate is checked against (SNI), when it differs from the address (a proxy, a tunnel)",
  },
  TEMPORAL_API_KEY: {
    group: 'temporal',
    parse: text,
    unset: 'no API key',
    meaning: 'Temporal Cloud API key, sent as `authorization: Bearer …` on every call; implies TLS',
    secret: true,
  },
  TEMPORAL_TASK_QUEUE: { group: 'temporal', parse: text, default: 'situation-room', meaning: 'task queue of the worker' },
  TEMPORAL_CLI_PATH: {
    group: 'temporal',
    parse: path,
    unset: 'the one `npm run temporal:setup` installed',
    meaning: 'Temporal CLI that `sitroom dev` starts the dev server with',
  },
  TEMPORAL_TEST_SERVER_PATH: {
    group: 'temporal',
    parse: path,
    unset: 'the one `npm run temporal:setup` installed',
    meaning: "Temporal's time-skipping test server (tests only)",
  },
  SITROOM_BIND_HOST: {
    group: 'ports',
    parse: bindHost,
    default: '127.0.0.1',
    meaning:
      'interface the dashboard, the Slack receiver and the local workspace listen on: this machine only by default; `0.0.0.0` (all interfaces) in a container, as the Helm chart sets it',
  },
  PORT: { group: 'ports', parse: port, default: '3000', meaning: 'HTTP port of the dashboard, CI webhook and health check' },
  SLACK_PORT: { group: 'ports', parse: port, default: '3001', meaning: 'HTTP receiver of the Bolt app (`/slack/events`) when not in Socket Mode' },
  WORKSPACE_PORT: {
    group: 'ports',
    parse: port,
    default: '3002',
    meaning: 'local Slack-compatible workspace of `sitroom dev` (only without `SLACK_BOT_TOKEN`)',
  },
  SLACK_BOT_TOKEN: {
    group: 'slack',
    parse: withPrefix('xoxb-', 'a bot token'),
    unset: '`sitroom dev` runs the local workspace; required by `slack`',
    meaning: 'bot token (`xoxb-…`)',
    secret: true,
  },
  SLACK_SIGNING_SECRET: {
    group: 'slack',
    parse: text,
    unset: '`sitroom dev` generates one for the local workspace; required with `SLACK_BOT_TOKEN`',
    meaning: 'verifies every request from Slack',
    secret: true,
  },
  SLACK_API_URL: {
    group: 'slack',
    parse: httpUrl,
    default: 'https://slack.com/api/',
    meaning: 'Slack Web API base (`sitroom doctor`; a loopback Slack in tests)',
  },
  SLACK_APP_TOKEN: {
    group: 'slack',
    parse: withPrefix('xapp-', 'an app-level token'),
    unset: 'HTTP receiver',
    meaning: 'app-level token (`xapp-…`) for Socket Mode',
    secret: true,
  },
  SLACK_SOCKET_MODE: {
    group: 'slack',
    parse: yesNo,
    unset: 'Socket Mode when `SLACK_APP_TOKEN` is set, the HTTP receiver otherwise',
    meaning:
      '`true`: the Bolt app connects over Socket Mode instead of taking signed HTTP requests — in `sitroom dev` to the local workspace (no token needed), with real Slack through `SLACK_APP_TOKEN` (then required); `false`: the HTTP receiver even with `SLACK_APP_TOKEN` set',
  },
  SITROOM_DASHBOARD_SECRET: {
    group: 'dashboard',
    parse: minLength(32),
    unset: '`sitroom dev` keeps one in `.data/dashboard-secret`; required by `slack`',
    meaning: 'signs dashboard sign-in links and session cookies; every process serving the dashboard needs the same one',
    secret: true,
  },
  SITROOM_PUBLIC_URL: {
    group: 'dashboard',
    parse: httpUrl,
    unset: '`http://127.0.0.1:<PORT>` (this machine only)',
    meaning:
      'the URL people open the product at (`https://…` when deployed): every dashboard link in Slack and every sign-in link starts with it, and the dashboard answers to its host name',
  },
  ANTHROPIC_API_KEY: { group: 'anthropic', parse: text, unset: 'offline agent', meaning: 'Claude for RH-A', secret: true },
  ANTHROPIC_BASE_URL: { group: 'anthropic', parse: httpUrl, unset: "Anthropic's", meaning: 'Messages API base URL' },
  ANTHROPIC_MODEL: { group: 'anthropic', parse: text, unset: 'see `src/agent/claude.ts`', meaning: 'model id' },
  GITHUB_TOKEN: {
    group: 'github',
    parse: text,
    unset: 'local git mode (unless a GitHub App is set)',
    meaning: 'personal token for PRs, comments, statuses and pushes (Prow-style CI on the PR); the simple fallback when no GitHub App is configured',
    secret: true,
  },
  GITHUB_APP_ID: {
    group: 'github',
    parse: positiveInteger,
    unset: 'GITHUB_TOKEN, or local git mode',
    meaning:
      'GitHub App that Situation Room acts as: installation tokens (an hour each, refreshed before they expire) for the API and for git pushes; wins over `GITHUB_TOKEN`',
  },
  GITHUB_APP_INSTALLATION_ID: {
    group: 'github',
    parse: positiveInteger,
    unset: 'required with `GITHUB_APP_ID`',
    meaning: "the app's installation on the organisation or fork (Settings → Installed GitHub Apps → Configure: the number in the URL)",
  },
  GITHUB_APP_PRIVATE_KEY_PATH: {
    group: 'github',
    parse: privateKeyFile,
    unset: 'required with `GITHUB_APP_ID`',
    meaning: 'PEM private key of the app; must be readable by its owner only (mode 0600)',
  },
  GITHUB_FORK: {
    group: 'github',
    parse: repositorySlug,
    unset: 'branches are pushed to the PR repository itself',
    meaning:
      "`owner/name` of the bot's fork: phase branches are pushed there and PRs opened from `owner:branch`; the base is still fetched from the PR repository",
  },
  GITHUB_GIT_URL: {
    group: 'github',
    parse: httpUrl,
    default: 'https://github.com',
    meaning: 'git host that push and fetch URLs are built on (`<url>/<owner>/<name>.git`): GitHub Enterprise or a loopback fake',
  },
  GITHUB_API_URL: {
    group: 'github',
    parse: httpUrl,
    default: 'https://api.github.com',
    meaning: 'GitHub REST API base (GitHub Enterprise or a loopback fake) in GitHub mode',
  },
  GITHUB_REPOSITORY: { group: 'github', parse: repositorySlug, unset: 'team.yaml `target.repo`', meaning: '`owner/name` of the repository PRs are opened on' },
  GITHUB_PUSH_URL: {
    group: 'github',
    parse: text,
    unset: '`<GITHUB_GIT_URL>/<GITHUB_FORK or repo>.git`',
    meaning: 'git remote phase branches are pushed to, when it is not the one built from `GITHUB_FORK`; over HTTPS, with the same identity as the API',
  },
  PROW_GCS_URL: {
    group: 'github',
    parse: httpUrl,
    default: 'https://storage.googleapis.com',
    meaning:
      "where a Prow run's files are read: a `ci/prow/<job>` status links the run's page (`…/view/gs/<bucket>/<path>`), and its `junit*.xml` artifacts are listed and read from that bucket and path (ci-operator's `junit_operator.xml` left out)",
  },
  CI_WEBHOOK_SECRET: {
    group: 'github',
    parse: text,
    unset: 'no `POST /ci/webhook`; CI results are polled',
    meaning: 'HMAC secret of `POST /ci/webhook`',
    secret: true,
  },
  GITHUB_WEBHOOK_SECRET: {
    group: 'github',
    parse: minLength(16),
    unset: 'no `POST /github/webhook`; statuses, reviews and merges are polled',
    meaning:
      "secret of the repository's GitHub webhook: `POST /github/webhook` checks `X-Hub-Signature-256` with it (statuses, check runs, pull requests, reviews, comments)",
    secret: true,
  },
  JIRA_URL: {
    group: 'jira',
    parse: httpUrl,
    unset: 'no ticket lookup',
    meaning: 'Jira base URL: a plan requested for a key takes its title and context from the ticket',
  },
  JIRA_TOKEN: { group: 'jira', parse: text, unset: 'no ticket lookup; required with `JIRA_URL`', meaning: 'Jira API token', secret: true },
  JIRA_EMAIL: { group: 'jira', parse: text, unset: 'bearer token (Jira Data Center)', meaning: 'Jira Cloud basic auth user' },
  JIRA_API_VERSION: {
    group: 'jira',
    parse: oneOf(['2', '3']),
    default: '3',
    meaning: 'Jira REST API version: 3 (Jira Cloud, ADF bodies), or 2 for Jira Data Center',
  },
  LOG_LEVEL: { group: 'logging', parse: oneOf([...logLevels]), default: 'info', meaning: 'pino log level; secrets are redacted' },
  WORKSPACE_URL: {
    group: 'demo',
    parse: httpUrl,
    unset: '`http://127.0.0.1:<WORKSPACE_PORT>`',
    meaning: '`npm run demo`: the local Slack workspace of the running `npm run dev`',
  },
  DASHBOARD_URL: { group: 'demo', parse: httpUrl, unset: '`http://127.0.0.1:<PORT>`', meaning: '`npm run demo`: the HTTP front door with `/dashboard`' },
  DEMO_KEY: { group: 'demo', parse: text, unset: '`HOSTEDCP-<4 digits>`', meaning: '`npm run demo`: the ticket key it plays (a fresh one per run)' },
  DEMO_STEP_TIMEOUT_MS: { group: 'demo', parse: positiveInteger, default: '180000', meaning: '`npm run demo`: how long one step may take' },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof environmentVariables;
export const variableNames = Object.keys(environmentVariables) as VariableName[];
