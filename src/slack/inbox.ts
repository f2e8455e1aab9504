// Acknowledged means durable: a listener records what the person asked for (a decision from a button or a
// modal, a /sitroom command that starts work or sends something, the orientation's done button) before it
// acknowledges Slack, and this inbox applies every recorded intent through the Orchestrator port: at once
// after the ack, and again on start-up and every few seconds for rows a crashed or stopped process left
// behind. The idempotency key is the Temporal update id, so applying a row a second time after a crash
// returns the first result instead of deciding twice; an intent made of several Slack posts (a pair thread)
// records each one it made in its row, so a second pass goes on from there instead of posting again, and a
// post whose record a crash cut off is found again by the row's key in its message metadata. When an intent
// cannot be applied the person is told why, and the row keeps the outcome.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { createIntentRecorder } from '../db/slack-intent-recorder.js';
import {
  dueIntents,
  leaseIntent,
  postponeIntent,
  releaseLeases,
  renewLease,
  saveIntentProgress,
  settleIntent,
  type SlackIntentRow,
} from '../db/slack-intents.js';
import { RefusedDecision } from '../contracts/failures.js';
import type { Logger } from '../observability/logger.js';
import type { DecisionResult, Orchestrator } from '../orchestrator/port.js';
import { DecisionTemplate, toRequest } from './blocks/decision-value.js';
import type { Block } from './blocks/kit.js';
import { formatWhen, renderDecided, renderOrientationDone, renderStarterTaskOffer, type RenderContext } from './blocks/notifications.js';
import { controlBlocks, renderControlled } from './blocks/plan-control.js';
import { renderHome } from './blocks/views.js';
import { openPairThread, pairTargetOfThread } from './listeners/events/pair-thread.js';
import { resolvePairTarget } from './listeners/pair.js';
import { errorText, tellPrivately } from './listeners/reply.js';
import { applyAgentSurfaceIntent, CurationIntent, FeedbackIntent, type CurationPort } from './agent-intents.js';
import { createPoller } from './poller.js';

const Prompt = z.object({ channel: z.string(), ts: z.string() });

/** Where the person is answered and what is updated once the intent is applied. */
const Reply = z.object({
  user: z.string(),
  channel: z.string().optional(),
  /** The tap came from App Home: republish it. */
  home: z.boolean().optional(),
  /** The message whose buttons were answered: updated in place to say who decided what. */
  prompt: Prompt.optional(),
  /** That message as the tap carried it; without it the message is read back from the conversation. */
  original: z.object({ text: z.string(), blocks: z.array(z.unknown()) }).optional(),
});

export const DecisionIntent = z.object({
  kind: z.literal('decision'),
  decision: DecisionTemplate,
  surface: z.enum(['slack-button', 'slack-modal']),
  reason: z.string().optional(),
  text: z.string().optional(),
  reply: Reply,
});
export type DecisionIntent = z.infer<typeof DecisionIntent>;

/** `/sitroom plan KEY intention`: starts a work item. */
export const PlanCommandIntent = z.object({
  kind: z.literal('command'),
  command: z.literal('plan'),
  workItemKey: z.string(),
  intention: z.string(),
  reply: Reply,
});
export type PlanCommandIntent = z.infer<typeof PlanCommandIntent>;

/** `/sitroom pair PHASE [KEY]`: a thread in the conversation, a pair session bound to it, and its opening. */
export const PairCommandIntent = z.object({
  kind: z.literal('command'),
  command: z.literal('pair'),
  phase: z.string(),
  workItemKey: z.string().optional(),
  reply: Reply,
  /** The thread's root once it was posted: a second pass opens that thread instead of posting another. */
  thread: z.object({ channel: z.string(), ts: z.string(), workItemKey: z.string(), phaseId: z.string(), title: z.string() }).optional(),
});
export type PairCommandIntent = z.infer<typeof PairCommandIntent>;

/** `/sitroom briefing`: the morning briefing now, delivered once a day through the outbox whatever the passes. */
export const BriefingCommandIntent = z.object({ kind: z.literal('command'), command: z.literal('briefing'), reply: Reply });
export type BriefingCommandIntent = z.infer<typeof BriefingCommandIntent>;

