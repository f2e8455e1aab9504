// The real Bolt app wired to the local workspace over loopback HTTP, with a store holding the example
// team's developers and a small recording implementation of the Orchestrator port (the Slack layer's
// contract; the lead's end-to-end tests use the Temporal one).
import type { OpenStore } from '../../src/db/client.js';
import { developers } from '../../src/db/schema/core.js';
import { createDispatcher, createDispatcherClient } from '../../src/slack/delivery/dispatcher.js';
import { enqueueNotification } from '../../src/db/outbox.js';
import type { Notification } from '../../src/contracts/notifications.js';
import type { DecisionRequest, DecisionResult, Orchestrator, Situation } from '../../src/orchestrator/port.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/local-slack/server.js';
import { createLogger } from '../../src/observability/logger.js';

export const team = [
  { id: 'maria', displayName: 'Maria Alvarez', slackUserId: 'U0MARIA01', timeZone: 'Europe/Madrid' },
  { id: 'sam', displayName: 'Sam Okafor', slackUserId: 'U0SAM0002', timeZone: 'America/New_York' },
  { id: 'priya', displayName: 'Priya Raman', slackUserId: 'U0PRIYA03', timeZone: 'Europe/London' },
];
export const workspaceUsers = [
  ...team.map((d) => ({ id: d.slackUserId, name: d.id, realName: d.displayName, tz: d.timeZone })),
  { id: 'U0EVE00099', name: 'eve', realName: 'Eve Outsider' }, // in the workspace, not on the team
];

/** Records every call; approvals are allowed for maria and priya only, like the example team's approvers. */
export class RecordingOrchestrator implements Orchestrator {
  decisions: DecisionRequest[] = [];
  pairStarts: Array<Parameters<Orchestrator['startPair']>[0]> = [];
  pairMessages: Array<Parameters<Orchestrator['pairMessage']>[0]> = [];
  situations: string[] = [];
  briefings: string[] = [];
  plans: Array<{ developerId: string; workItemKey: string; intention: string }> = [];
  private applied = new Map<string, DecisionResult>();
  approvers = new Set(['maria', 'priya']);

  async decide(request: DecisionRequest): Promise<DecisionResult> {
    this.decisions.push(request);
    const earlier = this.applied.get(request.idempotencyKey);
    if (earlier && earlier.outcome !== 'refused') return { ...earlier, outcome: 'duplicate' };
    if (!this.approvers.has(request.actor)) return { outcome: 'refused', reason: `${request.actor} may not decide ${request.kind} on ${request.workItemKey}` };
    const verb: Record<string, string> = { 'approve-phase': 'approved', 'approve-plan': 'approved', 'reject-phase': 'rejected' };
    const summary = `${request.phaseId ? `Phase ${request.phaseId}` : 'Plan'} ${verb[request.kind] ?? `${request.kind}: ${request.value ?? ''}`}${request.reason ? ` (${request.reason})` : ''}`;
    const result: DecisionResult = { outcome: 'applied', summary, decidedBy: request.actor, decidedAt: '2026-11-25T09:30:00.000Z' };
    this.applied.set(request.idempotencyKey, result);
    return result;
  }

  async situation(developerId: string): Promise<Situation> {
    this.situations.push(developerId);
    return {
      developerId,
      workItems: [
        {
          key: 'HOSTEDCP-2101',
          title: 'NodePool reports capacity errors per platform',
          ownerId: 'maria',
          status: 'in_progress',
          planVersion: 2,
          phases: [
            { id: 'api', title: 'API surface', mode: 'approval-required', status: 'merged', dependsOn: [], mergeOrder: 1 },
            { id: 'platform-bridge', title: 'Platform bridge', mode: 'autonomous', status: 'running', dependsOn: ['api'], mergeOrder: 2 },
            { id: 'nodepool', title: 'NodePool integration', mode: 'collaborative', status: 'pending', dependsOn: ['platform-bridge'], mergeOrder: 3 },
          ],
          pendingDecisions: [],
        },
      ],
      pendingDecisions: [
        {
          workItemKey: 'HOSTEDCP-2101',
          kind: 'approve-phase',
          phaseId: 'platform-bridge',
          title: 'Approve phase platform-bridge',
          since: '2026-11-25T08:00:00Z',
        },
      ],
      recentCi: [{ workItemKey: 'HOSTEDCP-2101', phaseId: 'api', job: 'e2e-aws', result: 'success' }],
      recentKnowledge: [{ tier: 1, title: 'Conditions flow one way: provider → Machine → NodePool' }],
    };
  }

