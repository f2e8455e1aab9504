// The Bolt app: Socket Mode when an app-level token is given (no public URL needed), else the HTTP
// receiver with Slack's signature verification. Listeners are registered by surface (listeners/index.ts);
// every one acknowledges first and hands slow work to the orchestrator, which hands it to Temporal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { LoadedConfig } from '../config/load.js';
import type { OpenStore } from '../db/client.js';
import type { Orchestrator } from '../orchestrator/port.js';
import { createLogger, redactSecrets, type Logger } from '../observability/logger.js';
import type { RenderContext } from './blocks/notifications.js';
import { createGateRedraw, type GateRedraw } from './delivery/redraw.js';
import { createAfterAckQueue, DeveloperDirectory, type SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { createSlackInbox, type SlackInboxDeps } from './inbox.js';
import { guardedListener, requestIdOf } from './request-guard.js';
import { attachTrigger } from './trigger.js';
import { signInLink } from '../http/dashboard/session.js';
import type { PromptAudience } from './blocks/agent.js';
import type { CurationPort } from './agent-intents.js';
import { createCurationDms, type ReviewQueuePort } from './curation-dms.js';
import { ensureInAlertsChannel, type AlertsChannelState } from './alerts-channel.js';

export interface SlackAppOptions {
  orchestrator: Orchestrator;
  store: Pick<OpenStore, 'db' | 'kind'>;
  config?: LoadedConfig;
  botToken: string;
  signingSecret: string;
  /** xapp-… app-level token (SLACK_APP_TOKEN): Socket Mode when set, the HTTP receiver otherwise. */
  appToken?: string;
  /** The local workspace's API base (http://127.0.0.1:P/api/); default Slack's. */
  slackApiUrl?: string;
  /** HTTP receiver port; 0 picks a free one. */
  port?: number;
  /** The interface the HTTP receiver listens on; loopback unless the deployment says otherwise. */
  host?: string;
  /** Base of links in messages (the team dashboard): SITROOM_PUBLIC_URL's /dashboard, or the caller's own. */
  dashboardUrl?: string;
  logger?: Logger;
  /** How often intents left by a crash or an outage are applied again (they are also applied at start). */
  inboxEveryMs?: number;
  /**
   * The team config as it is now (the config source's current()), read on each use so a new role file applies
   * without a restart: prompts fitted to a role, the alerts channel to join.
   */
  currentConfig?: () => LoadedConfig;
  /** The dashboard's signing secret (SITROOM_DASHBOARD_SECRET): with dashboardUrl, "Open dashboard" mints sign-in links. */
  dashboardSecret?: string;
  /** How long a sign-in link from Slack is valid. */
  signInTtlMs?: number;
  /** The knowledge store: curators get each proposal in review as a DM and review it there. */
  knowledge?: {
    isCurator(developerId: string): boolean;
    proposals: Pick<ReviewQueuePort, 'reviewQueue'> &
      Pick<CurationPort, 'reviewProposal'> & {
        getProposal(id: number): Promise<{ id: number; status: string; draft: { title: string; body: string } } | undefined>;
      };
  };
  /** How often the review queue is checked for proposals curators have not been sent yet. */
  curationEveryMs?: number;
  /** How long the inbox holds a row it applies, how often it tries, and how it spaces the tries (defaults in inbox.ts). */
  inboxRetry?: Pick<SlackInboxDeps, 'leaseMs' | 'maxAttempts' | 'retryFirstMs' | 'retryMaxMs'>;
}

export interface SlackApp {
  app: App;
  deps: SlackDeps;
  /** Updates the Slack prompts of a decision taken on another surface (the dashboard) in place. */
  redrawAfterDecision: GateRedraw;
  mode: 'socket' | 'http';
  /** Whether the bot is in the alerts channel, once start() has tried to join it (undefined without an alerts channel). */
  alertsChannel(): AlertsChannelState | undefined;
  /** Sends review DMs for proposals in review that a curator has not had yet (also done every curationEveryMs). */
  sendReviewDms(): Promise<number>;
  /** Starts receiving; returns the request URL in HTTP mode. */
  start(): Promise<{ requestUrl?: string }>;
  stop(): Promise<void>;
}

/** Bolt's logger interface over pino, so Bolt's own messages are redacted like ours. */
function boltLogger(logger: Logger) {
  let level = LogLevel.WARN;
  const write =
    (fn: 'debug' | 'info' | 'warn' | 'error') =>
    (...msgs: unknown[]) =>
      logger[fn](redactSecrets(msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ')));
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

  const inboxEveryMs = options.inboxEveryMs ?? 5_000;
  const errorFields = (requestId: string, error: unknown) => ({ requestId, err: redactSecrets(error instanceof Error ? error.message : String(error)) });
  // The HTTP receiver is built here rather than by Bolt so that the request guard stands in front of it and
  // every failure inside it is answered and logged with the request's id instead of escaping the process.
  const receiver = socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: options.signingSecret,
        logger: boltLogger(logger),
        // ack() answers Slack at once; listeners keep working after the response (https://api.slack.com/interactivity/handling#acknowledgment_response).
        processBeforeResponse: false,
        customPropertiesExtractor: (req) => ({ requestId: requestIdOf(req) }),
        dispatchErrorHandler: ({ error, request, response }) => {
          logger.error(errorFields(requestIdOf(request), error), 'Slack request could not be dispatched');
          if (!response.headersSent) response.writeHead(500).end();
        },
        processEventErrorHandler: async ({ error, request, response }) => {
          logger.error(errorFields(requestIdOf(request), error), 'Slack listener failed');
          if (!response.headersSent) response.writeHead(500).end();
          return false;
        },
        unhandledRequestHandler: ({ request, response }) => {
          logger.warn({ requestId: requestIdOf(request) }, 'no listener acknowledged a Slack request within 3 s');
          if (!response.headersSent) response.writeHead(404).end();
        },
      });

  const app = new App({
    token: options.botToken,
    ...(socketMode ? { socketMode: true, appToken, signingSecret: options.signingSecret, processBeforeResponse: false } : { receiver }),
    logger: boltLogger(logger),
    // The error handler sees the context, so a listener's failure is logged with the request it came from.
    extendedErrorHandler: true,
    // Delivery retries belong to the outbox dispatcher and to Temporal, not to the HTTP client.
    clientOptions: { ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}), retryConfig: { retries: 0 } },
  });

  const knowledge = options.knowledge;
  const curation: CurationPort | undefined = knowledge
    ? { isCurator: (id) => knowledge.isCurator(id), reviewProposal: (...args) => knowledge.proposals.reviewProposal(...args) }
    : undefined;
  const inbox = createSlackInbox({
    db: options.store.db,
    soleProcess: options.store.kind === 'pglite',
    orchestrator: options.orchestrator,
    directory,
    client: app.client,
    render,
    logger,
    ...(curation ? { curation } : {}),
    ...options.inboxRetry,
  });
  const currentConfig = options.currentConfig ?? (options.config ? () => options.config! : undefined);
  const dashboardSecret = options.dashboardSecret;
  const signInTtlMs = options.signInTtlMs ?? 10 * 60_000;
  const agent: SlackDeps['agent'] = {
    audienceOf(developerId): PromptAudience {
      const role = currentConfig?.().roles.get(developerId);
      return role ? { experience: role.experience, newDeveloperGuidance: role.new_developer_guidance } : {};
    },
    ...(dashboardSecret && options.dashboardUrl
      ? {
          signInLink: (developerId: string, workItemKey?: string) => ({
            url: signInLink(dashboardUrl, dashboardSecret, developerId, new Date(), {
              ttlMs: signInTtlMs,
              next: workItemKey ? `/dashboard/work-items/${encodeURIComponent(workItemKey)}` : '/dashboard',
            }),
            ttlMinutes: Math.round(signInTtlMs / 60_000),
          }),
        }
      : {}),
    ...(knowledge
      ? {
          proposal: async (id: number) => {
            const p = await knowledge.proposals.getProposal(id);
            return p ? { id: p.id, title: p.draft.title, body: p.draft.body, status: p.status } : undefined;
          },
        }
      : {}),
  };
  const deps: SlackDeps = {
    orchestrator: options.orchestrator,
    db: options.store.db,
    directory,
    render,
    logger,
    inbox,
    agent,
    afterAck: createAfterAckQueue(logger),
  };
  const reviewDms = knowledge
    ? createCurationDms({
        db: options.store.db,
        client: app.client,
        logger,
        knowledge: { isCurator: (id) => knowledge.isCurator(id), reviewQueue: () => knowledge.proposals.reviewQueue() },
        roster: () => directory.roster(),
      })
    : undefined;
  let alertsChannel: AlertsChannelState | undefined;

  // Who sent each delivery and its idempotency key, for every listener; it does no I/O, so ack() stays first.
  app.use(attachTrigger(deps));
  registerListeners(app, deps);
  app.error(async ({ error, context }: { error: Error; context: Record<string, unknown> }) => {
    const requestId = typeof context.requestId === 'string' ? context.requestId : 'socket-mode';
    logger.error({ ...errorFields(requestId, error), trigger: (context.trigger as { key?: string } | undefined)?.key }, 'unhandled Slack listener error');
  });

  let server: Server | undefined;
  return {
    app,
    deps,
    redrawAfterDecision: createGateRedraw({ db: options.store.db, client: app.client, render, orchestrator: options.orchestrator, logger }),
    mode: socketMode ? 'socket' : 'http',
    alertsChannel: () => alertsChannel,
    sendReviewDms: () => reviewDms?.pass() ?? Promise.resolve(0),
    async start() {
      await directory.refresh(true);
      // Intents acknowledged before a crash are applied now, and any left by an outage every few seconds.
      inbox.start(inboxEveryMs);
      reviewDms?.start(options.curationEveryMs ?? 10_000);
      // Channel alerts need the bot in the channel: it joins by itself, or logs exactly why it cannot.
      const alerts = currentConfig?.().team.notifications.alerts_channel;
      if (alerts) alertsChannel = await ensureInAlertsChannel(app.client, alerts, logger);
      if (socketMode) {
        await app.start();
        return {};
      }
      const listening = createServer(guardedListener(receiver!.requestListener, logger));
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
      });
      const { address, port } = listening.address() as AddressInfo;
      // Listening on every interface, the receiver is still reached locally at the loopback address.
      const reachable = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
      return { requestUrl: `http://${reachable}:${port}/slack/events` };
    },
    async stop() {
      await inbox.stop();
      await reviewDms?.stop();
      if (socketMode) {
        await app.stop();
        return;
      }
      const listening = server;
      server = undefined;
      if (!listening) return;
      listening.closeAllConnections();
      await new Promise<void>((resolve) => listening.close(() => resolve()));
    },
  };
}
