// Delivers the outbox to Slack. Rows are claimed with FOR UPDATE SKIP LOCKED and a short lease, so two
// dispatchers never take the same row; each dedupe key is one row and a delivered row is never claimed
// again, so Slack sees each notification once. Rate limits (429 + Retry-After) and 5xx are retried with
// back-off here, not inside the Slack client (its retries are off).
import { and, eq, inArray, sql } from 'drizzle-orm';
import { webApi } from '@slack/bolt';
import type { LoadedConfig } from '../../config/load.js';
import { RoleFile } from '../../config/schema.js';
import type { Database } from '../../db/client.js';
import { developers, notificationOutbox } from '../../db/schema/core.js';
import { countExplained } from '../../db/personal-memory.js';
import { createLogger, redactSecrets, type Logger } from '../../observability/logger.js';
import { renderDigest, renderNotification, summariseNotification, type RenderContext } from '../blocks/notifications.js';
import { gateMetadata } from '../blocks/agent.js';
import { digestDue, routeNotification, type NotificationPreferences } from '../../notifications/routing.js';
import type { NotificationPayload } from '../../contracts/notifications.js';
import { createSlackPacer, type SlackPacer } from './pacer.js';

export interface DispatcherOptions {
  db: Database;
  client: webApi.WebClient;
  render: RenderContext;
  /** The team config, or how to read the current one (role files are reloaded while the process runs: quiet hours change). */
  config?: Pick<LoadedConfig, 'team' | 'roles'> | (() => Pick<LoadedConfig, 'team' | 'roles'>);
  logger?: Logger;
  now?: () => Date;
  batchSize?: number;
  /** How long a claimed row stays invisible to other dispatchers. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Paces Web API calls to Slack's documented limits; a benchmark on a time-scaled loopback Slack passes its own. */
  pacer?: SlackPacer;
}

export interface DispatchReport {
  delivered: number;
  logged: number;
  held: number;
  retrying: number;
  failed: number;
  digests: number;
}

interface OutboxRow {
  id: number;
  dedupe_key: string;
  developer_id: string | null;
  channel: string | null;
  urgency: 'blocking' | 'decision' | 'info';
  payload: NotificationPayload;
  attempts: number;
}

