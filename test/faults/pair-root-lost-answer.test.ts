// The one window a pair thread had: Slack stores the thread's root, then the process dies (or the answer is
// lost on the way back) before the root's ts is saved in the inbox row. The next attempt must not post a
// second root. Here the local workspace carries out priya's root post and drops the connection before
// answering; the inbox tries again, finds the root by the row's key in its message metadata
// (conversations.history), and opens that one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackIntents } from '../../src/db/schema/core.js';
import { pairRootEvent } from '../../src/slack/inbox.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { conditionPhase, faultKey, onePhasePlan, startSurfaces, type Surfaces } from './support.js';

let rt: TestRuntime;
let surfaces: Surfaces;
beforeAll(async () => {
  rt = await startTestRuntime();
  surfaces = await startSurfaces(rt, { inboxEveryMs: 50, inboxRetry: { retryFirstMs: 20, retryMaxMs: 100 } });
});
afterAll(async () => {
  await surfaces?.stop();
  await rt?.stop();
});

describe('a pair thread whose root was posted but not recorded', () => {
  it('is found again by its metadata and opened once', async () => {
    const { workspace } = surfaces;
    const key = faultKey('LOSTROOT');
    await rt.env.client.workflow.start('workItemWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'priya',
          title: 'Capacity errors per platform',
          intention: 'report capacity errors',
          plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        },
      ],
    });
    await eventually(
      async () => workspace.messagesIn(workspace.dmChannel('priya')).filter((m) => m.text.startsWith(`${key}:`)),
      (m) => m.length > 0,
      'the plan gate in priya’s DM',
    );

    const general = workspace.channelId('general');
    const earlier = workspace.messagesIn(general).length;
    // The next chat.postMessage is the thread's root: Slack stores it, the app never hears back.
    workspace.loseAnswerNext('chat.postMessage');
    const ack = await workspace.slashCommand('priya', 'general', '/sitroom', `pair api ${key}`);
    expect(ack.status).toBe(200);

    const roots = () =>
      workspace
        .messagesIn(general)
        .slice(earlier)
        .filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    const opening = await eventually(
      async () => roots().flatMap((r) => workspace.threadReplies(general, r.ts).filter((m) => m.text.startsWith('Pairing on *api*'))),
      (found) => found.length > 0,
      'the pair thread’s opening',
      60_000,
    );
    // A moment for a second root or opening to show, if the retry had posted one.
    await new Promise((r) => setTimeout(r, 500));

    const rows = await rt.core.store.db.select().from(slackIntents);
    const row = rows.find(
      (r) => (r.payload as { command?: string; workItemKey?: string }).command === 'pair' && (r.payload as { workItemKey?: string }).workItemKey === key,
    )!;
    expect(row.status).toBe('applied');
    expect(row.attempts).toBe(2);
    const [root] = roots();
    expect(roots()).toHaveLength(1);
    expect(root!.metadata).toEqual({ event_type: pairRootEvent, event_payload: { request: row.idempotencyKey, work_item_key: key, phase_id: 'api' } });
    expect(opening).toHaveLength(1);
    expect(opening[0]!.thread_ts).toBe(root!.ts);
    expect((row.payload as { thread?: { ts: string } }).thread?.ts).toBe(root!.ts);
    // The root was posted once; the second attempt read the channel's history (with metadata) instead.
    const topLevelPosts = workspace.apiCalls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === general && !c.args.thread_ts);
    expect(topLevelPosts).toHaveLength(1);
    expect(
      workspace.apiCalls.filter((c) => c.method === 'conversations.history' && c.args.channel === general && String(c.args.include_all_metadata) === 'true'),
    ).toHaveLength(1);
  });
});