/** "Done — show me a starter task" under the orientation in a new developer's briefing. */
export const OrientationDoneIntent = z.object({
  kind: z.literal('orientation-done'),
  /** The developer the briefing belongs to (the button's value): only they may finish it. */
  owner: z.string().optional(),
  reply: Reply,
});
export type OrientationDoneIntent = z.infer<typeof OrientationDoneIntent>;

export const notOnRosterToDecide = 'You are not on this team’s roster (no role file with your Slack id), so you cannot make this decision.';
export const notOnRosterToStart = 'You are not on this team’s roster yet; ask your tech lead to add a role file with your Slack id.';

export const notOnRosterToFinishOrientation = 'You are not on this team’s roster (no role file with your Slack id), so there is no orientation to finish.';

const Intent = z.union([DecisionIntent, PlanCommandIntent, PairCommandIntent, BriefingCommandIntent, OrientationDoneIntent, FeedbackIntent, CurationIntent]);
export type Intent = z.infer<typeof Intent>;

/** What the person is told an intent was for, when it could not be applied. */
function describeIntent(intent: Intent): string {
  if (intent.kind === 'decision') return 'record that decision';
  if (intent.kind === 'orientation-done') return 'finish your orientation';
  if (intent.kind === 'feedback') return 'record your feedback';
  if (intent.kind === 'curation') return 'record that review';
  if (intent.command === 'plan') return `start ${intent.workItemKey}`;
  if (intent.command === 'pair') return `open the pair thread on ${intent.phase}${intent.workItemKey ? ` of ${intent.workItemKey}` : ''}`;
  return 'send your briefing';
}

/** The metadata event type on a pair thread's root, naming the inbox row that asked for it. */
export const pairRootEvent = 'sitroom_pair_thread';

/**
 * The root an earlier attempt of this row posted, if Slack has it: the conversation's messages since the
 * request arrived (a minute earlier, for clock skew between the store and Slack), newest first, with metadata
 * (https://docs.slack.dev/reference/methods/conversations.history).
 */
async function findPairRoot(client: App['client'], channel: string, row: SlackIntentRow): Promise<{ ts: string; channel: string } | undefined> {
  const oldest = ((row.receivedAt.getTime() - 60_000) / 1000).toFixed(6);
  let cursor: string | undefined;
  // Ten pages of 200 is far more than a conversation gets between a request and its retry.
  for (let page = 0; page < 10; page++) {
    const history = await client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
    const found = history.messages?.find(
      (m) => m.metadata?.event_type === pairRootEvent && (m.metadata.event_payload as { request?: unknown } | undefined)?.request === row.idempotencyKey,
    );
    if (found?.ts) return { ts: found.ts, channel };
    cursor = history.response_metadata?.next_cursor || undefined;
    if (!history.has_more || !cursor) return undefined;
  }
  return undefined;
}

export interface SlackInbox {
  /**
   * Writes the intent before the listener acknowledges. Returns its row id, or undefined when the key was
   * already recorded and is pending or applied (a double tap, Slack's retry, a replay): nothing more to do.
   */
  record(key: string, slackUserId: string, intent: Intent): Promise<number | undefined>;
  /** Applies one recorded intent now, unless another pass or process holds it. */
  apply(id: number): Promise<void>;
  /** Applies every pending intent nobody holds; returns how many this pass took. */
  drain(): Promise<number>;
  /** Drains now and then every `everyMs`. */
  start(everyMs: number): void;
  stop(): Promise<void>;
}

export interface SlackInboxDeps {
  db: Database;
  orchestrator: Orchestrator;
  /** Who the Slack user is: looked up when the intent is applied, so nothing but the insert precedes the ack. */
  /** Who a Slack user is on the team's roster (the app's DeveloperDirectory), checked when an intent is applied. */
  directory: { forSlackUser(slackUserId: string): Promise<{ id: string } | undefined> };
  client: App['client'];
  render: RenderContext;
  logger: Logger;
  /** A curator's review from their DM (the knowledge store); without it that review is refused with a pointer to the dashboard. */
  curation?: CurationPort;
  /** How long a process holds a row it is applying before another may take it; renewed while it works. */
  leaseMs?: number;
  /**
   * The store admits this one process (PGlite): a lease found in it at start-up was left by a process that is
   * gone (killed, crashed), so the first drain gives those rows back at once instead of waiting out the lease.
   */
  soleProcess?: boolean;
  /** Attempts that end in an error before the row is given up and the person told. */
  maxAttempts?: number;
  /** The wait after a first failed attempt; it doubles with each further one, up to retryMaxMs. */
  retryFirstMs?: number;
  retryMaxMs?: number;
}

