// The Web API methods the app calls (https://api.slack.com/methods), with Slack's response shapes and error
// codes: bot-token auth, rate limits (429 + Retry-After) and upstream failures a test can ask for, Block Kit
// checked against Slack's limits, and the response_url a command or an interaction answers through.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageErrors, viewErrors } from './block-kit-rules.js';
import { fail, json, parseArgs, str } from './http.js';
import type { SocketMode } from './socket-mode.js';
import { appId, botId, botUserId, teamId, type OpenView, type WorkspaceState } from './state.js';
import type { EphemeralMessage, LocalWorkspace, StoredMessage, WorkspaceOptions } from './types.js';
import { createRateLimitEnforcer } from './rate-limits.js';
import { createAgentMethods, parseMetadata } from './agent-api.js';

export type WebApi = ReturnType<typeof createWebApi>;

/** A message timestamp ("1712345678.000123") as a number that orders exactly; undefined when it is not one. */
function tsOrder(ts: string): bigint | undefined {
  const parts = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts);
  return parts ? BigInt(parts[1]!) * 1_000_000n + BigInt((parts[2] ?? '').padEnd(6, '0')) : undefined;
}

export function createWebApi(state: WorkspaceState, socket: SocketMode, options: Pick<WorkspaceOptions, 'botToken' | 'botScopes' | 'rateLimits'>) {
  const { users, channels, messages, ephemerals, homes, modals, triggers, createdAt } = state;
  const resolveChannel = (ref: string) => state.resolveChannel(ref);
  const findMessage = (channel: string, ts: string) => state.findMessage(channel, ts);
  const dmChannel = (ref: string) => state.dmChannel(ref);
  const nextTs = () => state.nextTs();
  const nextId = (prefix: string) => state.nextId(prefix);
  const rateLimits = new Map<string, { retryAfter: number; count: number }>();
  const failures = new Map<string, { status: number; count: number }>();
  const lostAnswers = new Map<string, number>();
  const apiCalls: LocalWorkspace['apiCalls'] = [];
  const enforcer = options.rateLimits ? createRateLimitEnforcer(options.rateLimits) : undefined;

  type Handler = (args: Record<string, unknown>) => Record<string, unknown>;

  function parseBlocks(args: Record<string, unknown>): { blocks?: unknown[]; error?: Record<string, unknown> } {
    if (args.blocks === undefined) return {};
    const blocks =
      typeof args.blocks === 'string'
        ? (() => {
            try {
              return JSON.parse(args.blocks) as unknown;
            } catch {
              return undefined;
            }
          })()
        : args.blocks;
    if (!Array.isArray(blocks)) return { error: fail('invalid_blocks_format') };
    return { blocks };
  }

  const methods: Record<string, Handler> = {
    'auth.test': () => ({
      ok: true,
      url: `${state.baseUrl}/`,
      team: 'Local',
      user: 'sitroom',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      if (!channel.members.has(botUserId)) return fail('not_in_channel');
      const parsed = parseBlocks(args);
      if (parsed.error) return parsed.error;
      const text = str(args.text) ?? '';
      if (!text && !parsed.blocks?.length) return fail('no_text');
      const errors = messageErrors({ text, blocks: parsed.blocks });
      if (errors.length > 0)
        return fail(parsed.blocks && !errors.every((e) => e.startsWith('text')) ? 'invalid_blocks' : 'msg_too_long', {
          response_metadata: { messages: errors },
        });
      const metadata = parseMetadata(args.metadata);
      if (metadata.error) return metadata.error;
      const msg: StoredMessage = { type: 'message', channel: channel.id, ts: nextTs(), user: botUserId, bot_id: botId, text };
      if (parsed.blocks) msg.blocks = parsed.blocks;
      if (metadata.metadata) msg.metadata = metadata.metadata;
      const threadTs = str(args.thread_ts);
      if (threadTs) {
        msg.thread_ts = threadTs;
        const parent = findMessage(channel.id, threadTs);
        if (parent) parent.reply_count = (parent.reply_count ?? 0) + 1;
        // The app answered in the thread: Slack takes its loading status down.
        state.statuses.push({ channel: channel.id, threadTs, status: '', at: Date.now() });
      }
      messages.push(msg);
      return { ok: true, channel: channel.id, ts: msg.ts, message: msg };
    },
    'chat.update': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      const msg = findMessage(channel.id, str(args.ts) ?? '');
      if (!msg) return fail('message_not_found');
      if (msg.user !== botUserId) return fail('cant_update_message');
      const parsed = parseBlocks(args);
      if (parsed.error) return parsed.error;
      const text = str(args.text) ?? msg.text;
      const errors = messageErrors({ text, blocks: parsed.blocks });
      if (errors.length > 0) return fail('invalid_blocks', { response_metadata: { messages: errors } });
      msg.text = text;
      if (parsed.blocks) msg.blocks = parsed.blocks;
      msg.edited = { user: botUserId, ts: nextTs() };
      return { ok: true, channel: channel.id, ts: msg.ts, text: msg.text, message: msg };
    },
    'chat.postEphemeral': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      const user = str(args.user);
      if (!user || !users.has(user)) return fail('user_not_found');
      if (!channel.members.has(user)) return fail('user_not_in_channel');
      const parsed = parseBlocks(args);
      if (parsed.error) return parsed.error;
      const text = str(args.text) ?? '';
      if (!text && !parsed.blocks?.length) return fail('no_text');
      const errors = messageErrors({ text, blocks: parsed.blocks });
      if (errors.length > 0) return fail('invalid_blocks', { response_metadata: { messages: errors } });
      const e: EphemeralMessage = { channel: channel.id, user, ts: nextTs(), text };
      if (parsed.blocks) e.blocks = parsed.blocks;
      const threadTs = str(args.thread_ts);
      if (threadTs) e.thread_ts = threadTs;
      ephemerals.push(e);
      return { ok: true, message_ts: e.ts };
    },
    'conversations.open': (args) => {
      const ids = (str(args.users) ?? '').split(',').filter(Boolean);
      if (ids.length !== 1) return fail(ids.length === 0 ? 'users_list_not_supplied' : 'not_implemented');
      if (!users.has(ids[0]!)) return fail('user_not_found');
      const id = dmChannel(ids[0]!);
      return { ok: true, channel: { id }, no_op: false, already_open: false };
    },
    // https://docs.slack.dev/reference/methods/conversations.history: a conversation's top-level messages, newest
    // first, between `oldest` and `latest` (each excluded unless `inclusive`), `limit` a page (default 100,
    // at most 999) with a cursor; metadata only when asked for (include_all_metadata). A bot reads a channel as a
    // member only: a public one answers not_in_channel, a private one does not exist for it.
    'conversations.history': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel || (channel.isPrivate && !channel.members.has(botUserId))) return fail('channel_not_found');
      if (!channel.members.has(botUserId)) return fail('not_in_channel');
      const oldest = tsOrder(str(args.oldest) ?? '0');
      const latest = args.latest === undefined ? undefined : tsOrder(str(args.latest) ?? '');
      if (oldest === undefined) return fail('invalid_ts_oldest');
      if (args.latest !== undefined && latest === undefined) return fail('invalid_ts_latest');
      const limit = args.limit === undefined ? 100 : Math.min(999, Number(args.limit));
      if (!Number.isInteger(limit) || limit < 1) return fail('invalid_limit');
      const cursor = str(args.cursor);
      const before = cursor ? tsOrder(/^next_ts:(.+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'))?.[1] ?? '') : undefined;
      if (cursor && before === undefined) return fail('invalid_cursor');
      const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1';
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true' || args.include_all_metadata === '1';
      const inRange = (ts: bigint) =>
        (inclusive ? ts >= oldest : ts > oldest) && (latest === undefined || (inclusive ? ts <= latest : ts < latest)) && (before === undefined || ts < before);
      const listed = messages.filter((m) => m.channel === channel.id && (!m.thread_ts || m.thread_ts === m.ts) && inRange(tsOrder(m.ts)!)).reverse();
      const page = listed.slice(0, limit);
      const hasMore = listed.length > page.length;
      return {
        ok: true,
        messages: withMetadata ? page : page.map(({ metadata: _metadata, ...m }) => m),
        has_more: hasMore,
        response_metadata: { next_cursor: hasMore ? Buffer.from(`next_ts:${page.at(-1)!.ts}`).toString('base64') : '' },
      };
    },
    'conversations.replies': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      const ts = str(args.ts) ?? '';
      const thread = messages.filter((m) => m.channel === channel.id && (m.ts === ts || m.thread_ts === ts));
      if (thread.length === 0) return fail('thread_not_found');
      return { ok: true, messages: thread, has_more: false };
    },
    // https://api.slack.com/methods/conversations.list: cursor pagination, `types` filter, channel objects in Slack's shape.
    'conversations.list': (args) => {
      const types = (str(args.types) ?? 'public_channel')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const known = ['public_channel', 'private_channel', 'mpim', 'im'];
      if (types.length === 0 || types.some((t) => !known.includes(t))) return fail('invalid_types');
      const limitArg = args.limit === undefined ? 100 : Number(args.limit);
      if (!Number.isInteger(limitArg) || limitArg < 1 || limitArg > 1000) return fail('invalid_limit');
      // Every local channel is public and unarchived, or an IM with the app.
      // A bot sees the private channels it was invited to, never the others.
      const listed = [...channels.values()].filter((c) =>
        c.isIm ? types.includes('im') : c.isPrivate ? types.includes('private_channel') && c.members.has(botUserId) : types.includes('public_channel'),
      );
      let start = 0;
      const cursor = str(args.cursor);
      if (cursor) {
        const after = /^channel:(.+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'))?.[1];
        start = after ? listed.findIndex((c) => c.id === after) : -1;
        if (start < 0) return fail('invalid_cursor');
      }
      const page = listed.slice(start, start + limitArg);
      const next = listed[start + limitArg];
      return {
        ok: true,
        channels: page.map((c) =>
          c.isIm
            ? { id: c.id, created: createdAt, is_im: true, is_org_shared: false, user: c.imUser, is_user_deleted: false, priority: 0 }
            : {
                id: c.id,
                name: c.name,
                name_normalized: c.name,
                is_channel: !c.isPrivate,
                is_group: Boolean(c.isPrivate),
                is_im: false,
                is_mpim: false,
                is_private: Boolean(c.isPrivate),
                created: createdAt,
                is_archived: false,
                is_general: c.name === 'general',
                unlinked: 0,
                is_shared: false,
                is_org_shared: false,
                is_ext_shared: false,
                is_pending_ext_shared: false,
                creator: botUserId,
                is_member: c.members.has(botUserId),
                num_members: c.members.size,
                topic: { value: '', creator: '', last_set: 0 },
                purpose: { value: '', creator: '', last_set: 0 },
                previous_names: [],
              },
        ),
        response_metadata: { next_cursor: next ? Buffer.from(`channel:${next.id}`).toString('base64') : '' },
      };
    },
    'users.info': (args) => {
      const u = users.get(str(args.user) ?? '');
      if (!u) return fail('user_not_found');
      return {
        ok: true,
        user: {
          id: u.id,
          team_id: teamId,
          name: u.name,
          real_name: u.realName ?? u.name,
          tz: u.tz ?? 'UTC',
          is_bot: false,
          deleted: false,
          profile: { real_name: u.realName ?? u.name, display_name: u.name },
        },
      };
    },
    'views.publish': (args) => {
      const userId = str(args.user_id);
      if (!userId || !users.has(userId)) return fail('user_not_found');
      const view = args.view as Record<string, unknown> | undefined;
      if (!view || typeof view !== 'object') return fail('invalid_arguments');
      const errors = viewErrors(view);
      if (errors.length > 0) return fail('invalid_arguments', { response_metadata: { messages: errors } });
      const stored = {
        ...view,
        id: (homes.get(userId)?.id as string | undefined) ?? nextId('V'),
        hash: nextId('h'),
        team_id: teamId,
        app_id: appId,
        bot_id: botId,
      };
      homes.set(userId, stored);
      return { ok: true, view: stored };
    },
    'views.open': (args) => {
      const triggerId = str(args.trigger_id);
      const trigger = triggerId ? triggers.get(triggerId) : undefined;
      // Trigger ids expire three seconds after the interaction (https://api.slack.com/interactivity/handling#modal_responses).
      if (!trigger || Date.now() - trigger.issuedAt > 3_000) return fail('expired_trigger_id');
      triggers.delete(triggerId!);
      const view = args.view as Record<string, unknown> | undefined;
      if (!view || typeof view !== 'object') return fail('invalid_arguments');
      const errors = viewErrors(view);
      if (errors.length > 0) return fail('invalid_arguments', { response_metadata: { messages: errors } });
      const open: OpenView = { id: nextId('V'), hash: nextId('h'), user: trigger.user, view };
      modals.set(trigger.user, open);
      return { ok: true, view: { ...view, id: open.id, hash: open.hash, state: { values: {} } } };
    },
    'views.update': (args) => {
      const id = str(args.view_id);
      const open = [...modals.values()].find((m) => m.id === id);
      if (!open) return fail('not_found');
      const view = args.view as Record<string, unknown> | undefined;
      if (!view) return fail('invalid_arguments');
      const errors = viewErrors(view);
      if (errors.length > 0) return fail('invalid_arguments', { response_metadata: { messages: errors } });
      open.view = view;
      open.hash = nextId('h');
      return { ok: true, view: { ...view, id: open.id, hash: open.hash } };
    },
    'reactions.add': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      const msg = findMessage(channel.id, str(args.timestamp) ?? '');
      if (!msg) return fail('message_not_found');
      const name = str(args.name) ?? '';
      msg.reactions ??= [];
      const existing = msg.reactions.find((r) => r.name === name);
      if (existing?.users.includes(botUserId)) return fail('already_reacted');
      if (existing) {
        existing.users.push(botUserId);
        existing.count++;
      } else msg.reactions.push({ name, users: [botUserId], count: 1 });
      return { ok: true };
    },
    ...createAgentMethods(state),
  };

  /** POST /api/<method>: recorded, then rate-limited or failed on request, authenticated, and answered. */
  function handleMethod(method: string, raw: string, req: IncomingMessage, res: ServerResponse): void {
    const args = parseArgs(raw, req.headers['content-type']);
    const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? str(args.token);
    delete args.token;
    apiCalls.push({ method, args });
    const limited = rateLimits.get(method);
    if (limited && limited.count > 0) {
      limited.count--;
      return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited.retryAfter) });
    }
    const over = enforcer?.admit(method, method === 'chat.postMessage' ? (resolveChannel(str(args.channel) ?? '')?.id ?? str(args.channel)) : undefined);
    if (over) return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(over.retryAfterSeconds) });
    const failure = failures.get(method);
    if (failure && failure.count > 0) {
      failure.count--;
      res.writeHead(failure.status, { 'content-type': 'text/plain' });
      res.end('upstream error');
      return;
    }
    if (!auth) return json(res, 200, fail('not_authed'));
    if (method === 'apps.connections.open') return json(res, 200, socket.openSocketConnection(auth));
    if (auth !== options.botToken) return json(res, 200, fail('invalid_auth'));
    const handler = methods[method];
    if (!handler) return json(res, 200, fail('unknown_method'));
    const answer = handler(args);
    const lost = lostAnswers.get(method) ?? 0;
    if (lost > 0) {
      lostAnswers.set(method, lost - 1);
      // Done, but the caller never hears so (a dropped connection, a crash before the answer was read).
      res.destroy();
      return;
    }
    return json(res, 200, answer, options.botScopes ? { 'x-oauth-scopes': options.botScopes.join(',') } : {});
  }

  /** POST /response/<id>: a reply through a response_url, shown in the channel or to the person only. */
  function handleResponseUrl(id: string, raw: string, res: ServerResponse): void {
    const target = state.responseUrls.get(id);
    if (!target) return json(res, 404, { ok: false, error: 'expired_url' });
    const reply = JSON.parse(raw || '{}') as { text?: string; blocks?: unknown[]; response_type?: string };
    if (reply.response_type === 'in_channel')
      messages.push({
        type: 'message',
        channel: target.channel,
        ts: nextTs(),
        user: botUserId,
        bot_id: botId,
        text: reply.text ?? '',
        ...(reply.blocks ? { blocks: reply.blocks } : {}),
      });
    else
      ephemerals.push({ channel: target.channel, user: target.user, ts: nextTs(), text: reply.text ?? '', ...(reply.blocks ? { blocks: reply.blocks } : {}) });
    return json(res, 200, { ok: true });
  }

  return {
    apiCalls,
    handleMethod,
    handleResponseUrl,
    /** The next `count` calls of `method` answer HTTP 429 with Retry-After (seconds). */
    rateLimitNext: (method: string, retryAfter: number, count = 1) => void rateLimits.set(method, { retryAfter, count }),
    /** The next `count` calls of `method` answer with this HTTP status (e.g. 503). */
    failNext: (method: string, status: number, count = 1) => void failures.set(method, { status, count }),
    /** The next `count` calls of `method` are carried out, then the connection closes before the answer. */
    loseAnswerNext: (method: string, count = 1) => void lostAnswers.set(method, count),
    rateLimited: () => enforcer?.rejected() ?? 0,
  };
}
