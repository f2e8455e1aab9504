// What the kill tests share: a local Slack workspace in the test process that outlives them, plan
// gates for a person to approve, and the count of what happened to every acknowledged tap, read from each
// work item's Temporal history (the record of what a workflow applied).
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startLocalWorkspace, type DeliveryResult, type LocalWorkspace, type StoredMessage } from '../../src/local-slack/server.js';
import { decisionActionId } from '../../src/slack/ids.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually } from '../support/runtime.js';
import { conditionPhase, faultKey, onePhasePlan } from './support.js';

/** The example team's people as the workspace knows them (the role files in examples/target-repo). */
const people = [
  { id: 'U0MARIA01', name: 'maria', realName: 'Maria Alvarez', tz: 'Europe/Madrid' },
  { id: 'U0PRIYA03', name: 'priya', realName: 'Priya Raman', tz: 'Europe/London' },
  { id: 'U0SAM0002', name: 'sam', realName: 'Sam Okafor', tz: 'America/New_York' },
];

export interface FaultWorkspace {
  workspace: LocalWorkspace;
  /** The variables that point a product process at this workspace. */
  env: { SLACK_BOT_TOKEN: string; SLACK_SIGNING_SECRET: string; SLACK_API_URL: string };
}

export async function startFaultWorkspace(): Promise<FaultWorkspace> {
  const signingSecret = randomBytes(16).toString('hex');
  const botToken = `xoxb-fault-${randomBytes(6).toString('hex')}`;
  // A short delivery timeout: a killed app must not hold a tap for Slack's full 3 s.
  const workspace = await startLocalWorkspace({
    appUrl: 'http://127.0.0.1:1/slack/events',
    signingSecret,
    botToken,
    users: people,
    channels: ['general', 'sitroom-alerts'],
    eventRetryDelaysMs: [],
  });
  return { workspace, env: { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: workspace.apiUrl } };
}

/** Starts `count` work items owned by `owner` whose plans wait for approval, and waits for each plan gate in the owner's DM. */
export async function openPlanGates(
  client: Client,
  workspace: LocalWorkspace,
  taskQueue: string,
  prefix: string,
  count: number,
  owner = 'priya',
): Promise<Array<{ key: string; gate: StoredMessage }>> {
  const keys = Array.from({ length: count }, () => faultKey(prefix));
  for (const key of keys) {
    await client.workflow.start('workItemWorkflow', {
      taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: owner,
          title: 'Capacity errors per platform',
          intention: 'report capacity errors',
          plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        },
      ],
    });
  }
  const dm = workspace.dmChannel(owner);
  const gates = await eventually(
    async () => keys.map((key) => workspace.messagesIn(dm).find((m) => m.text.startsWith(`${key}:`) && m.text.includes('needs your approval'))),
    (found) => found.every(Boolean),
    `${count} plan gates in ${owner}’s DM`,
    120_000,
  );
  return keys.map((key, i) => ({ key, gate: gates[i]! }));
}

/** The person taps Approve on every gate at once, as fast as Slack delivers; each answer says whether the tap was acknowledged. */
export function approveAll(
  workspace: LocalWorkspace,
  gates: Array<{ key: string; gate: StoredMessage }>,
  owner = 'priya',
): Promise<Array<{ key: string; answer: DeliveryResult }>> {
  return Promise.all(gates.map(async ({ key, gate }) => ({ key, answer: await workspace.tap(owner, gate, decisionActionId('approve-plan')) })));
}

export interface TapFigures {
  taps: number;
  acknowledged: number;
  applied: number;
  lost: number;
  doubled: number;
  /** Work items whose plan was approved although the tap was not acknowledged (allowed, counted apart). */
  appliedUnacknowledged: number;
}

/** How many plan approvals each work item's history holds (accepted `approvePlan` updates), and from which update ids. */
export async function planApprovals(client: Client, key: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workItemWorkflowId(key)).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest)
    .filter((r) => r?.input?.name === 'approvePlan')
    .map((r) => r?.meta?.updateId ?? '');
}

/** Waits until every acknowledged tap's plan left the gate (or the time is up), then counts. */
export async function settleAndCount(
  client: Client,
  taps: Array<{ key: string; answer: DeliveryResult }>,
  timeoutMs: number,
): Promise<{ figures: TapFigures; approvals: Map<string, string[]> }> {
  const acknowledged = taps.filter((t) => t.answer.status === 200);
  const decided = async (key: string) =>
    (await client.workflow.getHandle(workItemWorkflowId(key)).query(workItemStateQuery)).status !== 'awaiting-plan-approval';
  await eventually(
    async () => (await Promise.all(acknowledged.map((t) => decided(t.key).catch(() => false)))).every(Boolean),
    (all) => all,
    'every acknowledged approval applied',
    timeoutMs,
  ).catch(() => undefined);
  // A moment for a late second application to show, if there were one.
  await new Promise((r) => setTimeout(r, 2_000));
  const approvals = new Map<string, string[]>();
  for (const t of taps) approvals.set(t.key, await planApprovals(client, t.key));
  const count = (pick: (n: number) => boolean, among = acknowledged) => among.filter((t) => pick(approvals.get(t.key)!.length)).length;
  const figures: TapFigures = {
    taps: taps.length,
    acknowledged: acknowledged.length,
    applied: count((n) => n === 1),
    lost: count((n) => n === 0),
    doubled: count((n) => n > 1),
    appliedUnacknowledged: count(
      (n) => n > 0,
      taps.filter((t) => t.answer.status !== 200),
    ),
  };
  return { figures, approvals };
}

export function printFigures(label: string, figures: TapFigures): void {
  process.stdout.write(
    `fault figures — ${label}: taps ${figures.taps}, acknowledged ${figures.acknowledged}, applied once ${figures.applied}, lost ${figures.lost}, doubled ${figures.doubled}, applied without an acknowledgement ${figures.appliedUnacknowledged}\n`,
  );
}
