// Every environment variable the product reads: its type, default and meaning in one list, parsed once when a
// process starts into typed slices for the composition root. Every problem is reported at once, each with the
// variable's name, and a secret's value never appears in a message. The README's table is rendered from this
// list (test/config/environment.test.ts keeps the two equal).
import { z } from 'zod';
import { UserError } from '../contracts/failures.js';
import { environmentVariables, variableNames, type LogLevel, type Parsed, type Variable, type VariableName } from './variables.js';

/** Which process is starting: each asks for what it cannot run without. `tool` is any scripting command. */
export type ProcessKind = 'dev' | 'worker' | 'slack' | 'tool';

export interface Environment {
  paths: { targetRepo?: string };
  database: { url?: string };
  temporal: { address?: string; namespace: string; taskQueue: string; cliPath?: string; testServerPath?: string; tls?: TemporalTls; apiKey?: string };
  /** Where the HTTP servers listen: bindHost for all three. */
  ports: { bindHost: string; http: number; slack: number; workspace: number };
  /** socketMode: SLACK_SOCKET_MODE when set; unset, Socket Mode follows appToken. */
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl: string; socketMode?: boolean };
  /** publicUrl has no trailing slash. */
  dashboard: { secret?: string; publicUrl?: string };
  anthropic: { apiKey?: string; baseUrl?: string; model?: string };
  github: {
    token?: string;
    app?: { appId: string; installationId: string; privateKeyPath: string };
    apiUrl: string;
    gitUrl: string;
    repository?: string;
    fork?: string;
    pushUrl?: string;
    prowGcsUrl: string;
    ciWebhookSecret?: string;
    webhookSecret?: string;
  };
  jira: { url?: string; token?: string; email?: string; apiVersion: 2 | 3 };
  logging: { level: LogLevel };
  demo: { workspaceUrl?: string; dashboardUrl?: string; key?: string; stepTimeoutMs: number };
}

/** TLS towards the Temporal frontend: present when it is on. Paths of PEM files, read when connecting. */
export interface TemporalTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

export interface EnvironmentProblem {
  variable: VariableName;
  message: string;
}

export class EnvironmentError extends UserError {
  constructor(readonly problems: EnvironmentProblem[]) {
    super(`the environment has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`, {
      field: problems[0]?.variable,
    });
  }
}

export const formatProblem = (p: EnvironmentProblem) => `${p.variable}: ${p.message}`;

/** Values to use when a variable is unset: a string, or a function asked only then (so `sitroom dev` writes no secret file it does not need). */
export type EnvironmentDefaults = Partial<Record<VariableName, string | (() => string)>>;

export interface ParseOptions {
  process?: ProcessKind;
  /** Defaults of one process (`sitroom dev`), applied before the schema's own. */
  defaults?: EnvironmentDefaults;
}

/** What each process cannot start without, and why; checked after the values themselves. */
const required: Record<ProcessKind, Array<{ variable: VariableName; why: string }>> = {
  dev: [],
  tool: [],
  worker: [
    { variable: 'TEMPORAL_ADDRESS', why: 'sitroom worker joins an existing Temporal cluster (sitroom dev starts one of its own)' },
    { variable: 'DATABASE_URL', why: 'sitroom worker shares PostgreSQL with sitroom slack (the embedded PGlite is for sitroom dev)' },
  ],
  slack: [
    { variable: 'TEMPORAL_ADDRESS', why: 'sitroom slack talks to the workers through an existing Temporal cluster' },
    { variable: 'DATABASE_URL', why: 'sitroom slack shares PostgreSQL with sitroom worker (the embedded PGlite is for sitroom dev)' },
    { variable: 'SLACK_BOT_TOKEN', why: 'sitroom slack connects to a Slack workspace (sitroom dev runs a local one)' },
    { variable: 'SITROOM_DASHBOARD_SECRET', why: 'it signs dashboard sign-in links and cookies; it must be the same in every replica and survive restarts' },
  ],
};

const schema = z.object(
  Object.fromEntries(
    variableNames.map((name) => {
      const variable: Variable = environmentVariables[name];
      return [
        name,
        z
          .string()
          .optional()
          .transform((raw, ctx): Parsed | undefined => {
            // Compose files pass unset variables as empty strings (`${X:-}`): empty means unset.
            const trimmed = raw?.trim();
            if (!trimmed) return variable.default === undefined ? undefined : (variable.parse(variable.default) as { value: Parsed }).value;
            const result = variable.parse(trimmed);
            if ('value' in result) return result.value;
            const got = variable.secret ? `a value of ${trimmed.length} characters` : JSON.stringify(trimmed);
            ctx.addIssue({ code: 'custom', message: `expected ${result.expected}, got ${got}` });
            return z.NEVER;
          }),
      ];
    }),
  ),
);

type Values = Partial<Record<VariableName, Parsed>>;

