// Acknowledged means durable: a listener records what the person asked for (a decision from a button or a
// modal, a /sitroom command that starts work) before it acknowledges Slack, and this inbox applies every
// recorded intent through the Orchestrator port: at once after the ack, and again on start-up and every few
// seconds for rows a crashed or stopped process left behind. The idempotency key is the Temporal update id,
// so applying a row a second time after a crash returns the first result instead of deciding twice. When an
// intent cannot be applied the person is told why, and the row keeps the outcome.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { dueIntents, leaseIntent, postponeIntent, recordIntent, renewLease, settleIntent, type SlackIntentRow } from '../db/slack-intents.js';
import type { Logger } from '../observability/logger.js';
import type { DecisionResult, Orchestrator } from '../orchestrator/port.js';
import { DecisionTemplate, toRequest } from './blocks/decision-value.js';
import type { Block } from './blocks/kit.js';
import { formatWhen, renderDecided, type RenderContext } from './blocks/notifications.js';
import { controlBlocks, renderControlled } from './blocks/plan-control.js';
import { renderHome } from './blocks/views.js';
import { errorText, tellPrivately } from './listeners/reply.js';
import { applyAgentSurfaceIntent, CurationIntent, FeedbackIntent, type CurationPort } from './agent-intents.js';

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
export const PlanCommandIntent = z.object({ kind: z.literal('command'), command: z.literal('plan'), workItemKey: z.string(), intention: z.string(), reply: Reply });
export type PlanCommandIntent = z.infer<typeof PlanCommandIntent>;

export const notOnRosterToDecide = 'You are not on this team’s roster (no role file with your Slack id), so you cannot make this decision.';
export const notOnRosterToStart = 'You are not on this team’s roster yet; ask your tech lead to add a role file with your Slack id.';

const Intent = z.discriminatedUnion('kind', [DecisionIntent, PlanCommandIntent, FeedbackIntent, CurationIntent]);
type Intent = z.infer<typeof Intent>;

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
  /** Attempts that end in an error before the row is given up and the person told. */
  maxAttempts?: number;
}

export function createSlackInbox(deps: SlackInboxDeps): SlackInbox {
  const { db, orchestrator, client, logger } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const maxAttempts = deps.maxAttempts ?? 8;
  const applying = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<number> | undefined;
  let stopped = false;

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
    const keepsGate = ['set-mode', 'pause', 'resume'].includes(intent.decision.kind) && original.blocks.some((b) => b.type === 'actions' && b.block_id?.startsWith(controlBlocks.workItem));
    const updated = keepsGate
      ? renderControlled(original, result, await orchestrator.workItem?.(intent.decision.workItemKey), deps.render, formatWhen)
      : renderDecided(original, result, deps.render);
    await client.chat.update({ channel: reply.prompt.channel, ts: reply.prompt.ts, text: updated.text, blocks: updated.blocks as never });
  }

  /** Runs the intent; 'settled' once its row says how it ended. A thrown error leaves it pending. */
  async function run(row: SlackIntentRow, intent: Intent): Promise<void> {
    const developer = await deps.directory.forSlackUser(row.slackUserId);
    if (!developer) {
      await settleIntent(db, row.id, 'refused', `${row.slackUserId} is not on the roster`);
      await tell(intent.reply, intent.kind === 'command' ? notOnRosterToStart : notOnRosterToDecide);
      return;
    }
    const actor = developer.id;
    if (intent.kind === 'feedback' || intent.kind === 'curation') return applyAgentSurfaceIntent({ db, client, logger, tell, ...(deps.curation ? { curation: deps.curation } : {}) }, row, intent, actor);
    if (intent.kind === 'command') {
      const result = await orchestrator.requestPlan(actor, intent.workItemKey, intent.intention);
      await settleIntent(db, row.id, 'applied', `planning ${result.workItemKey} (plan v${result.planVersion})`);
      await tell(intent.reply, `Planning ${result.workItemKey} (plan v${result.planVersion}). The plan gate arrives in your DM.`);
      return;
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
      const row = await leaseIntent(db, id, leaseMs);
      if (!row) return; // applied already, or held by another pass or process
      const parsed = Intent.safeParse(row.payload);
      if (!parsed.success) {
        await settleIntent(db, row.id, 'failed', `unreadable intent: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        await tellPrivately(client, logger, { user: row.slackUserId, text: 'Something you asked for could not be read back after a restart; nothing changed. Please try again.' });
        return;
      }
      const renew = setInterval(() => void renewLease(db, row.id, leaseMs).catch(() => undefined), Math.max(1_000, leaseMs / 3));
      try {
        await run(row, parsed.data);
      } catch (err) {
        const why = errorText(err);
        if (row.attempts >= maxAttempts) {
          await settleIntent(db, row.id, 'failed', why);
          const what = parsed.data.kind === 'command' ? `start ${parsed.data.workItemKey}` : parsed.data.kind === 'feedback' ? 'record your feedback' : parsed.data.kind === 'curation' ? 'record that review' : 'record that decision';
          await tell(parsed.data.reply, `Could not ${what} after ${row.attempts} attempts (${why}). Nothing changed; try again.`);
        } else {
          // Temporal or the store is away: try again later, backing off, without bothering the person yet.
          const delay = Math.min(30_000, 1_000 * 2 ** (row.attempts - 1));
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
    const ids = (await dueIntents(db, 50)).filter((id) => !applying.has(id));
    // A few at a time: a burst after a restart should not open fifty updates at once.
    for (let i = 0; i < ids.length; i += 4) await Promise.all(ids.slice(i, i + 4).map(apply));
    return ids.length;
  }

  function drain(): Promise<number> {
    // One pass at a time; a caller arriving during a pass waits for it.
    draining ??= drainOnce().finally(() => (draining = undefined));
    return draining;
  }

  return {
    record: (key, slackUserId, intent) => recordIntent(db, { idempotencyKey: key, kind: intent.kind, slackUserId, payload: Intent.parse(intent) }),
    apply,
    drain,
    start(everyMs) {
      stopped = false;
      const tick = async () => {
        try {
          await drain();
        } catch (err) {
          logger.warn({ err: errorText(err) }, 'the Slack inbox could not be drained; trying again');
        }
        if (!stopped) timer = setTimeout(() => void tick(), everyMs);
      };
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // A pass blocked on Temporal is not waited for long: its rows stay pending and the next start takes them.
      if (draining) await Promise.race([draining.catch(() => 0), new Promise((r) => setTimeout(r, 2_000).unref())]);
    },
  };
}
