// The long-running pieces a process can host, each started and stopped in order: Temporal (an existing
// cluster or a dev server started here), the worker, the Slack app (real Slack or the local workspace),
// the outbox dispatcher, the HTTP front door and the briefing schedules.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { createDashboardHandler } from '../http/dashboard/index.js';
import { createCiWebhookHandler } from '../http/ci-webhook.js';
import { startHttpServer, type HttpServer } from '../http/server.js';
import { createDispatcher, createDispatcherClient } from '../notifications/dispatcher.js';
import { ensureBriefingSchedules } from '../orchestrator/schedules.js';
import { createSlackApp } from '../slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../slack/workspace/server.js';
import { findTemporalBinaries } from '../temporal/binaries.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { createWorker, defaultTaskQueue } from '../temporal/worker.js';
import { createOrchestrator, type Core } from './compose.js';

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** Stops in reverse order of start; one failing stop does not keep the rest running. */
export class Lifecycle {
  private readonly parts: Stoppable[] = [];
  add(part: Stoppable): void {
    this.parts.push(part);
  }
  async stopAll(log: (msg: string) => void): Promise<void> {
    for (const part of [...this.parts].reverse()) {
      try {
        await part.stop();
      } catch (err) {
        log(`stopping ${part.name} failed: ${(err as Error).message}`);
      }
    }
    this.parts.length = 0;
  }
}

export interface TemporalHandle {
  address: string;
  namespace: string;
  taskQueue: string;
  client: Client;
  uiUrl?: string;
  route: string;
}

export async function connectTemporal(core: Core, life: Lifecycle, options: { startDevServer: boolean }): Promise<TemporalHandle> {
  const namespace = core.env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = core.env.TEMPORAL_TASK_QUEUE ?? defaultTaskQueue;
  let address = core.env.TEMPORAL_ADDRESS;
  let server: DevServer | undefined;
  let route = 'TEMPORAL_ADDRESS';
  if (!address) {
    if (!options.startDevServer) throw new Error('TEMPORAL_ADDRESS is not set');
    const binaries = findTemporalBinaries(core.env);
    mkdirSync(core.dataDir, { recursive: true });
    // The SQLite file keeps workflows across restarts of `npm run dev`.
    server = await startDevServer({ cli: binaries.cli, dbFile: join(core.dataDir, 'temporal.sqlite'), namespace });
    life.add({ name: 'temporal dev server', stop: () => server!.stop() });
    address = server.address;
    route = `dev server via ${binaries.route}`;
  }
  const connection = await Connection.connect({ address });
  life.add({ name: 'temporal connection', stop: () => connection.close() });
  return { address, namespace, taskQueue, client: new Client({ connection, namespace }), ...(server ? { uiUrl: server.uiUrl } : {}), route };
}

let runtimeInstalled = false;
/** Temporal's core logs state changes at INFO; a process shows warnings and errors unless LOG_LEVEL=debug. */
function installTemporalRuntime(level: string | undefined): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level === 'debug' || level === 'trace' ? 'INFO' : 'WARN') });
  } catch {
    // Already installed by the embedding process (tests).
  }
}

export async function runWorker(core: Core, temporal: TemporalHandle, life: Lifecycle): Promise<Worker> {
  installTemporalRuntime(core.env.LOG_LEVEL);
  const { worker, connection } = await createWorker({ address: temporal.address, namespace: temporal.namespace, taskQueue: temporal.taskQueue, activities: core.activities, logger: core.logger });
  const running = worker.run();
  const readyFile = join('/tmp', 'sitroom-worker-ready');
  writeFileSync(readyFile, String(process.pid));
  life.add({
    name: 'worker',
    stop: async () => {
      rmSync(readyFile, { force: true });
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  });
  return worker;
}

export interface SurfaceUrls {
  http: string;
  dashboard: string;
  slackEvents?: string;
  workspace?: string;
}

export async function runSurfaces(core: Core, temporal: TemporalHandle, life: Lifecycle): Promise<SurfaceUrls & { workspace?: string; localWorkspace?: LocalWorkspace }> {
  const env = core.env;
  const { roles } = core.config.current();
  const orchestrator = createOrchestrator(core, temporal.client, temporal.taskQueue);
  const local = !env.SLACK_BOT_TOKEN;
  const botToken = env.SLACK_BOT_TOKEN ?? `xoxb-local-${randomBytes(12).toString('hex')}`;
  const signingSecret = env.SLACK_SIGNING_SECRET ?? randomBytes(24).toString('hex');
  const port = Number(env.PORT ?? 3000);
  const dashboardSecret = env.SITROOM_DASHBOARD_SECRET ?? randomBytes(32).toString('hex');

  let workspace: LocalWorkspace | undefined;
  if (local) {
    workspace = await startLocalWorkspace({
      port: Number(env.WORKSPACE_PORT ?? 3002),
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret,
      botToken,
      users: [...roles.values()].filter((r) => r.slack_user_id).map((r) => ({ id: r.slack_user_id!, name: r.developer, realName: r.display_name, tz: r.time_zone })),
      channels: ['general', core.config.current().team.notifications.alerts_channel.replace(/^#/, '')],
    });
    life.add({ name: 'local Slack workspace', stop: () => workspace!.stop() });
  }
  const slack = createSlackApp({
    orchestrator,
    store: core.store,
    config: core.config.current(),
    botToken,
    signingSecret,
    ...(local ? { appToken: '' } : {}),
    ...(workspace ? { slackApiUrl: workspace.apiUrl } : {}),
    port: Number(env.SLACK_PORT ?? 3001),
    dashboardUrl: `http://127.0.0.1:${port}/dashboard`,
    logger: core.logger,
  });
  const started = await slack.start();
  life.add({ name: 'slack app', stop: () => slack.stop() });
  if (workspace && started.requestUrl) workspace.setAppUrl(started.requestUrl);

  const dispatcher = createDispatcher({
    db: core.store.db,
    client: createDispatcherClient(botToken, workspace?.apiUrl),
    render: slack.deps.render,
    config: () => core.config.current(),
    logger: core.logger,
  });
  dispatcher.start(500);
  life.add({ name: 'outbox dispatcher', stop: () => dispatcher.stop() });

  const http: HttpServer = await startHttpServer({
    port,
    routes: [
      createDashboardHandler({
        db: core.store.db,
        knowledge: core.knowledge,
        secret: dashboardSecret,
        displayNames: new Map([...roles.values()].map((r) => [r.developer, r.display_name])),
      }),
      createCiWebhookHandler({ db: core.store.db, client: temporal.client, secret: env.CI_WEBHOOK_SECRET ?? randomBytes(24).toString('hex') }),
    ],
    onError: (err) => core.logger.error({ err: String(err) }, 'http handler failed'),
  });
  life.add({ name: 'http server', stop: () => http.close() });

  await ensureBriefingSchedules(temporal.client, roles.values(), temporal.taskQueue);
  return {
    http: http.url,
    dashboard: `${http.url}/dashboard`,
    ...(started.requestUrl ? { slackEvents: started.requestUrl } : {}),
    ...(workspace ? { workspace: workspace.url, localWorkspace: workspace } : {}),
  };
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) process.exit(130);
      received = true;
      resolveSignal(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