/** A WebClient for the dispatcher: no retries of its own, and a 429 becomes an error carrying Retry-After. */
export function createDispatcherClient(botToken: string, slackApiUrl?: string): webApi.WebClient {
  return new webApi.WebClient(botToken, { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
}

type Failure = { retryInMs: number; error: string } | { permanent: true; error: string };

const transientPlatformErrors = new Set(['ratelimited', 'service_unavailable', 'internal_error', 'fatal_error', 'request_timeout']);

export function classifySlackError(err: unknown, attempts: number): Failure {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  const backoff = Math.min(2 ** attempts * 1_000, 10 * 60_000);
  if (e.code === webApi.ErrorCode.RateLimitedError) return { retryInMs: (e.retryAfter ?? 1) * 1_000, error: `rate limited (Retry-After ${e.retryAfter}s)` };
  if (e.code === webApi.ErrorCode.HTTPError)
    return (e.statusCode ?? 500) >= 500 ? { retryInMs: backoff, error: `HTTP ${e.statusCode}` } : { permanent: true, error: `HTTP ${e.statusCode}` };
  if (e.code === webApi.ErrorCode.RequestError) return { retryInMs: backoff, error: 'request failed' };
  if (e.code === webApi.ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown';
    return transientPlatformErrors.has(code) ? { retryInMs: backoff, error: code } : { permanent: true, error: code };
  }
  return { retryInMs: backoff, error: redactSecrets(err instanceof Error ? err.message : String(err)) };
}

/** Slack conversation ids: C… public, G… private (older), D… direct messages. */
const conversationId = /^[CGD][A-Z0-9]{6,}$/;

/**
 * Channel names (such as the team's `notifications.alerts_channel`, "#hypershift-data-plane") to ids, listed
 * once with conversations.list and cached: an id keeps working after a rename, and chat.update and
 * postEphemeral need ids (https://api.slack.com/methods/conversations.list). A name missing from the cache
 * lists again, at most once a minute, so a channel created later is found without a restart.
 */
export function createChannelDirectory(
  client: webApi.WebClient,
  logger: Logger,
  now: () => Date = () => new Date(),
  relistAfterMs = 60_000,
  pacer?: SlackPacer,
) {
  let byName: Map<string, string> | undefined;
  let listedAt = 0;
  let listing: Promise<void> | undefined;
  let byNameOnly = false;

  async function list(): Promise<void> {
    const names = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const answered = await pacer?.acquire('conversations.list');
      const page = await client.conversations
        .list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(cursor ? { cursor } : {}) })
        .finally(() => answered?.());
      for (const c of page.channels ?? []) if (c.id && c.name) names.set(c.name, c.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    byName = names;
    listedAt = now().getTime();
  }

  return {
    async resolve(ref: string): Promise<string> {
      if (conversationId.test(ref)) return ref;
      const name = ref.replace(/^#/, '');
      if (byNameOnly) return `#${name}`;
      const cached = byName?.get(name);
      if (cached) return cached;
      if (!byName || now().getTime() - listedAt >= relistAfterMs) {
        listing ??= list().finally(() => (listing = undefined));
        try {
          await listing;
        } catch (err) {
          const code = (err as { data?: { error?: string } }).data?.error;
          // Without channels:read (an app installed from an older manifest) Slack still accepts a name in chat.postMessage.
          if (code === 'missing_scope' || code === 'not_allowed_token_type') {
            logger.warn({ channel: name, error: code }, 'cannot list channels (add channels:read and groups:read to the app); posting to channels by name');
            byNameOnly = true;
            return `#${name}`;
          }
          throw err;
        }
      }
      const id = byName?.get(name);
      if (!id) throw Object.assign(new Error(`no channel named #${name}`), { code: webApi.ErrorCode.PlatformError, data: { error: 'channel_not_found' } });
      return id;
    },
  };
}

export function createDispatcher(options: DispatcherOptions) {
  const { db, client, render } = options;
  const logger = options.logger ?? createLogger('dispatcher');
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 60_000;
  const blockingLookEveryMs = 1_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const dmChannels = new Map<string, string>();
  const pacer = options.pacer ?? createSlackPacer({ now });
  const channelIds = createChannelDirectory(client, logger, now, 60_000, pacer);

  /** One Web API call inside the limits; a 429 holds every later call of the method for its Retry-After. */
  async function paced<T>(method: string, channel: string | undefined, call: () => Promise<T>): Promise<T> {
    const answered = await pacer.acquire(method, channel);
    try {
      return await call();
    } catch (err) {
      const e = err as { code?: string; retryAfter?: number };
      if (e.code === webApi.ErrorCode.RateLimitedError) pacer.rateLimited(method, e.retryAfter ?? 1);
      throw err;
    } finally {
      answered();
    }
  }
  const config = () => (typeof options.config === 'function' ? options.config() : options.config);

  async function developer(id: string | null) {
    if (!id) return undefined;
    const [row] = await db.select().from(developers).where(eq(developers.id, id));
    const fromConfig = config()?.roles.get(id);
    let preferences: NotificationPreferences | undefined = fromConfig?.notifications;
    if (!preferences && row) {
      const parsed = RoleFile.shape.notifications.safeParse((row.role as { notifications?: unknown }).notifications);
      if (parsed.success) preferences = parsed.data;
    }
    return { slackUserId: row?.slackUserId ?? fromConfig?.slack_user_id, timeZone: row?.timeZone ?? fromConfig?.time_zone ?? 'UTC', preferences };
  }

  async function dmChannel(slackUserId: string): Promise<string> {
    const cached = dmChannels.get(slackUserId);
    if (cached) return cached;
    const opened = await paced('conversations.open', undefined, () => client.conversations.open({ users: slackUserId }));
    const id = opened.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    dmChannels.set(slackUserId, id);
    return id;
  }

  /**
   * Takes up to batchSize due rows (only blocking ones when asked) and hides them from other dispatchers for the
   * lease. Blocking rows (a CI failure that stops a PR, a phase that failed) go first: each channel takes about
   * one post a second, so after a busy hour a DM can hold half a minute of gates and notices, and a blocking
   * alert must not wait behind them. Otherwise rows go in the order they were enqueued.
   */
  async function claim(only: 'any' | 'blocking' = 'any'): Promise<OutboxRow[]> {
    const at = now();
    const leaseUntil = new Date(at.getTime() + leaseMs);
    const result = await db.execute(sql`
      UPDATE notification_outbox SET not_before = ${leaseUntil.toISOString()}::timestamptz
      WHERE id IN (
        SELECT id FROM notification_outbox
        WHERE status = 'pending' AND not_before <= ${at.toISOString()}::timestamptz
          ${only === 'blocking' ? sql`AND urgency = 'blocking'` : sql``}
        ORDER BY (urgency = 'blocking') DESC, id LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, dedupe_key, developer_id, channel, urgency, payload, attempts`);
    const rows = (result as unknown as { rows: OutboxRow[] }).rows;
    // RETURNING lists rows in no promised order: sorted again the way they were chosen.
    const first = (r: OutboxRow) => (r.urgency === 'blocking' ? 0 : 1);
    return rows
      .map((r) => ({ ...r, id: Number(r.id), payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as NotificationPayload) : r.payload }))
      .sort((a, b) => first(a) - first(b) || a.id - b.id);
  }

  /**
   * A batch paced at a post a second per channel can take many seconds; a blocking row enqueued meanwhile is
   * taken between two rows of it, looked for at most once a second (one query beside a second of posting).
   */
  let blockingLookedForAt = performance.now();
  async function deliverBlockingEnqueuedSince(report: DispatchReport): Promise<void> {
    if (performance.now() - blockingLookedForAt < blockingLookEveryMs) return;
    blockingLookedForAt = performance.now();
    for (const row of await claim('blocking')) await deliver(row, report);
  }

  async function deliver(row: OutboxRow, report: DispatchReport): Promise<void> {
    const dev = await developer(row.developer_id);
    const route = routeNotification({
      urgency: row.urgency,
      payload: row.payload,
      channel: row.channel,
      preferences: dev?.preferences,
      timeZone: dev?.timeZone,
      now: now(),
    });
    if (route.action === 'log') {
      logger.info({ dedupeKey: row.dedupe_key, kind: row.payload.kind, reason: route.reason }, 'notification logged, not sent');
      await db.update(notificationOutbox).set({ status: 'logged', silent: true }).where(eq(notificationOutbox.id, row.id));
      report.logged++;
      return;
    }
    if (route.action === 'hold') {
      await db.update(notificationOutbox).set({ notBefore: route.until }).where(eq(notificationOutbox.id, row.id));
      report.held++;
      return;
    }
    try {
      let channel: string;
      let threadTs: string | undefined;
      if (route.target === 'thread' && row.payload.kind === 'pair-reply') {
        channel = row.payload.channel;
        threadTs = row.payload.threadTs;
      } else if (route.target === 'channel' && row.channel) {
        channel = await channelIds.resolve(row.channel);
      } else {
        if (!dev?.slackUserId)
          throw Object.assign(new Error('developer has no Slack user id'), { code: webApi.ErrorCode.PlatformError, data: { error: 'no_slack_user' } });
        channel = await dmChannel(dev.slackUserId);
      }
      const rendered = renderNotification(row.payload, render);
      // A gate message names its workflow in Slack message metadata (identifiers only).
      const metadata = gateMetadata(row.payload);
      const mention = route.mention && dev?.slackUserId && !rendered.text.includes(`<@${dev.slackUserId}>`) ? `<@${dev.slackUserId}> ` : '';
      const posted = await paced('chat.postMessage', channel, () =>
        client.chat.postMessage({
          channel,
          text: `${mention}${rendered.text}`,
          blocks: rendered.blocks as never,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(metadata ? { metadata } : {}),
          unfurl_links: false,
        }),
      );
      await db.transaction(async (tx) => {
        const txdb = tx as unknown as Database;
        const marked = await txdb
          .update(notificationOutbox)
          .set({
            status: 'delivered',
            slackTs: posted.ts ?? null,
            slackChannel: posted.channel ?? channel,
            deliveredAt: now(),
            attempts: row.attempts + 1,
            lastError: null,
          })
          .where(and(eq(notificationOutbox.id, row.id), eq(notificationOutbox.status, 'pending')))
          .returning({ id: notificationOutbox.id });
        // Counted with the row's move to delivered, which happens once per dedupe key (one briefing per developer
        // and morning): a re-run or a second dispatcher never counts the same briefing twice.
        const concepts = row.payload.kind === 'briefing' ? row.payload.orientation?.concepts : undefined;
        if (marked.length > 0 && concepts?.length && row.developer_id) await countExplained(txdb, row.developer_id, concepts, now());
      });
      report.delivered++;
    } catch (err) {
      const attempts = row.attempts + 1;
      const failure = classifySlackError(err, attempts);
      if ('permanent' in failure || attempts >= maxAttempts) {
        logger.error({ dedupeKey: row.dedupe_key, error: failure.error, attempts }, 'notification failed permanently');
        await db.update(notificationOutbox).set({ status: 'failed', attempts, lastError: failure.error }).where(eq(notificationOutbox.id, row.id));
        report.failed++;
      } else {
        logger.warn({ dedupeKey: row.dedupe_key, error: failure.error, retryInMs: failure.retryInMs }, 'notification will be retried');
        await db
          .update(notificationOutbox)
          .set({ attempts, lastError: failure.error, notBefore: new Date(now().getTime() + failure.retryInMs) })
          .where(eq(notificationOutbox.id, row.id));
        report.retrying++;
      }
    }
  }

  /** Each developer's silent items, once a day after the team's digest time in their zone. */
  async function sendDigests(report: DispatchReport): Promise<void> {
    const digestTime = config()?.team.notifications.digest_time ?? '16:30';
    const logged = await db
      .select({ id: notificationOutbox.id, developerId: notificationOutbox.developerId, payload: notificationOutbox.payload })
      .from(notificationOutbox)
      .where(eq(notificationOutbox.status, 'logged'));
    const byDeveloper = new Map<string, Array<{ id: number; payload: NotificationPayload }>>();
    for (const r of logged)
      if (r.developerId) byDeveloper.set(r.developerId, [...(byDeveloper.get(r.developerId) ?? []), { id: r.id, payload: r.payload as NotificationPayload }]);
    for (const [developerId, items] of byDeveloper) {
      const dev = await developer(developerId);
      if (!dev?.slackUserId) continue;
      const { due, date } = digestDue(now(), digestTime, dev.timeZone);
      if (!due) continue;
      const dedupeKey = `digest:${developerId}:${date}`;
      const rendered = renderDigest(
        items.map((i) => ({ kind: i.payload.kind, text: summariseNotification(i.payload) })),
        render,
      );
      // The digest row is claimed before sending: a second dispatcher, or a crash and restart, sends no second digest.
      const claimed = await db
        .insert(notificationOutbox)
        .values({ dedupeKey, developerId, urgency: 'info', kind: 'digest', payload: { kind: 'info', text: rendered.text }, status: 'sending' })
        .onConflictDoNothing({ target: notificationOutbox.dedupeKey })
        .returning({ id: notificationOutbox.id });
      const digestRow = claimed[0];
      if (!digestRow) continue;
      try {
        const channel = await dmChannel(dev.slackUserId);
        const posted = await paced('chat.postMessage', channel, () =>
          client.chat.postMessage({ channel, text: rendered.text, blocks: rendered.blocks as never }),
        );
        await db
          .update(notificationOutbox)
          .set({ status: 'delivered', slackTs: posted.ts ?? null, slackChannel: channel, deliveredAt: now(), attempts: 1 })
          .where(eq(notificationOutbox.id, digestRow.id));
        await db
          .update(notificationOutbox)
          .set({ status: 'digest' })
          .where(
            and(
              eq(notificationOutbox.status, 'logged'),
              inArray(
                notificationOutbox.id,
                items.map((i) => i.id),
              ),
            ),
          );
        report.digests++;
      } catch (err) {
        // Let the next poll try again: drop the claim.
        await db.delete(notificationOutbox).where(eq(notificationOutbox.id, digestRow.id));
        logger.warn({ developerId, error: classifySlackError(err, 1).error }, 'digest not sent');
      }
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<DispatchReport> | undefined;
  /** Set by stop(): the pass ends after the row it is posting, instead of after the whole backlog. */
  let stopping = false;

  /** Rows claimed but not posted when the pass stopped: due again at once for the next dispatcher. */
  async function releaseClaims(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .update(notificationOutbox)
      .set({ notBefore: now() })
      .where(
        and(
          inArray(
            notificationOutbox.id,
            rows.map((r) => r.id),
          ),
          eq(notificationOutbox.status, 'pending'),
        ),
      );
  }

  async function runOnce(): Promise<DispatchReport> {
    const report: DispatchReport = { delivered: 0, logged: 0, held: 0, retrying: 0, failed: 0, digests: 0 };
    for (;;) {
      blockingLookedForAt = performance.now();
      const rows = await claim();
      for (const [index, row] of rows.entries()) {
        if (stopping) {
          await releaseClaims(rows.slice(index));
          return report;
        }
        await deliverBlockingEnqueuedSince(report);
        await deliver(row, report);
      }
      if (rows.length < batchSize || stopping) break;
    }
    if (!stopping) await sendDigests(report);
    return report;
  }

  return {
    runOnce,
    pacer,
    /** Polls every intervalMs until stop(); one pass at a time. */
    start(intervalMs = 1_000) {
      stopping = false;
      const tick = () => {
        running = runOnce()
          .catch((err: unknown) => {
            logger.error({ err: redactSecrets(String(err)) }, 'dispatch pass failed');
            return { delivered: 0, logged: 0, held: 0, retrying: 0, failed: 0, digests: 0 };
          })
          .finally(() => {
            if (timer !== undefined) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, 0);
    },
    /** Ends the pass after the row being posted (a paced backlog can take minutes); the rest stay due. */
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      stopping = false;
    },
  };
}