  async ask(_developerId: string, question: string) {
    return { text: `About "${question}": the provider machine status feeds Machine conditions.`, citations: ['api/hypershift/v1beta1/nodepool_conditions.go'] };
  }

  async requestPlan(developerId: string, workItemKey: string, intention: string) {
    this.plans.push({ developerId, workItemKey, intention });
    return { workItemKey, planVersion: 1 };
  }

  async startPair(args: Parameters<Orchestrator['startPair']>[0]) {
    this.pairStarts.push(args);
    return { sessionId: `pair-${args.workItemKey}-${args.phaseId}` };
  }

  async pairMessage(args: Parameters<Orchestrator['pairMessage']>[0]) {
    this.pairMessages.push(args);
    return { accepted: this.pairStarts.some((p) => p.channel === args.channel && p.threadTs === args.threadTs) };
  }

  async briefingNow(developerId: string) {
    this.briefings.push(developerId);
  }

  async workItem(key: string) {
    return (await this.situation('maria')).workItems.find((w) => w.key === key);
  }

  async phaseAccount(workItemKey: string, phaseId: string) {
    return { workItemKey, phaseId, title: phaseId, earlier: [], left: [] };
  }
}

export const signingSecret = 'local-signing-secret-for-tests';
export const botToken = 'xoxb-local-test-token';

export interface Harness {
  workspace: LocalWorkspace;
  slack: SlackApp;
  orchestrator: RecordingOrchestrator;
  /** The Bolt app's request URL (/slack/events), where the workspace delivers. */
  requestUrl: string;
  /** Writes a notification to the outbox and runs the real dispatcher once. */
  notify(notification: Notification): Promise<void>;
  stop(): Promise<void>;
}

export async function seedTeam(store: OpenStore): Promise<void> {
  await store.db.insert(developers).values(team).onConflictDoNothing();
}

export async function startHarness(
  store: OpenStore,
  orchestrator = new RecordingOrchestrator(),
  /** How long the workspace waits for the app's answer (Slack's 3 s by default). */
  options: { deliveryTimeoutMs?: number } = {},
): Promise<Harness> {
  await seedTeam(store);
  const workspace = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/slack/events', signingSecret, botToken, users: workspaceUsers, ...options });
  const logger = createLogger('slack-test', 'silent');
  const slack = createSlackApp({
    orchestrator,
    store,
    botToken,
    signingSecret,
    appToken: '',
    slackApiUrl: workspace.apiUrl,
    port: 0,
    dashboardUrl: 'http://127.0.0.1:3000',
    logger,
  });
  const { requestUrl } = await slack.start();
  workspace.setAppUrl(requestUrl!);
  const client = createDispatcherClient(botToken, workspace.apiUrl);
  // Tomorrow at 11:00 UTC: daytime for the whole example team, so quiet hours do not hold the prompts under test.
  const daytime = () => new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 11 * 3_600_000);
  const dispatcher = createDispatcher({ db: store.db, client, render: slack.deps.render, logger, now: daytime });
  return {
    workspace,
    slack,
    orchestrator,
    requestUrl: requestUrl!,
    async notify(notification) {
      await enqueueNotification(store.db, notification);
      await dispatcher.runOnce();
    },
    async stop() {
      await slack.stop();
      await workspace.stop();
    },
  };
}
