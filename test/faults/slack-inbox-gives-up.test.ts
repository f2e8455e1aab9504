// An acknowledged request that can never be applied: maria asks for a pair thread with `/sitroom pair` in a
// channel the app was never invited to. Slack accepts the command there (slash commands work in any
// conversation) and the app acknowledges it, but every attempt to post the thread's root answers
// `not_in_channel` (and so does reading the channel for a root an earlier attempt posted). The Slack inbox tries 8 times, backing off between tries, then gives up: maria is told in
// that channel that it failed and why, the inbox row is marked failed, and nothing was posted. The attempts
// are spaced a few milliseconds apart here (createSlackApp's inboxRetry) so the test takes seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { slackIntents } from '../../src/db/schema/core.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { conditionPhase, faultKey, onePhasePlan, startSurfaces, type Surfaces } from './support.js';

const lounge = 'hypershift-lounge';
let rt: TestRuntime;
let surfaces: Surfaces;
beforeAll(async () => {
  rt = await startTestRuntime();
  surfaces = await startSurfaces(rt, { channels: [lounge], botOutsideChannels: [lounge], inboxEveryMs: 25, inboxRetry: { retryFirstMs: 10, retryMaxMs: 80 } });
});
afterAll(async () => {
  await surfaces?.stop();
  await rt?.stop();
});

describe('the Slack inbox gives up on a request it can never apply', () => {
  it('after 8 attempts the person is told it failed, the row is marked failed, and nothing was posted', async () => {
    const { workspace } = surfaces;
    const key = faultKey('GIVEUP');
    await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Capacity errors per platform',
          intention: 'report capacity errors',
          plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        },
      ],
    });
    await eventually(
      async () => workspace.messagesIn(workspace.dmChannel('maria')).filter((m) => m.text.startsWith(`${key}:`)),
      (m) => m.length > 0,
      'the plan gate in maria’s DM',
    );

    const channel = workspace.channelId(lounge);
    const ack = await workspace.slashCommand('maria', lounge, '/sitroom', `pair api ${key}`);
    expect(ack.status).toBe(200);
    expect(ack.body).toContain('Opening a pair thread');

    const told = await eventually(
      async () => workspace.ephemeralsFor('maria').find((e) => e.channel === channel && e.text.startsWith('Could not')),
      Boolean,
      'the failure told to maria',
      30_000,
    );
    expect(told!.text).toBe(
      `Could not open the pair thread on api of ${key} after 8 attempts (An API error occurred: not_in_channel). Nothing changed; try again.`,
    );

    const rows = await rt.core.store.db
      .select()
      .from(slackIntents)
      .where(eq(slackIntents.slackUserId, workspace.user('maria').id));
    const row = rows.find(
      (r) => (r.payload as { command?: string; workItemKey?: string }).command === 'pair' && (r.payload as { workItemKey?: string }).workItemKey === key,
    );
    expect(row).toMatchObject({ status: 'failed', attempts: 8, outcome: 'An API error occurred: not_in_channel' });
    expect(row!.settledAt).toBeInstanceOf(Date);
    // Each attempt was refused by Slack: the first tried to post the thread's root, the seven after it to find a
    // root an earlier attempt might have posted (the channel's history, which the bot may not read either).
    // None went through, and no session started.
    const calls = () =>
      workspace.apiCalls.filter((c) => ['chat.postMessage', 'conversations.history'].includes(c.method) && c.args.channel === channel).map((c) => c.method);
    expect(calls()).toEqual(['chat.postMessage', ...Array(7).fill('conversations.history')]);
    expect(workspace.messagesIn(channel)).toEqual([]);
    // Given up means given up: a later pass of the inbox does not try again or tell maria twice.
    await new Promise((r) => setTimeout(r, 500));
    expect(calls()).toHaveLength(8);
    expect(workspace.ephemeralsFor('maria').filter((e) => e.text.startsWith('Could not'))).toHaveLength(1);
  });
});
