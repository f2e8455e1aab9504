// One delivery from Slack as the listeners see it: the developer who sent it and its idempotency key. The
// key is derived here, once, for every kind of payload (an event, a tap, a modal submission, a command), and a
// global Bolt middleware attaches the trigger to the context before any listener runs. The middleware does
// no I/O: each listener acknowledges first and only then asks who the developer is and claims the key, and
// each of those runs at most once per delivery whichever code asks. Listeners that act on a person's
// decision or start work record the key in the Slack inbox instead (inbox.ts), before they acknowledge.
import { createHash } from 'node:crypto';
import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { processedSlackEvents } from '../db/schema/core.js';
import type { Developer, DeveloperDirectory } from './deps.js';

export type TriggerKind = 'event' | 'block_action' | 'view_submission' | 'command';

export interface SlackTrigger {
  kind: TriggerKind | undefined;
  /** Stable across Slack's retries and a person's double tap; undefined for payloads nothing acts on. */
  key: string | undefined;
  /** The developer the Slack user is, or undefined for someone the team has not registered. Resolved once. */
  developer(): Promise<Developer | undefined>;
  /**
   * Records the key before acting. False when it was already recorded: a Slack retry, a double tap or a
   * replay, which must not act twice. Claimed once per delivery; asking again returns the same answer.
   */
  claim(): Promise<boolean>;
  /** Forgets the claim when acting failed or was refused, so the person can try again. */
  release(): Promise<void>;
}

type Body = Record<string, unknown> & {
  type?: unknown;
  event_id?: unknown;
  event?: { user?: unknown };
  user?: { id?: unknown };
  user_id?: unknown;
  trigger_id?: unknown;
  command?: unknown;
  actions?: Array<{ action_id?: unknown; value?: unknown }>;
  view?: { id?: unknown };
  container?: { type?: unknown; channel_id?: unknown; message_ts?: unknown };
  channel?: { id?: unknown };
  message?: { ts?: unknown };
};

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Stable for the same person tapping the same button on the same surface: double taps collapse. The button's
 * value (work item, phase and decision) is part of the key, because one surface can hold many buttons with
 * the same action id: App Home lists every pending decision and keeps its view id across republishes.
 */
export function tapKey(body: Body, actionId: string, value = ''): string {
  const where =
    body.container?.type === 'view'
      ? `view:${text(body.view?.id)}`
      : `${text(body.container?.channel_id ?? body.channel?.id)}:${text(body.container?.message_ts ?? body.message?.ts)}`;
  // A digest keeps the key short whatever the value holds (a button value may be 2,000 characters).
  const what = value ? `:${createHash('sha256').update(value).digest('hex').slice(0, 24)}` : '';
  return `slack:block_action:${where}:${actionId}${what}:${text(body.user?.id)}`;
}

/** Which kind of trigger a payload is, its idempotency key and the Slack user who caused it. */
export function identifyTrigger(body: Body): { kind: TriggerKind; key: string; slackUserId: string } | undefined {
  if (body.type === 'event_callback') return { kind: 'event', key: `slack:event:${text(body.event_id)}`, slackUserId: text(body.event?.user) };
  if (body.type === 'block_actions')
    return { kind: 'block_action', key: tapKey(body, text(body.actions?.[0]?.action_id), text(body.actions?.[0]?.value)), slackUserId: text(body.user?.id) };
  if (body.type === 'view_submission')
    return { kind: 'view_submission', key: `slack:view_submission:${text(body.view?.id)}:${text(body.user?.id)}`, slackUserId: text(body.user?.id) };
  if (typeof body.command === 'string' && typeof body.trigger_id === 'string')
    return { kind: 'command', key: `slack:command:${body.trigger_id}`, slackUserId: text(body.user_id) };
  return undefined;
}

export function createTrigger(deps: { db: Database; directory: DeveloperDirectory }, body: Body): SlackTrigger {
  const identity = identifyTrigger(body);
  let developer: Promise<Developer | undefined> | undefined;
  let claimed: Promise<boolean> | undefined;
  const requireIdentity = () => {
    if (!identity) throw new Error(`a Slack ${text(body.type) || 'payload'} carries no idempotency key`);
    return identity;
  };
  return {
    kind: identity?.kind,
    key: identity?.key,
    developer() {
      const { slackUserId } = requireIdentity();
      developer ??= deps.directory.forSlackUser(slackUserId);
      return developer;
    },
    claim() {
      const { key, kind } = requireIdentity();
      claimed ??= deps.db
        .insert(processedSlackEvents)
        .values({ idempotencyKey: key, kind })
        .onConflictDoNothing({ target: processedSlackEvents.idempotencyKey })
        .returning({ key: processedSlackEvents.idempotencyKey })
        .then((rows) => rows.length > 0);
      return claimed;
    },
    async release() {
      const { key } = requireIdentity();
      claimed = undefined;
      await deps.db.delete(processedSlackEvents).where(eq(processedSlackEvents.idempotencyKey, key));
    },
  };
}

/** The global middleware: every delivery gets its trigger before any listener sees it. */
export function attachTrigger(deps: { db: Database; directory: DeveloperDirectory }): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    context.trigger = createTrigger(deps, body as Body);
    await next();
  };
}

export function triggerOf(context: Context): SlackTrigger {
  const trigger = context.trigger as SlackTrigger | undefined;
  if (!trigger) throw new Error('no Slack trigger on the context: createSlackApp installs attachTrigger before the listeners');
  return trigger;
}
