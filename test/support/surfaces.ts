// The product's surfaces as `runSurfaces` wires them, on free ports, for end-to-end and fault tests.
import { randomBytes } from 'node:crypto';
import { createCiWebhookHandler } from '../../src/http/ci-webhook.js';
import { createGitHubWebhookHandler } from '../../src/http/github-webhook.js';
import { claimDelivery, releaseDelivery } from '../../src/db/github-deliveries.js';
import { createDashboardHandler } from '../../src/http/dashboard/index.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createDispatcher, createDispatcherClient } from '../../src/slack/delivery/dispatcher.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/local-slack/server.js';
import type { TestRuntime } from './runtime.js';

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
 * What `runSurfaces` starts (local workspace, Bolt app, outbox dispatcher, HTTP with the CI webhook and, when
 * given a secret, the team dashboard) on free ports, for a runtime whose worker is on its own task queue. The
 * dispatcher's clock is shifted to a weekday late morning UTC so the example team's quiet hours do not hold
 * the messages under test.
 */
export interface SurfaceOptions {
  dispatchEveryMs?: number;
  dashboardSecret?: string;
  /** More channels in the workspace, and channels (names) the app has not been invited to. */
  channels?: string[];
  botOutsideChannels?: string[];
  /** How often the Slack inbox drains, and how it holds and retries its rows (createSlackApp's options). */
  inboxEveryMs?: number;
  inboxRetry?: SlackAppOptions['inboxRetry'];
}

export async function startSurfaces(rt: TestRuntime, options: SurfaceOptions = {}): Promise<Surfaces> {
  const { core } = rt;
  const { roles } = core.config.current();
  const signingSecret = randomBytes(16).toString('hex');
  const ciSecret = randomBytes(16).toString('hex');
  const botToken = `xoxb-fault-${randomBytes(6).toString('hex')}`;
  const workspace = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret,
    botToken,
    users: [...roles.values()]
      .filter((r) => r.slack_user_id)
      .map((r) => ({ id: r.slack_user_id!, name: r.developer, realName: r.display_name, tz: r.time_zone })),
    channels: ['general', core.config.current().team.notifications.alerts_channel.replace(/^#/, ''), ...(options.channels ?? [])],
    ...(options.botOutsideChannels ? { botOutsideChannels: options.botOutsideChannels } : {}),
  });
  // As runSurfaces wires it: a dashboard decision redraws the Slack prompts once the Slack app exists.
  const late: { redraw?: SlackApp['redrawAfterDecision'] } = {};
  const routes = [createCiWebhookHandler({ orchestrator: rt.orchestrator, secret: ciSecret })];
  // As runSurfaces wires it: GitHub's signed deliveries are taken only when the environment has their secret.
  const githubSecret = core.environment.github.webhookSecret;
  if (githubSecret)
    routes.push(
      createGitHubWebhookHandler({
        orchestrator: rt.orchestrator,
        secret: githubSecret,
        claimDelivery: (id, event) => claimDelivery(core.store.db, id, event),
        releaseDelivery: (id) => releaseDelivery(core.store.db, id),
      }),
    );
  if (options.dashboardSecret) {
    routes.push(
      createDashboardHandler({
        db: core.store.db,
        knowledge: core.knowledge,
        secret: options.dashboardSecret,
        orchestrator: rt.orchestrator,
        afterDecision: (request, result) => late.redraw?.(request, result) ?? Promise.resolve(0),
        displayNames: new Map([...roles.values()].map((r) => [r.developer, r.display_name])),
      }),
    );
  }
  const http = await startHttpServer({ port: 0, routes });
  const slack = createSlackApp({
    orchestrator: rt.orchestrator,
    store: core.store,
    config: core.config.current(),
    botToken,
    signingSecret,
    appToken: '',
    slackApiUrl: workspace.apiUrl,
    port: 0,
    logger: core.logger,
    ...(options.dashboardSecret ? { dashboardUrl: `${http.url}/dashboard`, dashboardSecret: options.dashboardSecret } : {}),
    currentConfig: () => core.config.current(),
    knowledge: core.knowledge,
    ...(options.inboxEveryMs !== undefined ? { inboxEveryMs: options.inboxEveryMs } : {}),
    ...(options.inboxRetry ? { inboxRetry: options.inboxRetry } : {}),
  });
  late.redraw = slack.redrawAfterDecision;
  const { requestUrl } = await slack.start();
  workspace.setAppUrl(requestUrl!);
  const day = 86_400_000;
  let target = Math.ceil(Date.now() / day) * day + 11 * 3_600_000;
  while ([0, 6].includes(new Date(target).getUTCDay())) target += day;
  const offset = target - Date.now();
  const dispatcher = createDispatcher({
    db: core.store.db,
    client: createDispatcherClient(botToken, workspace.apiUrl),
    render: slack.deps.render,
    config: () => core.config.current(),
    logger: core.logger,
    now: () => new Date(Date.now() + offset),
  });
  dispatcher.start(options.dispatchEveryMs ?? 200);
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