/** Parses an environment (a copy of process.env, or a test's own record). Every problem is collected; none throws. */
export type EnvironmentResult =
  | { ok: true; environment: Environment }
  /** `paths` still says where the target repository is, so `config check` can check it alongside. */
  | { ok: false; problems: EnvironmentProblem[]; paths: Environment['paths'] };

export function parseEnvironment(source: Readonly<Record<string, string | undefined>>, options: ParseOptions = {}): EnvironmentResult {
  const input: Record<string, string | undefined> = {};
  for (const name of variableNames) {
    const given = source[name];
    const fallback = options.defaults?.[name];
    if (given?.trim() || fallback === undefined) input[name] = given;
    else input[name] = typeof fallback === 'function' ? fallback() : fallback;
  }
  const parsed = schema.safeParse(input);
  const problems: EnvironmentProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ variable: issue.path[0] as VariableName, message: issue.message }));
  const values = (parsed.success ? parsed.data : {}) as Values;
  if (!parsed.success) {
    for (const name of variableNames) {
      const one = schema.shape[name]!.safeParse(input[name]);
      if (one.success) values[name] = one.data;
    }
  }
  const isSet = (name: VariableName) => Boolean(input[name]?.trim());
  const failed = new Set(problems.map((p) => p.variable));
  for (const need of required[options.process ?? 'tool']) {
    if (!isSet(need.variable) && !failed.has(need.variable)) problems.push({ variable: need.variable, message: `required: ${need.why}` });
  }
  // Pairs that only work together, whatever the process.
  const pairs: Array<[VariableName, VariableName, string]> = [
    [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      "required with SLACK_BOT_TOKEN: without it no request from Slack can be verified (Basic Information → App Credentials → Signing Secret in the app's settings)",
    ],
    ['JIRA_URL', 'JIRA_TOKEN', 'required with JIRA_URL: tickets cannot be read without it'],
    ['GITHUB_APP_ID', 'GITHUB_APP_INSTALLATION_ID', "required with GITHUB_APP_ID: the app's installation to mint tokens for"],
    ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY_PATH', "required with GITHUB_APP_ID: the app's private key (PEM) signs the token requests"],
    ['GITHUB_APP_INSTALLATION_ID', 'GITHUB_APP_ID', 'required with GITHUB_APP_INSTALLATION_ID: the id of the app it is an installation of'],
    ['GITHUB_APP_PRIVATE_KEY_PATH', 'GITHUB_APP_ID', 'required with GITHUB_APP_PRIVATE_KEY_PATH: the id of the app the key belongs to'],
    ['JIRA_TOKEN', 'JIRA_URL', 'required with JIRA_TOKEN: the Jira base URL (https://<site>.atlassian.net or your server)'],
    [
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      "required with TEMPORAL_TLS_CLIENT_CERT_PATH: the client certificate's private key (PEM)",
    ],
    [
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'required with TEMPORAL_TLS_CLIENT_KEY_PATH: the client certificate (PEM) the key belongs to',
    ],
  ];
  for (const [given, needed, message] of pairs) {
    if (isSet(given) && !isSet(needed) && !problems.some((p) => p.variable === needed)) problems.push({ variable: needed, message });
  }
  // Socket Mode with real Slack needs the app-level token (the local workspace of `sitroom dev` makes one up).
  if (values.SLACK_SOCKET_MODE === 'true' && isSet('SLACK_BOT_TOKEN') && !isSet('SLACK_APP_TOKEN') && !failed.has('SLACK_APP_TOKEN')) {
    problems.push({
      variable: 'SLACK_APP_TOKEN',
      message:
        "required with SLACK_SOCKET_MODE=true and SLACK_BOT_TOKEN: an app-level token with connections:write (Basic Information → App-Level Tokens in the app's settings)",
    });
  }
  // TLS switched off while something that only works over TLS is set: say which, rather than connect in plain text.
  if (values.TEMPORAL_TLS === 'false') {
    for (const name of [
      'TEMPORAL_API_KEY',
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_SERVER_NAME',
    ] as const) {
      if (isSet(name) && !failed.has(name))
        problems.push({
          variable: 'TEMPORAL_TLS',
          message: `is false but ${name} is set, which only works over TLS: remove TEMPORAL_TLS=false or unset ${name}`,
        });
    }
  }
  if (problems.length > 0) {
    const order = (p: EnvironmentProblem) => variableNames.indexOf(p.variable);
    return { ok: false, problems: problems.sort((a, b) => order(a) - order(b)), paths: toSlices(values).paths };
  }
  return { ok: true, environment: toSlices(values) };
}

/** parseEnvironment that throws one EnvironmentError listing every problem. */
export function environmentFrom(source: Readonly<Record<string, string | undefined>>, options: ParseOptions = {}): Environment {
  const result = parseEnvironment(source, options);
  if (!result.ok) throw new EnvironmentError(result.problems);
  return result.environment;
}

