// Helpers shared by the fault tests: a fresh database on a real PostgreSQL server (its URL is needed by
// child processes), a worker in a child process, and the work item plans the faults interrupt.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Plan, PlannedPhase } from '../../src/plan/schema.js';
import { conditionPhase } from '../support/plans.js';
import { randomBytes } from 'node:crypto';
import { createCiWebhookHandler } from '../../src/http/ci-webhook.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createDispatcher, createDispatcherClient } from '../../src/notifications/dispatcher.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/slack/workspace/server.js';
import type { TestRuntime } from '../support/runtime.js';
import { createDatabase } from '../support/db.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** An empty database for a child process to share (PGlite cannot be shared between processes). */
export function freshDatabase(adminUrl: string, label: string): Promise<string> {
  return createDatabase(adminUrl, `sr_fault_${label}`);
}

/** Drops a database made by freshDatabase, closing any connection still open to it. */
export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const { default: pg } = await import('pg');
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!name.startsWith('sr_fault_')) throw new Error(`refusing to drop ${name}: not a fault-test database`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function spawnWorker(env: { DATABASE_URL: string; TEMPORAL_ADDRESS: string; TEMPORAL_TASK_QUEUE: string; FAULT_DATA_DIR: string }): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/worker-process.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-8_000);
      if (out.includes('worker ready')) resolveReady();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`worker process exited (${code}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    output: () => out,
    ready,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export { conditionPhase };

export function onePhasePlan(key: string, phase: PlannedPhase): Plan {
  return { workItemKey: key, intention: 'NodePool should report capacity errors per platform', summary: '', phases: [phase] };
}

/** A Jira-shaped key no other test uses, e.g. KILL-48213907. */
export function faultKey(prefix: string): string {
  return `${prefix}-${Math.floor(Math.random() * 1e8)}`;
}

// ---- the Slack and HTTP surfaces on top of a test runtime ---------------------------------------------


export interface Surfaces {
  workspace: LocalWorkspace;
  slack: SlackApp;
  http: HttpServer;
  /** The Bolt app's request URL (what Slack posts to). */
  slackRequestUrl: string;
  signingSecret: string;
  ciSecret: string;
  stop(): Promise<void>;
}

/**
 * What `runSurfaces` starts (local workspace, Bolt app, outbox dispatcher, HTTP with the CI webhook) on
 * free ports, for a runtime whose worker is on its own task queue. The dispatcher's clock is shifted to a
 * weekday late morning UTC so the example team's quiet hours do not hold the messages under test.
 */
export async function startSurfaces(rt: TestRuntime, options: { dispatchEveryMs?: number } = {}): Promise<Surfaces> {
  const { core } = rt;
  const { roles } = core.config.current();
  const signingSecret = randomBytes(16).toString('hex');
  const ciSecret = randomBytes(16).toString('hex');
  const botToken = `xoxb-fault-${randomBytes(6).toString('hex')}`;
  const workspace = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret,
    botToken,
    users: [...roles.values()].filter((r) => r.slack_user_id).map((r) => ({ id: r.slack_user_id!, name: r.developer, realName: r.display_name, tz: r.time_zone })),
    channels: ['general', core.config.current().team.notifications.alerts_channel.replace(/^#/, '')],
  });
  const slack = createSlackApp({ orchestrator: rt.orchestrator, store: core.store, config: core.config.current(), botToken, signingSecret, appToken: '', slackApiUrl: workspace.apiUrl, port: 0, logger: core.logger });
  const { requestUrl } = await slack.start();
  workspace.setAppUrl(requestUrl!);
  const day = 86_400_000;
  let target = Math.ceil(Date.now() / day) * day + 11 * 3_600_000;
  while ([0, 6].includes(new Date(target).getUTCDay())) target += day;
  const offset = target - Date.now();
  const dispatcher = createDispatcher({ db: core.store.db, client: createDispatcherClient(botToken, workspace.apiUrl), render: slack.deps.render, config: core.config.current(), logger: core.logger, now: () => new Date(Date.now() + offset) });
  dispatcher.start(options.dispatchEveryMs ?? 200);
  const http = await startHttpServer({ port: 0, routes: [createCiWebhookHandler({ db: core.store.db, client: rt.env.client, secret: ciSecret })] });
  return {
    workspace,
    slack,
    http,
    slackRequestUrl: requestUrl!,
    signingSecret,
    ciSecret,
    async stop() {
      await dispatcher.stop();
      await http.close();
      await slack.stop();
      await workspace.stop();
    },
  };
}
