// The long-running pieces a process can host, each started and stopped in order: Temporal (an existing
// cluster or a dev server started here), the worker, the Slack app (real Slack or the local workspace),
// the outbox dispatcher, the HTTP front door, the briefing schedules and the model drift schedule.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { EnvironmentError } from '../config/environment.js';
import { createDashboardHandler } from '../http/dashboard/index.js';
import { createCiWebhookHandler } from '../http/ci-webhook.js';
import { createGitHubWebhookHandler } from '../http/github-webhook.js';
import { claimDelivery, releaseDelivery } from '../db/github-deliveries.js';
import { allowedHosts } from '../http/guard.js';
import { startHttpServer, type HttpServer } from '../http/server.js';
import type { GateRedraw } from '../slack/delivery/redraw.js';
import { createDispatcher, createDispatcherClient } from '../slack/delivery/dispatcher.js';
import {
  ensureBriefingSchedules,
  ensureCiHistorySchedule,
  ensureFollowUpBugsSchedule,
  ensureModelDriftSchedule,
  ensureStalenessSchedule,
} from '../orchestrator/schedules.js';
import { createSlackApp } from '../slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../local-slack/server.js';
import { ensureTemporalBinaries } from '../temporal/binaries.js';
import { temporalSecurity, type TemporalSecurity } from '../temporal/connection.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { createWorker } from '../temporal/worker.js';
import { createOrchestrator, type Core } from './compose.js';
import { UserError } from '../contracts/failures.js';
import { upsertDevelopers } from '../db/work-items.js';
import type { LoadedConfig } from '../config/load.js';

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
  /** The same TLS, mTLS or API key for the worker's connection as for the client's. */
  security: TemporalSecurity;
  uiUrl?: string;
  route: string;
}

export async function connectTemporal(core: Core, life: Lifecycle, options: { startDevServer: boolean }): Promise<TemporalHandle> {
  const { namespace, taskQueue } = core.environment.temporal;
  let address = core.environment.temporal.address;
  let server: DevServer | undefined;
  let route = 'TEMPORAL_ADDRESS';
  if (!address) {
    if (!options.startDevServer) throw new Error('TEMPORAL_ADDRESS is not set');
    const binaries = await ensureTemporalBinaries(core.environment.temporal);
    mkdirSync(core.dataDir, { recursive: true });
    // The SQLite file keeps workflows across restarts of `npm run dev`.
    server = await startDevServer({ cli: binaries.cli, dbFile: join(core.dataDir, 'temporal.sqlite'), namespace });
    life.add({ name: 'temporal dev server', stop: () => server!.stop() });
    address = server.address;
    route = `dev server via ${binaries.route}`;
  }
  // The dev server started here speaks plain gRPC; a configured cluster gets the configured security.
  const security = server ? {} : temporalSecurity(core.environment.temporal);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, ...security, connectTimeout: 10_000 });
  } catch (err) {
    // One line naming the setting, not a gRPC stack trace.
    const why = ((err as Error).message ?? String(err)).split('\n')[0];
    throw new UserError(
      `cannot reach Temporal at ${address}${route === 'TEMPORAL_ADDRESS' ? ' (TEMPORAL_ADDRESS)' : ''}: ${why}. Start a Temporal server there or correct TEMPORAL_ADDRESS.`,
      { field: 'TEMPORAL_ADDRESS' },
    );
  }
  life.add({ name: 'temporal connection', stop: () => connection.close() });
  return { address, namespace, taskQueue, client: new Client({ connection, namespace }), security, ...(server ? { uiUrl: server.uiUrl } : {}), route };
}

/** The worker's readiness file: the chart's readiness probe tests that it exists. */
const workerReadyFile = join('/tmp', 'sitroom-worker-ready');

/**
 * Removes a readiness file an earlier process left behind (a crash skips every handler, and /tmp outlives a
 * container restart in a pod): a worker that is only starting, or failing to start, is not ready.
 */
