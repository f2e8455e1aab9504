// The Bolt app: Socket Mode when an app-level token is given (no public URL needed), else the HTTP
// receiver with Slack's signature verification. Listeners are registered by surface (listeners/index.ts);
// every one acknowledges first and hands slow work to the orchestrator, which hands it to Temporal.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import type { LoadedConfig } from '../config/load.js';
import type { OpenStore } from '../db/client.js';
import type { Orchestrator } from '../orchestrator/port.js';
import { createLogger, redactSecrets, type Logger } from '../observability/logger.js';
import type { RenderContext } from './blocks/notifications.js';
import { createAfterAckQueue, DeveloperDirectory, type SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { attachTrigger } from './trigger.js';

export interface SlackAppOptions {
  orchestrator: Orchestrator;
  store: Pick<OpenStore, 'db'>;
  config?: LoadedConfig;
  botToken: string;
  signingSecret: string;
  /** xapp-… app-level token (SLACK_APP_TOKEN): Socket Mode when set, the HTTP receiver otherwise. */
  appToken?: string;
  /** The local workspace's API base (http://127.0.0.1:P/api/); default Slack's. */
  slackApiUrl?: string;
  /** HTTP receiver port; 0 picks a free one. */
  port?: number;
  /** Base of links in messages (the team dashboard); the caller passes SITROOM_DASHBOARD_URL or its own. */
  dashboardUrl?: string;
  logger?: Logger;
}

export interface SlackApp {
  app: App;
  deps: SlackDeps;
  mode: 'socket' | 'http';
  /** Starts receiving; returns the request URL in HTTP mode. */
  start(): Promise<{ requestUrl?: string }>;
  stop(): Promise<void>;
}

/** Bolt's logger interface over pino, so Bolt's own messages are redacted like ours. */
function boltLogger(logger: Logger) {
  let level = LogLevel.WARN;
  const write = (fn: 'debug' | 'info' | 'warn' | 'error') => (...msgs: unknown[]) => logger[fn](redactSecrets(msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ')));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const logger = options.logger ?? createLogger('slack');
  const appToken = options.appToken;
  const socketMode = Boolean(appToken);
  const directory = new DeveloperDirectory(options.store.db);
  const dashboardUrl = options.dashboardUrl ?? 'http://localhost:3000';
  const render: RenderContext = { dashboardUrl, mention: (id) => directory.mention(id) };
  const deps: SlackDeps = { orchestrator: options.orchestrator, db: options.store.db, directory, render, logger, afterAck: createAfterAckQueue(logger) };

  const app = new App({
    token: options.botToken,
    signingSecret: options.signingSecret,
    ...(socketMode ? { socketMode: true, appToken } : {}),
    // ack() answers Slack at once; listeners keep working after the response (https://api.slack.com/interactivity/handling#acknowledgment_response).
    processBeforeResponse: false,
    logger: boltLogger(logger),
    // Delivery retries belong to the outbox dispatcher and to Temporal, not to the HTTP client.
    clientOptions: { ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}), retryConfig: { retries: 0 } },
  });

  // Who sent each delivery and its idempotency key, for every listener; it does no I/O, so ack() stays first.
  app.use(attachTrigger(deps));
  registerListeners(app, deps);
  app.error(async (error) => {
    logger.error({ err: redactSecrets(error.message) }, 'unhandled Slack listener error');
  });

  let server: Server | undefined;
  return {
    app,
    deps,
    mode: socketMode ? 'socket' : 'http',
    async start() {
      await directory.refresh(true);
      if (socketMode) {
        await app.start();
        return {};
      }
      server = (await app.start(options.port ?? 3000)) as Server;
      const { port } = server.address() as AddressInfo;
      return { requestUrl: `http://127.0.0.1:${port}/slack/events` };
    },
    async stop() {
      server?.closeAllConnections();
      await app.stop();
    },
  };
}