function toSlices(v: Values): Environment {
  const str = (name: VariableName) => v[name] as string | undefined;
  const num = (name: VariableName) => v[name] as number;
  const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  return {
    paths: defined({ targetRepo: str('TARGET_REPO') }),
    database: defined({ url: str('DATABASE_URL') }),
    temporal: defined({
      address: str('TEMPORAL_ADDRESS'),
      namespace: str('TEMPORAL_NAMESPACE')!,
      taskQueue: str('TEMPORAL_TASK_QUEUE')!,
      cliPath: str('TEMPORAL_CLI_PATH'),
      testServerPath: str('TEMPORAL_TEST_SERVER_PATH'),
      tls: temporalTls(v),
      apiKey: str('TEMPORAL_API_KEY'),
    }),
    ports: { bindHost: str('SITROOM_BIND_HOST')!, http: num('PORT'), slack: num('SLACK_PORT'), workspace: num('WORKSPACE_PORT') },
    slack: defined({
      botToken: str('SLACK_BOT_TOKEN'),
      signingSecret: str('SLACK_SIGNING_SECRET'),
      appToken: str('SLACK_APP_TOKEN'),
      apiUrl: str('SLACK_API_URL')!.replace(/\/*$/, '/'),
      socketMode: str('SLACK_SOCKET_MODE') === undefined ? undefined : str('SLACK_SOCKET_MODE') === 'true',
    }),
    dashboard: defined({ secret: str('SITROOM_DASHBOARD_SECRET'), publicUrl: str('SITROOM_PUBLIC_URL')?.replace(/\/+$/, '') }),
    anthropic: defined({ apiKey: str('ANTHROPIC_API_KEY'), baseUrl: str('ANTHROPIC_BASE_URL'), model: str('ANTHROPIC_MODEL') }),
    github: defined({
      token: str('GITHUB_TOKEN'),
      app: githubApp(v),
      apiUrl: str('GITHUB_API_URL')!.replace(/\/+$/, ''),
      gitUrl: str('GITHUB_GIT_URL')!.replace(/\/+$/, ''),
      repository: str('GITHUB_REPOSITORY'),
      fork: str('GITHUB_FORK'),
      pushUrl: str('GITHUB_PUSH_URL'),
      prowGcsUrl: str('PROW_GCS_URL')!.replace(/\/+$/, ''),
      ciWebhookSecret: str('CI_WEBHOOK_SECRET'),
      webhookSecret: str('GITHUB_WEBHOOK_SECRET'),
    }),
    jira: defined({
      url: str('JIRA_URL'),
      token: str('JIRA_TOKEN'),
      email: str('JIRA_EMAIL'),
      apiVersion: str('JIRA_API_VERSION') === '2' ? (2 as const) : (3 as const),
    }),
    logging: { level: str('LOG_LEVEL') as LogLevel },
    demo: defined({ workspaceUrl: str('WORKSPACE_URL'), dashboardUrl: str('DASHBOARD_URL'), key: str('DEMO_KEY'), stepTimeoutMs: num('DEMO_STEP_TIMEOUT_MS') }),
  };
}

function githubApp(v: Values): Environment['github']['app'] {
  const [appId, installationId, privateKeyPath] = (['GITHUB_APP_ID', 'GITHUB_APP_INSTALLATION_ID', 'GITHUB_APP_PRIVATE_KEY_PATH'] as const).map((n) => v[n]);
  return appId !== undefined && installationId !== undefined && privateKeyPath !== undefined
    ? { appId: String(appId), installationId: String(installationId), privateKeyPath: String(privateKeyPath) }
    : undefined;
}

/** TLS is on when asked for, or implied by an API key (Temporal Cloud accepts API keys over TLS only) or a TLS file. */
function temporalTls(v: Values): TemporalTls | undefined {
  const str = (name: VariableName) => v[name] as string | undefined;
  const files = {
    caFile: str('TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
    certFile: str('TEMPORAL_TLS_CLIENT_CERT_PATH'),
    keyFile: str('TEMPORAL_TLS_CLIENT_KEY_PATH'),
    serverName: str('TEMPORAL_TLS_SERVER_NAME'),
  };
  const implied = Object.values(files).some(Boolean) || Boolean(str('TEMPORAL_API_KEY'));
  const on = str('TEMPORAL_TLS') === 'true' || (str('TEMPORAL_TLS') === undefined && implied);
  return on ? (Object.fromEntries(Object.entries(files).filter(([, x]) => x !== undefined)) as TemporalTls) : undefined;
}

/** The README's "Environment variables" table, rendered from the list above. */
export function environmentTable(): string {
  const rows = variableNames.map((name) => {
    const variable: Variable = environmentVariables[name];
    const whenUnset = variable.default !== undefined ? `\`${variable.default}\`` : `unset → ${variable.unset}`;
    return `| \`${name}\` | ${whenUnset} | ${variable.meaning} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