export function clearWorkerReadiness(): void {
  rmSync(workerReadyFile, { force: true });
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
  installTemporalRuntime(core.environment.logging.level);
  const { worker, connection } = await createWorker({
    address: temporal.address,
    security: temporal.security,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    activities: core.activities,
    logger: core.logger,
  });
  // The readiness file holds this process's pid; the health check also tests that the pid is alive, so a
  // file left by a crash does not report a dead worker as ready. A stale file is removed first, and the file
  // goes away on any exit.
  const readyFile = workerReadyFile;
  rmSync(readyFile, { force: true });
  const running = worker.run();
  writeFileSync(readyFile, String(process.pid));
  const removeReady = () => rmSync(readyFile, { force: true });
  process.once('exit', removeReady);
  life.add({
    name: 'worker',
    stop: async () => {
      removeReady();
      process.removeListener('exit', removeReady);
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  });
  return worker;
}

export interface SurfaceUrls {
  /** Where this process's HTTP front door answers (loopback when it listens on every interface). */
  http: string;
  /** The URL people open: SITROOM_PUBLIC_URL, or the front door's own. */
  publicUrl: string;
  dashboard: string;
  slackEvents?: string;
  /** How Slack reaches the app: signed HTTP requests to slackEvents, or Socket Mode envelopes on a connection the app opened. */
  slackTransport: 'http' | 'socket';
  workspace?: string;
}

/**
 * `localWorkspace`: without SLACK_BOT_TOKEN, run the local Slack-compatible workspace with credentials made up
 * for this run. Only `sitroom dev` asks for it; everywhere else every secret comes from the environment.
 */
export async function runSurfaces(
  core: Core,
  temporal: TemporalHandle,
  life: Lifecycle,
  options: { localWorkspace: boolean } = { localWorkspace: false },
): Promise<SurfaceUrls & { workspace?: string; localWorkspace?: LocalWorkspace }> {
  const { slack: slackEnv, ports, dashboard, github } = core.environment;
  const { roles } = core.config.current();
  // The parser already asks sitroom slack for these; a caller that parsed for another process is stopped here.
  const missing = [
    ...(!slackEnv.botToken && !options.localWorkspace
      ? [{ variable: 'SLACK_BOT_TOKEN' as const, message: 'required: the Slack app needs a workspace to connect to' }]
      : []),
    ...(!dashboard.secret ? [{ variable: 'SITROOM_DASHBOARD_SECRET' as const, message: 'required: it signs dashboard sign-in links and cookies' }] : []),
  ];
  if (missing.length > 0) throw new EnvironmentError(missing);
  const orchestrator = createOrchestrator(core, temporal.client, temporal.taskQueue);
  const local = !slackEnv.botToken;
  const botToken = slackEnv.botToken ?? `xoxb-local-${randomBytes(12).toString('hex')}`;
  const signingSecret = slackEnv.signingSecret ?? randomBytes(24).toString('hex');
  // Socket Mode as SLACK_SOCKET_MODE says, else when an app-level token is given; the local workspace takes an app-level token made up for this run.
  const socketMode = slackEnv.socketMode ?? Boolean(slackEnv.appToken);
  const appToken = !socketMode ? undefined : local ? `xapp-1-local-${randomBytes(12).toString('hex')}` : slackEnv.appToken;
  const port = ports.http;
  const dashboardSecret = dashboard.secret!;

  // Every server listens on SITROOM_BIND_HOST (loopback unless a deployment says otherwise). The HTTP front
  // door starts first: links in Slack start with the public URL, which defaults to its loopback address.
  const { bindHost } = ports;
  // The Slack app starts after the front door (its links need the door's URL); a dashboard decision reaches it once it runs.
  const late: { redraw?: GateRedraw } = {};
  const http: HttpServer = await startHttpServer({
    port,
    host: bindHost,
    routes: [
      createDashboardHandler({
        db: core.store.db,
        knowledge: core.knowledge,
        secret: dashboardSecret,
        orchestrator,
        afterDecision: (request, result) => late.redraw?.(request, result) ?? Promise.resolve(0),
        displayNames: () => new Map([...core.config.current().roles.values()].map((r) => [r.developer, r.display_name])),
        hosts: allowedHosts(bindHost, dashboard.publicUrl),
        secureCookies: dashboard.publicUrl?.startsWith('https:') ?? false,
        flakePolicy: () => core.config.current().team.ci.flake_handling,
      }),
      // Without a secret no request could be verified, so there is no webhook and CI results are polled.
      ...(github.ciWebhookSecret ? [createCiWebhookHandler({ orchestrator, secret: github.ciWebhookSecret })] : []),
      // GitHub's own signed deliveries; polling stays the fallback for any that never arrive.
      ...(github.webhookSecret
        ? [
            createGitHubWebhookHandler({
              orchestrator,
              secret: github.webhookSecret,
              claimDelivery: (id, event) => claimDelivery(core.store.db, id, event),
              releaseDelivery: (id) => releaseDelivery(core.store.db, id),
            }),
          ]
        : []),
    ],
    onError: (err) => core.logger.error({ err: String(err) }, 'http handler failed'),
  });
  life.add({ name: 'http server', stop: () => http.close() });
  const publicUrl = dashboard.publicUrl ?? http.url;

  let workspace: LocalWorkspace | undefined;
  if (local) {
    workspace = await startLocalWorkspace({
      port: ports.workspace,
      host: bindHost,
      appUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret,
      botToken,
      ...(appToken ? { appToken } : {}),
      users: [...roles.values()]
        .filter((r) => r.slack_user_id)
        .map((r) => ({ id: r.slack_user_id!, name: r.developer, realName: r.display_name, tz: r.time_zone })),
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
    ...(appToken ? { appToken } : {}),
    // The local workspace of `sitroom dev`, or SLACK_API_URL (Slack's own unless a deployment or a test says otherwise).
    slackApiUrl: workspace?.apiUrl ?? slackEnv.apiUrl,
    port: ports.slack,
    host: bindHost,
    dashboardUrl: `${publicUrl}/dashboard`,
    logger: core.logger,
    // Slack's agent surface: sign-in links from "Open dashboard", prompts fitted to the live roster, review DMs for curators.
    currentConfig: () => core.config.current(),
    dashboardSecret,
    knowledge: core.knowledge,
  });
  late.redraw = slack.redrawAfterDecision;
  const started = await slack.start();
  life.add({ name: 'slack app', stop: () => slack.stop() });
  if (workspace && started.requestUrl) workspace.setAppUrl(started.requestUrl);

  const dispatcher = createDispatcher({
    db: core.store.db,
    client: createDispatcherClient(botToken, workspace?.apiUrl ?? slackEnv.apiUrl),
    render: slack.deps.render,
    config: () => core.config.current(),
    logger: core.logger,
  });
  dispatcher.start(500);
  life.add({ name: 'outbox dispatcher', stop: () => dispatcher.stop() });

  await ensureBriefingSchedules(temporal.client, roles.values(), temporal.taskQueue);
  // A new teammate's role file needs no restart; in dev the local workspace gains them as a member too.
  const stopRoster = keepRosterCurrent(core, temporal, {
    onReload: (config) => {
      for (const r of config.roles.values()) {
        if (!workspace || !r.slack_user_id) continue;
        try {
          workspace.user(r.slack_user_id);
        } catch {
          workspace.addUser({ id: r.slack_user_id, name: r.developer, realName: r.display_name, tz: r.time_zone });
        }
      }
    },
  });
  life.add({ name: 'roster watch', stop: async () => stopRoster() });
  await ensureStalenessSchedule(temporal.client, core.config.current().team.knowledge.staleness_scan_every, temporal.taskQueue);
  await ensureModelDriftSchedule(temporal.client, temporal.taskQueue);
  const sippy = core.config.current().team.ci.sippy;
  if (sippy) await ensureCiHistorySchedule(temporal.client, sippy.import_every, temporal.taskQueue);
  if (core.issues) await ensureFollowUpBugsSchedule(temporal.client, core.config.current().team.jira.follow_up_check_every, temporal.taskQueue);
  return {
    http: http.url,
    publicUrl,
    dashboard: `${publicUrl}/dashboard`,
    ...(started.requestUrl ? { slackEvents: started.requestUrl } : {}),
    slackTransport: slack.mode,
    ...(workspace ? { workspace: workspace.url, localWorkspace: workspace } : {}),
  };
}

/**
 * A role file added or changed under .rh-agentic/roles/ applies without a restart: the config source looks at
 * the files every few seconds, and each reload writes the roster to the store (so Slack knows the person at
 * their next message or tap) and creates or updates every briefing Schedule. Returns the stop function.
 */
export function keepRosterCurrent(
  core: Pick<Core, 'config' | 'store' | 'logger'>,
  temporal: Pick<TemporalHandle, 'client' | 'taskQueue'>,
  options: { everyMs?: number; onReload?: (config: LoadedConfig) => void } = {},
): () => void {
  const unsubscribe = core.config.onReload(async (config) => {
    await upsertDevelopers(core.store.db, config.roles.values());
    const ids = await ensureBriefingSchedules(temporal.client, config.roles.values(), temporal.taskQueue);
    core.logger.info({ developers: config.roles.size, schedules: ids.length }, 'roster and briefing schedules follow the role files');
    options.onReload?.(config);
  });
  const stopWatching = core.config.watch(options.everyMs);
  return () => {
    stopWatching();
    unsubscribe();
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