export function createSlackInbox(deps: SlackInboxDeps): SlackInbox {
  const { db, orchestrator, client, logger } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const maxAttempts = deps.maxAttempts ?? 8;
  const retryFirstMs = deps.retryFirstMs ?? 1_000;
  const retryMaxMs = deps.retryMaxMs ?? 30_000;
  const applying = new Set<number>();
  // Taps that arrive while an insert is in flight are stored together by the next one (group commit).
  const recorder = createIntentRecorder(db);
  let stopped = false;
  let leasesLeftByTheLastProcess = deps.soleProcess ?? false;

  const tell = (reply: z.infer<typeof Reply>, text: string) => tellPrivately(client, logger, { user: reply.user, channel: reply.channel, text });

  async function afterDecision(intent: DecisionIntent, actor: string, result: Extract<DecisionResult, { outcome: 'applied' | 'duplicate' }>): Promise<void> {
    const { reply } = intent;
    if (reply.home) {
      const situation = await orchestrator.situation(actor);
      await client.views.publish({ user_id: reply.user, view: renderHome(situation, deps.render) as never });
      return;
    }
    if (!reply.prompt) return;
    let original = reply.original as { text: string; blocks: Block[] } | undefined;
    if (!original) {
      const history = await client.conversations.history({ channel: reply.prompt.channel, latest: reply.prompt.ts, inclusive: true, limit: 1 });
      const message = history.messages?.find((m) => m.ts === reply.prompt!.ts);
      original = { text: message?.text ?? '', blocks: (message?.blocks ?? []) as Block[] };
    }
    // A mode switch, pause or resume on a gate keeps the gate live, with its controls drawn from the work item as it is now.
    const keepsGate =
      ['set-mode', 'pause', 'resume'].includes(intent.decision.kind) &&
      original.blocks.some((b) => b.type === 'actions' && b.block_id?.startsWith(controlBlocks.workItem));
    const updated = keepsGate
      ? renderControlled(original, result, await orchestrator.workItem?.(intent.decision.workItemKey), deps.render, formatWhen)
      : renderDecided(original, result, deps.render);
    await client.chat.update({ channel: reply.prompt.channel, ts: reply.prompt.ts, text: updated.text, blocks: updated.blocks as never });
  }

  const refuse = async (row: SlackIntentRow, reply: z.infer<typeof Reply>, reason: string, told: string) => {
    await settleIntent(db, row.id, 'refused', reason);
    await tell(reply, told);
  };

  /** A pair thread: its root, then the session and the opening, each step recorded or found again on a second pass. */
  async function openPair(row: SlackIntentRow, intent: PairCommandIntent, actor: string): Promise<void> {
    const situation = await orchestrator.situation(actor);
    let thread = intent.thread;
    if (!thread) {
      const target = resolvePairTarget({ phase: intent.phase, ...(intent.workItemKey ? { workItemKey: intent.workItemKey } : {}) }, situation);
      if (!target.ok) return refuse(row, intent.reply, target.message, target.message);
      const channel = intent.reply.channel;
      if (!channel) throw new Error('a pair request carries the conversation it came from');
      // An earlier attempt may have posted the root and then died, or lost Slack's answer, before saving its ts:
      // the root carries this request's key in its metadata, so it is found again instead of posted twice.
      const earlier = row.attempts > 1 ? await findPairRoot(client, channel, row) : undefined;
      const root =
        earlier ??
        (await client.chat.postMessage({
          channel,
          text: `<@${intent.reply.user}> is pairing with the agent on *${target.phaseId}* (${target.title}) of *${target.workItemKey}*. Reply in this thread.`,
          metadata: { event_type: pairRootEvent, event_payload: { request: row.idempotencyKey, work_item_key: target.workItemKey, phase_id: target.phaseId } },
        }));
      if (!root.ts || !root.channel) throw new Error('Slack did not return the thread root');
      thread = { channel: root.channel, ts: root.ts, workItemKey: target.workItemKey, phaseId: target.phaseId, title: target.title };
      await saveIntentProgress(db, row.id, { ...intent, thread });
    }
    // The opening carries the hand-back button: found in the thread, this pass has nothing left to post.
    const opened = await pairTargetOfThread(client, thread.channel, thread.ts);
    if (!opened) {
      await openPairThread({ orchestrator, render: deps.render, logger }, client, {
        developerId: actor,
        workItemKey: thread.workItemKey,
        phaseId: thread.phaseId,
        title: thread.title,
        channel: thread.channel,
        threadTs: thread.ts,
        idempotencyKey: row.idempotencyKey,
        situation,
      });
    }
    await settleIntent(db, row.id, 'applied', `pair thread ${thread.channel}/${thread.ts} on ${thread.workItemKey} ${thread.phaseId}`);
  }

  async function finishOrientation(row: SlackIntentRow, intent: OrientationDoneIntent, actor: string): Promise<void> {
    const { reply } = intent;
    // The button carries the briefing owner's id: personal memory is private, so only they can finish it.
    if (intent.owner && intent.owner !== actor)
      return refuse(row, reply, `the orientation belongs to ${intent.owner}`, 'This orientation belongs to someone else; only they can mark it done.');
    if (!orchestrator.completeOrientation)
      return refuse(
        row,
        reply,
        'not available in this deployment',
        'Finishing the orientation is not available in this deployment; ask the tech lead for a starter task.',
      );
    // Finishing keeps the first time it was done, so a second pass picks the same offer.
    const offer = await orchestrator.completeOrientation(actor);
    if (reply.prompt && reply.original) {
      const updated = renderOrientationDone(reply.original as { text: string; blocks: Block[] }, offer.orientationCompletedAt);
      await client.chat.update({ channel: reply.prompt.channel, ts: reply.prompt.ts, text: updated.text, blocks: updated.blocks as never });
    }
    const rendered = renderStarterTaskOffer(offer, deps.render);
    const target = reply.channel ?? (await client.conversations.open({ users: reply.user })).channel?.id;
    if (target) await client.chat.postMessage({ channel: target, text: rendered.text, blocks: rendered.blocks as never, unfurl_links: false });
    await settleIntent(db, row.id, 'applied', `orientation finished ${offer.orientationCompletedAt}`);
  }

  /** Runs the intent; 'settled' once its row says how it ended. A thrown error leaves it pending. */
  async function run(row: SlackIntentRow, intent: Intent): Promise<void> {
    const developer = await deps.directory.forSlackUser(row.slackUserId);
    if (!developer) {
      const told = intent.kind === 'command' ? notOnRosterToStart : intent.kind === 'orientation-done' ? notOnRosterToFinishOrientation : notOnRosterToDecide;
      return refuse(row, intent.reply, `${row.slackUserId} is not on the roster`, told);
    }
    const actor = developer.id;
    if (intent.kind === 'feedback' || intent.kind === 'curation')
      return applyAgentSurfaceIntent({ db, client, logger, tell, ...(deps.curation ? { curation: deps.curation } : {}) }, row, intent, actor);
    try {
      if (intent.kind === 'orientation-done') return await finishOrientation(row, intent, actor);
      if (intent.kind === 'command') {
        switch (intent.command) {
          case 'plan': {
            const result = await orchestrator.requestPlan(actor, intent.workItemKey, intent.intention);
            await settleIntent(db, row.id, 'applied', `planning ${result.workItemKey} (plan v${result.planVersion})`);
            await tell(intent.reply, `Planning ${result.workItemKey} (plan v${result.planVersion}). The plan gate arrives in your DM.`);
            return;
          }
          case 'pair':
            return await openPair(row, intent, actor);
          case 'briefing':
            // Delivered through the outbox under the developer's date: a second pass never sends a second briefing.
            await orchestrator.briefingNow(actor);
            await settleIntent(db, row.id, 'applied', 'briefing sent');
            return;
        }
      }
    } catch (err) {
      // A refusal from the orchestrator (a phase that does not exist) is an answer, not an outage: no retry.
      if (err instanceof RefusedDecision) return refuse(row, intent.reply, err.message, `Not applied: ${err.message}`);
      throw err;
    }
    const request = toRequest(intent.decision, {
      actor,
      surface: intent.surface,
      idempotencyKey: row.idempotencyKey,
      ...(intent.reason !== undefined ? { reason: intent.reason } : {}),
      ...(intent.text !== undefined ? { text: intent.text } : {}),
    });
    const result = await orchestrator.decide(request);
    if (result.outcome === 'refused') {
      await settleIntent(db, row.id, 'refused', result.reason);
      await tell(intent.reply, `Not applied: ${result.reason}`);
      return;
    }
    await settleIntent(db, row.id, 'applied', `${result.outcome}: ${result.summary}`);
    try {
      await afterDecision(intent, actor, result);
    } catch (err) {
      // The decision stands; only the prompt still shows its buttons, and a second tap is a duplicate.
      logger.warn({ err: errorText(err), key: row.idempotencyKey }, 'decision applied; updating the prompt failed');
    }
  }

  async function apply(id: number): Promise<void> {
    if (stopped || applying.has(id)) return;
    applying.add(id);
    try {
      // Acknowledgements first: while taps keep coming, applying waits (a couple of seconds at most).
      await recorder.quiet();
      const row = await leaseIntent(db, id, leaseMs);
      if (!row) return; // applied already, or held by another pass or process
      const parsed = Intent.safeParse(row.payload);
      if (!parsed.success) {
        await settleIntent(db, row.id, 'failed', `unreadable intent: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        await tellPrivately(client, logger, {
          user: row.slackUserId,
          text: 'Something you asked for could not be read back after a restart; nothing changed. Please try again.',
        });
        return;
      }
      const renew = setInterval(() => void renewLease(db, row.id, leaseMs).catch(() => undefined), Math.max(1_000, leaseMs / 3));
      try {
        await run(row, parsed.data);
      } catch (err) {
        const why = errorText(err);
        if (row.attempts >= maxAttempts) {
          await settleIntent(db, row.id, 'failed', why);
          await tell(parsed.data.reply, `Could not ${describeIntent(parsed.data)} after ${row.attempts} attempts (${why}). Nothing changed; try again.`);
        } else {
          // Temporal or the store is away: try again later, backing off, without bothering the person yet.
          const delay = Math.min(retryMaxMs, retryFirstMs * 2 ** (row.attempts - 1));
          logger.warn({ err: why, key: row.idempotencyKey, attempt: row.attempts, retryInMs: delay }, 'could not apply a Slack intent yet');
          await postponeIntent(db, row.id, delay, why);
        }
      } finally {
        clearInterval(renew);
      }
    } catch (err) {
      logger.error({ err: errorText(err), id }, 'applying a Slack intent failed');
    } finally {
      applying.delete(id);
    }
  }

  async function drainOnce(): Promise<number> {
    if (leasesLeftByTheLastProcess) {
      // Whoever held a row in this store is gone: its rows are due now, not when their leases run out.
      const released = await releaseLeases(db);
      leasesLeftByTheLastProcess = false;
      if (released > 0) logger.info({ released }, 'Slack intents held by the previous process are taken up again');
    }
    const ids = (await dueIntents(db, 50)).filter((id) => !applying.has(id));
    // A few at a time: a burst after a restart should not open fifty updates at once.
    for (let i = 0; i < ids.length; i += 4) await Promise.all(ids.slice(i, i + 4).map(apply));
    return ids.length;
  }

  // A pass blocked on Temporal is not waited for long at stop: its rows stay pending and the next start takes them.
  const poller = createPoller(drainOnce, { logger, failure: 'the Slack inbox could not be drained; trying again', stopWaitMs: 2_000 });

  return {
    record: (key, slackUserId, intent) => recorder.record({ idempotencyKey: key, kind: intent.kind, slackUserId, payload: Intent.parse(intent) }),
    apply,
    drain: poller.pass,
    start(everyMs) {
      stopped = false;
      poller.start(everyMs);
    },
    async stop() {
      stopped = true;
      await poller.stop();
    },
  };
}
