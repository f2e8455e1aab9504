// A Slack-compatible workspace on loopback: the Web API methods the app calls, with Slack's response
// shapes and errors, and delivery of events, interactions and slash commands to the app exactly as Slack
// sends them (events retried on failure or after 3 s), over either of Slack's two transports: signed HTTP
// requests to the app's request URL, or Socket Mode envelopes on a WebSocket the app opened with
// apps.connections.open. Used by `npm run dev` without Slack credentials, by the end-to-end tests and by a
// person in a browser (GET /).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { messageErrors, viewErrors } from './block-kit-rules.js';
import { workspacePage } from './page.js';
import { signedHeaders } from './signing.js';

export interface WorkspaceUser {
  id: string; // Slack user id, e.g. U0MARIA01
  name: string; // handle, e.g. maria
  realName?: string;
  tz?: string;
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  reply_count?: number;
  bot_id?: string;
  edited?: { user: string; ts: string };
  reactions?: Array<{ name: string; users: string[]; count: number }>;
}

export interface EphemeralMessage { channel: string; user: string; ts: string; text: string; blocks?: unknown[]; thread_ts?: string }

interface Channel { id: string; name: string; isIm: boolean; members: Set<string>; imUser?: string }

interface OpenView { id: string; hash: string; user: string; view: Record<string, unknown> }

export interface WorkspaceOptions {
  port?: number;
  /** The app's request URL, e.g. http://127.0.0.1:3000/slack/events */
  appUrl: string;
  signingSecret: string;
  botToken: string;
  users: WorkspaceUser[];
  /** Public channels to create (names without #). Default: general, sitroom-alerts. */
  channels?: string[];
  /** Delays before the retries of an undelivered event. Slack waits ~immediately, 1 min, 5 min; locally shorter. */
  eventRetryDelaysMs?: number[];
  /** How long Slack waits for the app's response (HTTP) or acknowledgement (Socket Mode). */
  deliveryTimeoutMs?: number;
  /** The app-level token (xapp-…) apps.connections.open accepts; without it Socket Mode is refused. */
  appToken?: string;
  /** How often the workspace pings each Socket Mode connection, as Slack's servers do. */
  socketPingIntervalMs?: number;
}

export type DeliveryKind = 'events_api' | 'interactive' | 'slash_commands';

/**
 * What the app answered. Over HTTP: the response status and body. Over Socket Mode: 200 and the ack's
 * payload as JSON ('' for an empty ack), or status 0 when no ack came in time (as for an HTTP timeout).
 */
export interface DeliveryResult { status: number; body: string; attempts: number; transport: 'http' | 'socket' }

/** One attempt to hand something to the app, kept whatever its outcome (the workspace's delivery log). */
export interface DeliveryRecord {
  transport: 'http' | 'socket';
  kind: DeliveryKind;
  /** Event type, interaction type or command. */
  type: string;
  /** 1 for the first attempt; events are retried. */
  attempt: number;
  ok: boolean;
  status: number;
  /** Time from sending to the app's answer (or to giving up). */
  ms: number;
  /** Why it failed: no answer in time, an error status, the app unreachable, or no open socket. */
  failure?: 'timeout' | 'http_error' | 'unreachable' | 'no_connection' | 'connection_closed';
  /** Socket Mode only. */
  envelopeId?: string;
}

/** A Socket Mode connection the app opened, with the hello it was sent. */
export interface SocketConnection {
  id: string;
  openedAt: number;
  hello: Record<string, unknown>;
  closedAt?: number;
  closeCode?: number;
}

export interface LocalWorkspace {
  url: string;
  /** Base URL for WebClient's slackApiUrl (ends with /api/). */
  apiUrl: string;
  teamId: string;
  botUserId: string;
  stop(): Promise<void>;
  /** Points delivery at the app once it is listening (the app needs the workspace's URL first). */
  setAppUrl(url: string): void;
  /**
   * 'socket' once the app has connected in Socket Mode (like switching Socket Mode on in the app's
   * settings, nothing goes to the request URL from then on), else 'http'.
   */
  transport(): 'http' | 'socket';
  /** Every Socket Mode connection the app opened, oldest first. */
  socketConnections: SocketConnection[];
  /** Asks every open Socket Mode connection to reconnect (type "disconnect", reason "refresh_requested"). */
  refreshSocketConnections(): void;
  /** Every delivery attempt to the app, over either transport, oldest first. */
  deliveries: DeliveryRecord[];
  user(nameOrId: string): WorkspaceUser;
  /** Channel id for "#name", "name", a channel id, or a user (their DM with the app). */
  channelId(ref: string): string;
  dmChannel(user: string): string;
  messagesIn(channel: string): StoredMessage[];
  threadReplies(channel: string, threadTs: string): StoredMessage[];
  ephemeralsFor(user: string): EphemeralMessage[];
  homeOf(user: string): Record<string, unknown> | undefined;
  modalOf(user: string): Record<string, unknown> | undefined;
  /** Web API calls received, newest last (method and parsed arguments without the token). */
  apiCalls: Array<{ method: string; args: Record<string, unknown> }>;
  tap(user: string, message: StoredMessage | { channel: string; ts: string }, actionId: string): Promise<DeliveryResult>;
  tapHome(user: string, actionId: string): Promise<DeliveryResult>;
  submitModal(user: string, values: Record<string, string>): Promise<DeliveryResult>;
  sendMessage(user: string, channel: string, text: string, threadTs?: string): Promise<{ ts: string; deliveries: DeliveryResult[] }>;
  slashCommand(user: string, channel: string, command: string, text: string): Promise<DeliveryResult>;
  openHome(user: string): Promise<DeliveryResult>;
  /** Delivers a raw Events API callback (for retry and duplicate tests). */
  deliverEvent(event: Record<string, unknown>, options?: { eventId?: string }): Promise<DeliveryResult>;
  /** Sends a body to the app with arbitrary signing, as a forger or a replayer would. */
  postToApp(body: string, contentType: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** The next `count` calls of `method` answer HTTP 429 with Retry-After (seconds). */
  rateLimitNext(method: string, retryAfterSeconds: number, count?: number): void;
  /** The next `count` calls of `method` answer with this HTTP status (e.g. 503). */
  failNext(method: string, status: number, count?: number): void;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** WebClient sends form-encoded arguments with nested values as JSON strings; some callers send JSON. */
function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body.length === 0) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (['blocks', 'view', 'attachments', 'metadata'].includes(k) && /^[[{]/.test(v)) {
      try {
        args[k] = JSON.parse(v);
        continue;
      } catch {
        // left as a string: the method will answer invalid_arguments
      }
    }
    args[k] = v;
  }
  return args;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startLocalWorkspace(options: WorkspaceOptions): Promise<LocalWorkspace> {
  const teamId = 'T0LOCAL01';
  const appId = 'A0SITROOM1';
  const botUserId = 'U0SITROOMB';
  const botId = 'B0SITROOM1';
  const users = new Map<string, WorkspaceUser>();
  for (const u of options.users) users.set(u.id, u);
  const channels = new Map<string, Channel>();
  const messages: StoredMessage[] = [];
  const ephemerals: EphemeralMessage[] = [];
  const homes = new Map<string, Record<string, unknown>>();
  const modals = new Map<string, OpenView>();
  const triggers = new Map<string, { user: string; issuedAt: number }>();
  const responseUrls = new Map<string, { user: string; channel: string }>();
  const rateLimits = new Map<string, { retryAfter: number; count: number }>();
  const failures = new Map<string, { status: number; count: number }>();
  const apiCalls: LocalWorkspace['apiCalls'] = [];
  const retryDelays = options.eventRetryDelaysMs ?? [50, 200, 500];
  const timeoutMs = options.deliveryTimeoutMs ?? 3_000;
  let appUrl = options.appUrl;
  const deliveries: DeliveryRecord[] = [];
  // Socket Mode: one-time tickets from apps.connections.open, open connections, envelopes awaiting their ack.
  const tickets = new Map<string, number>();
  const sockets = new Map<WebSocket, SocketConnection>();
  const socketConnections: SocketConnection[] = [];
  const awaitingAck = new Map<string, { socket: WebSocket; settle: (attempt: Attempt) => void }>();
  let socketMode = false;
  const createdAt = Math.floor(Date.now() / 1000);
  let tsCounter = 0;
  let idCounter = 0;

  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
  const nextId = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(++idCounter).toString(36).toUpperCase()}`;

  for (const name of options.channels ?? ['general', 'sitroom-alerts']) {
    const id = `C${name.replace(/[^a-z0-9]/gi, '').toUpperCase().slice(0, 8)}${channels.size}`;
    channels.set(id, { id, name, isIm: false, members: new Set([botUserId, ...users.keys()]) });
  }

  const findUser = (ref: string): WorkspaceUser => {
    const byId = users.get(ref);
    if (byId) return byId;
    for (const u of users.values()) if (u.name === ref) return u;
    throw new Error(`local workspace: no user ${ref}`);
  };

  const dmChannel = (userRef: string): string => {
    const user = findUser(userRef);
    for (const c of channels.values()) if (c.isIm && c.imUser === user.id) return c.id;
    const id = `D${user.id.slice(1)}`;
    channels.set(id, { id, name: user.name, isIm: true, members: new Set([botUserId, user.id]), imUser: user.id });
    return id;
  };

  const resolveChannel = (ref: string): Channel | undefined => {
    const direct = channels.get(ref);
    if (direct) return direct;
    const name = ref.replace(/^#/, '');
    for (const c of channels.values()) if (!c.isIm && c.name === name) return c;
    if (users.has(ref)) return channels.get(dmChannel(ref));
    return undefined;
  };

  const channelId = (ref: string): string => {
    try {
      return dmChannel(ref);
    } catch {
      const c = resolveChannel(ref);
      if (!c) throw new Error(`local workspace: no channel ${ref}`);
      return c.id;
    }
  };

  const issueTrigger = (user: string) => {
    const id = `${Date.now()}.${randomBytes(6).toString('hex')}`;
    triggers.set(id, { user, issuedAt: Date.now() });
    return id;
  };

  const issueResponseUrl = (user: string, channel: string) => {
    const id = randomBytes(8).toString('hex');
    responseUrls.set(id, { user, channel });
    return `${baseUrl}/response/${id}`;
  };

  // ---- delivery to the app -------------------------------------------------------------------------
  // Everything a person does reaches the app through deliver(): the payload is built once, in Slack's
  // shape, and only the last step differs by transport (https://api.slack.com/apis/connections/socket).
  interface Attempt { status: number; body: string; failure?: DeliveryRecord['failure']; envelopeId?: string }

  async function postToApp(body: string, contentType: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetch(appUrl, { method: 'POST', body, headers: { 'content-type': contentType, ...headers }, signal: controller.signal });
      return { status: res.status, body: await res.text() };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The HTTP request body Slack sends for each kind: events as JSON, interactions as a form field, commands as a form. */
  function httpBody(kind: DeliveryKind, payload: Record<string, unknown>): { body: string; contentType: string } {
    if (kind === 'events_api') return { body: JSON.stringify(payload), contentType: 'application/json' };
    if (kind === 'interactive') return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
    return { body: new URLSearchParams(payload as Record<string, string>).toString(), contentType: 'application/x-www-form-urlencoded' };
  }

  async function sendOverHttp(kind: DeliveryKind, payload: Record<string, unknown>, retryNum: number, previous: Attempt | undefined): Promise<Attempt> {
    const { body, contentType } = httpBody(kind, payload);
    const headers = signedHeaders(options.signingSecret, body, contentType);
    if (retryNum > 0) {
      headers['x-slack-retry-num'] = String(retryNum);
      // https://api.slack.com/apis/connections/events-api#retries
      headers['x-slack-retry-reason'] = previous?.failure === 'http_error' ? 'http_error' : previous?.failure === 'unreachable' ? 'connection_failed' : 'http_timeout';
    }
    try {
      const res = await postToApp(body, contentType, headers);
      return res.status >= 200 && res.status < 300 ? res : { ...res, failure: 'http_error' };
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'AbortError';
      return { status: 0, body: '', failure: timedOut ? 'timeout' : 'unreachable' };
    }
  }

  /** Slack only takes a response payload in the ack where the HTTP response body would carry one. */
  const acceptsResponsePayload = (kind: DeliveryKind, payload: Record<string, unknown>) =>
    kind === 'slash_commands' || (kind === 'interactive' && ['view_submission', 'block_suggestion'].includes(String(payload.type)));

  function sendOverSocket(kind: DeliveryKind, payload: Record<string, unknown>, retryNum: number): Promise<Attempt> {
    // The newest connection: after a refresh the app's new socket is the one that stays.
    const socket = [...sockets.keys()].filter((ws) => ws.readyState === ws.OPEN).at(-1);
    if (!socket) return Promise.resolve({ status: 0, body: '', failure: 'no_connection' });
    const envelopeId = randomUUID();
    const envelope: Record<string, unknown> = { envelope_id: envelopeId, type: kind, payload, accepts_response_payload: acceptsResponsePayload(kind, payload) };
    if (kind === 'events_api') {
      envelope.retry_attempt = retryNum;
      envelope.retry_reason = retryNum > 0 ? 'timeout' : '';
    }
    return new Promise<Attempt>((resolve) => {
      const timer = setTimeout(() => settle({ status: 0, body: '', failure: 'timeout' }), timeoutMs);
      const settle = (attempt: Attempt) => {
        clearTimeout(timer);
        awaitingAck.delete(envelopeId);
        resolve({ ...attempt, envelopeId });
      };
      awaitingAck.set(envelopeId, { socket, settle });
      socket.send(JSON.stringify(envelope), (err) => {
        if (err) settle({ status: 0, body: '', failure: 'connection_closed' });
      });
    });
  }

  /** The ack is {envelope_id, payload?}; its payload is what an HTTP response body would have said. */
  function onSocketMessage(socket: WebSocket, data: unknown) {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return; // Slack ignores what it cannot parse
    }
    const pending = typeof message.envelope_id === 'string' ? awaitingAck.get(message.envelope_id) : undefined;
    // An ack for an envelope already given up on (or never sent on this socket) changes nothing.
    if (!pending || pending.socket !== socket) return;
    const payload = message.payload && typeof message.payload === 'object' && Object.keys(message.payload).length > 0 ? message.payload : undefined;
    pending.settle({ status: 200, body: payload ? JSON.stringify(payload) : '' });
  }

  const payloadType = (kind: DeliveryKind, payload: Record<string, unknown>) =>
    String(kind === 'events_api' ? (payload.event as { type?: unknown } | undefined)?.type : kind === 'slash_commands' ? payload.command : payload.type);

  async function deliver(kind: DeliveryKind, payload: Record<string, unknown>, retry: boolean): Promise<DeliveryResult> {
    const transport = socketMode ? 'socket' : 'http';
    let last: Attempt | undefined;
    let attempts = 0;
    for (let retryNum = 0; retryNum <= (retry ? retryDelays.length : 0); retryNum++) {
      attempts++;
      const started = Date.now();
      last = transport === 'socket' ? await sendOverSocket(kind, payload, retryNum) : await sendOverHttp(kind, payload, retryNum, last);
      const ok = last.failure === undefined;
      deliveries.push({
        transport, kind, type: payloadType(kind, payload), attempt: attempts, ok, status: last.status, ms: Date.now() - started,
        ...(last.failure ? { failure: last.failure } : {}),
        ...(last.envelopeId ? { envelopeId: last.envelopeId } : {}),
      });
      if (ok) break;
      const delay = retryDelays[retryNum];
      if (retry && delay !== undefined) await sleep(delay);
    }
    return { status: last!.status, body: last!.body, attempts, transport };
  }

  function eventEnvelope(event: Record<string, unknown>, eventId?: string) {
    return {
      token: 'local-verification-token',
      team_id: teamId,
      api_app_id: appId,
      event,
      type: 'event_callback',
      event_id: eventId ?? nextId('Ev'),
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(8).toString('hex')}`,
    };
  }

  const deliverEvent = (event: Record<string, unknown>, opts: { eventId?: string } = {}) => deliver('events_api', eventEnvelope(event, opts.eventId), true);

  const userObject = (u: WorkspaceUser) => ({ id: u.id, username: u.name, name: u.name, team_id: teamId });

  // Slack does not retry interactions; the user sees an error instead.
  const deliverInteraction = (payload: Record<string, unknown>) => deliver('interactive', payload, false);

  function findMessage(channel: string, ts: string): StoredMessage | undefined {
    return messages.find((m) => m.channel === channel && m.ts === ts);
  }

  function actionFrom(blocks: unknown[] | undefined, actionId: string) {
    for (const b of (blocks ?? []) as Array<Record<string, unknown>>) {
      const elements = (b.type === 'actions' ? (b.elements as Array<Record<string, unknown>>) : b.accessory ? [b.accessory as Record<string, unknown>] : []) ?? [];
      for (const e of elements) {
        if (e.action_id === actionId) {
          return { action_id: actionId, block_id: (b.block_id as string | undefined) ?? nextId('blk'), text: e.text, value: e.value, type: e.type, style: e.style, action_ts: `${Date.now() / 1000}` };
        }
      }
    }
    return undefined;
  }

  async function tap(userRef: string, ref: StoredMessage | { channel: string; ts: string }, actionId: string): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const msg = findMessage(ref.channel, ref.ts);
    if (!msg) throw new Error(`local workspace: no message ${ref.ts} in ${ref.channel}`);
    const action = actionFrom(msg.blocks, actionId);
    if (!action) throw new Error(`local workspace: message ${msg.ts} has no button ${actionId}`);
    const channel = channels.get(msg.channel)!;
    return deliverInteraction({
      type: 'block_actions',
      user: userObject(user),
      api_app_id: appId,
      token: 'local-verification-token',
      container: { type: 'message', message_ts: msg.ts, channel_id: msg.channel, is_ephemeral: false },
      trigger_id: issueTrigger(user.id),
      team: { id: teamId, domain: 'local' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.isIm ? 'directmessage' : channel.name },
      message: msg,
      state: { values: {} },
      response_url: issueResponseUrl(user.id, msg.channel),
      actions: [action],
    });
  }

  async function tapHome(userRef: string, actionId: string): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const home = homes.get(user.id);
    if (!home) throw new Error(`local workspace: ${user.name} has no App Home`);
    const action = actionFrom(home.blocks as unknown[], actionId);
    if (!action) throw new Error(`local workspace: App Home of ${user.name} has no button ${actionId}`);
    return deliverInteraction({
      type: 'block_actions',
      user: userObject(user),
      api_app_id: appId,
      token: 'local-verification-token',
      container: { type: 'view', view_id: home.id },
      trigger_id: issueTrigger(user.id),
      team: { id: teamId, domain: 'local' },
      view: home,
      actions: [action],
    });
  }

  async function submitModal(userRef: string, values: Record<string, string>): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const open = modals.get(user.id);
    if (!open) throw new Error(`local workspace: ${user.name} has no open modal`);
    const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
    for (const b of (open.view.blocks as Array<Record<string, unknown>>) ?? []) {
      if (b.type !== 'input') continue;
      const element = b.element as { action_id: string; type: string; initial_value?: string };
      const blockId = b.block_id as string;
      const given = values[blockId] ?? values[element.action_id];
      state[blockId] = { [element.action_id]: { type: element.type, value: given ?? element.initial_value ?? null } };
    }
    const view = { ...open.view, id: open.id, hash: open.hash, team_id: teamId, app_id: appId, bot_id: botId, state: { values: state } };
    const result = await deliverInteraction({
      type: 'view_submission',
      team: { id: teamId, domain: 'local' },
      user: userObject(user),
      api_app_id: appId,
      token: 'local-verification-token',
      trigger_id: issueTrigger(user.id),
      view,
      response_urls: [],
      is_enterprise_install: false,
    });
    // An empty 200 closes the modal; response_action "errors" keeps it open (https://api.slack.com/surfaces/modals#displaying_errors).
    let action: { response_action?: string; errors?: Record<string, string> } = {};
    try {
      action = result.body ? (JSON.parse(result.body) as typeof action) : {};
    } catch {
      action = {};
    }
    if (result.status === 200 && action.response_action === 'errors') open.view = { ...open.view, errors: action.errors };
    else if (result.status === 200) modals.delete(user.id);
    return result;
  }

  async function sendMessage(userRef: string, channelRef: string, text: string, threadTs?: string) {
    const user = findUser(userRef);
    const channel = resolveChannel(channelRef) ?? channels.get(channelId(channelRef));
    if (!channel) throw new Error(`local workspace: no channel ${channelRef}`);
    const msg: StoredMessage = { type: 'message', channel: channel.id, ts: nextTs(), user: user.id, text };
    if (threadTs) {
      msg.thread_ts = threadTs;
      const parent = findMessage(channel.id, threadTs);
      if (parent) parent.reply_count = (parent.reply_count ?? 0) + 1;
    }
    messages.push(msg);
    const event: Record<string, unknown> = { type: 'message', channel: channel.id, user: user.id, text, ts: msg.ts, event_ts: msg.ts, channel_type: channel.isIm ? 'im' : 'channel', team: teamId };
    if (threadTs) event.thread_ts = threadTs;
    const deliveries = [await deliverEvent(event)];
    if (text.includes(`<@${botUserId}>`)) {
      const mention: Record<string, unknown> = { type: 'app_mention', channel: channel.id, user: user.id, text, ts: msg.ts, event_ts: msg.ts, team: teamId };
      if (threadTs) mention.thread_ts = threadTs;
      deliveries.push(await deliverEvent(mention));
    }
    return { ts: msg.ts, deliveries };
  }

  async function slashCommand(userRef: string, channelRef: string, command: string, text: string): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const channel = resolveChannel(channelRef) ?? channels.get(channelId(channelRef))!;
    const result = await deliver('slash_commands', {
      token: 'local-verification-token',
      team_id: teamId,
      team_domain: 'local',
      channel_id: channel.id,
      channel_name: channel.isIm ? 'directmessage' : channel.name,
      user_id: user.id,
      user_name: user.name,
      command,
      text,
      api_app_id: appId,
      is_enterprise_install: 'false',
      response_url: issueResponseUrl(user.id, channel.id),
      trigger_id: issueTrigger(user.id),
    }, false);
    // A command's immediate response is shown to the invoking user only, unless it says in_channel.
    if (result.status === 200 && result.body.trim().length > 0) {
      try {
        const reply = JSON.parse(result.body) as { text?: string; blocks?: unknown[]; response_type?: string };
        if (reply.text || reply.blocks) ephemerals.push({ channel: channel.id, user: user.id, ts: nextTs(), text: reply.text ?? '', ...(reply.blocks ? { blocks: reply.blocks } : {}) });
      } catch {
        ephemerals.push({ channel: channel.id, user: user.id, ts: nextTs(), text: result.body });
      }
    }
    return result;
  }

  const openHome = (userRef: string) => {
    const user = findUser(userRef);
    return deliverEvent({ type: 'app_home_opened', user: user.id, channel: dmChannel(user.id), tab: 'home', event_ts: `${Date.now() / 1000}`, view: homes.get(user.id) });
  };

  // ---- Web API ------------------------------------------------------------------------------------
  type Handler = (args: Record<string, unknown>) => Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const fail = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

  function parseBlocks(args: Record<string, unknown>): { blocks?: unknown[]; error?: Record<string, unknown> } {
    if (args.blocks === undefined) return {};
    const blocks = typeof args.blocks === 'string' ? (() => { try { return JSON.parse(args.blocks) as unknown; } catch { return undefined; } })() : args.blocks;
    if (!Array.isArray(blocks)) return { error: fail('invalid_blocks_format') };
    return { blocks };
  }

  const methods: Record<string, Handler> = {
    'auth.test': () => ({ ok: true, url: `${baseUrl}/`, team: 'Local', user: 'sitroom', team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false }),
    'chat.postMessage': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      if (!channel.members.has(botUserId)) return fail('not_in_channel');
      const parsed = parseBlocks(args);
      if (parsed.error) return parsed.error;
      const text = str(args.text) ?? '';
      if (!text && !parsed.blocks?.length) return fail('no_text');
      const errors = messageErrors({ text, blocks: parsed.blocks });
      if (errors.length > 0) return fail(parsed.blocks && !errors.every((e) => e.startsWith('text')) ? 'invalid_blocks' : 'msg_too_long', { response_metadata: { messages: errors } });
      const msg: StoredMessage = { type: 'message', channel: channel.id, ts: nextTs(), user: botUserId, bot_id: botId, text };
      if (parsed.blocks) msg.blocks = parsed.blocks;
      const threadTs = str(args.thread_ts);
      if (threadTs) {
        msg.thread_ts = threadTs;
        const parent = findMessage(channel.id, threadTs);
        if (parent) parent.reply_count = (parent.reply_count ?? 0) + 1;
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
    'conversations.history': (args) => {
      const channel = resolveChannel(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      return { ok: true, messages: messages.filter((m) => m.channel === channel.id && (!m.thread_ts || m.thread_ts === m.ts)).reverse(), has_more: false };
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
      const types = (str(args.types) ?? 'public_channel').split(',').map((t) => t.trim()).filter(Boolean);
      const known = ['public_channel', 'private_channel', 'mpim', 'im'];
      if (types.length === 0 || types.some((t) => !known.includes(t))) return fail('invalid_types');
      const limitArg = args.limit === undefined ? 100 : Number(args.limit);
      if (!Number.isInteger(limitArg) || limitArg < 1 || limitArg > 1000) return fail('invalid_limit');
      // Every local channel is public and unarchived, or an IM with the app.
      const listed = [...channels.values()].filter((c) => (c.isIm ? types.includes('im') : types.includes('public_channel')));
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
                id: c.id, name: c.name, name_normalized: c.name, is_channel: true, is_group: false, is_im: false, is_mpim: false, is_private: false,
                created: createdAt, is_archived: false, is_general: c.name === 'general', unlinked: 0, is_shared: false, is_org_shared: false,
                is_ext_shared: false, is_pending_ext_shared: false, creator: botUserId, is_member: c.members.has(botUserId), num_members: c.members.size,
                topic: { value: '', creator: '', last_set: 0 }, purpose: { value: '', creator: '', last_set: 0 }, previous_names: [],
              },
        ),
        response_metadata: { next_cursor: next ? Buffer.from(`channel:${next.id}`).toString('base64') : '' },
      };
    },
    'users.info': (args) => {
      const u = users.get(str(args.user) ?? '');
      if (!u) return fail('user_not_found');
      return { ok: true, user: { id: u.id, team_id: teamId, name: u.name, real_name: u.realName ?? u.name, tz: u.tz ?? 'UTC', is_bot: false, deleted: false, profile: { real_name: u.realName ?? u.name, display_name: u.name } } };
    },
    'views.publish': (args) => {
      const userId = str(args.user_id);
      if (!userId || !users.has(userId)) return fail('user_not_found');
      const view = args.view as Record<string, unknown> | undefined;
      if (!view || typeof view !== 'object') return fail('invalid_arguments');
      const errors = viewErrors(view);
      if (errors.length > 0) return fail('invalid_arguments', { response_metadata: { messages: errors } });
      const stored = { ...view, id: (homes.get(userId)?.id as string | undefined) ?? nextId('V'), hash: nextId('h'), team_id: teamId, app_id: appId, bot_id: botId };
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
  };

  // ---- Socket Mode ----------------------------------------------------------------------------------
  // https://api.slack.com/apis/connections/socket: apps.connections.open, called with the app-level token,
  // answers a single-use WebSocket URL; on connect the server says hello, then sends envelopes, pings the
  // connection, and asks for a reconnect with a "disconnect" message when it wants the client to move.
  const ticketTtlMs = 60_000;
  const socketServer = new WebSocketServer({ noServer: true });
  const pingEveryMs = options.socketPingIntervalMs ?? 5_000;
  const debugHost = (id: string) => `local-applink-${id}`;

  /** apps.connections.open: only the app-level token may open a connection; any other token is invalid here. */
  function openSocketConnection(token: string): Record<string, unknown> {
    if (!options.appToken || token !== options.appToken) return fail('invalid_auth');
    const ticket = randomUUID();
    tickets.set(ticket, Date.now());
    return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${appId}` };
  }

  function acceptSocket(socket: WebSocket) {
    const id = String(socketConnections.length + 1);
    const openCount = [...sockets.keys()].filter((ws) => ws.readyState === ws.OPEN).length + 1;
    const hello = {
      type: 'hello',
      num_connections: openCount,
      debug_info: { host: debugHost(id), build_number: 1, approximate_connection_time: 18_060 },
      connection_info: { app_id: appId },
    };
    const record: SocketConnection = { id, openedAt: Date.now(), hello };
    sockets.set(socket, record);
    socketConnections.push(record);
    socketMode = true;
    const pinger = setInterval(() => socket.ping(), pingEveryMs);
    pinger.unref();
    socket.on('message', (data) => onSocketMessage(socket, data));
    socket.on('close', (code) => {
      clearInterval(pinger);
      record.closedAt = Date.now();
      record.closeCode = code;
      sockets.delete(socket);
      for (const pending of awaitingAck.values()) if (pending.socket === socket) pending.settle({ status: 0, body: '', failure: 'connection_closed' });
    });
    socket.on('error', () => socket.terminate());
    socket.send(JSON.stringify(hello));
  }

  function refreshSocketConnections() {
    for (const [socket, record] of sockets) {
      if (socket.readyState !== socket.OPEN) continue;
      socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: debugHost(record.id) } }));
      // Slack closes the old connection itself a little later if the client has not moved by then.
      setTimeout(() => socket.readyState === socket.OPEN && socket.close(1000, 'refresh_requested'), 10_000).unref();
    }
  }

  // ---- the browser page's own endpoints --------------------------------------------------------------
  function uiState(userId: string) {
    const visible = [...channels.values()].filter((c) => c.members.has(userId) && (!c.isIm || c.imUser === userId));
    return {
      me: userId,
      botUserId,
      users: [...users.values()],
      channels: visible.map((c) => ({ id: c.id, name: c.isIm ? 'Situation Room' : `#${c.name}`, isIm: c.isIm })),
      messages: messages.filter((m) => visible.some((c) => c.id === m.channel)),
      ephemerals: ephemerals.filter((e) => e.user === userId),
      home: homes.get(userId) ?? null,
      modal: modals.get(userId)?.view ?? null,
    };
  }

  async function handleUi(path: string, body: Record<string, string>): Promise<unknown> {
    const user = body.user ?? '';
    switch (path) {
      case '/ui/send':
        return sendMessage(user, body.channel ?? '', body.text ?? '', body.threadTs || undefined);
      case '/ui/tap':
        return body.surface === 'home' ? tapHome(user, body.actionId ?? '') : tap(user, { channel: body.channel ?? '', ts: body.ts ?? '' }, body.actionId ?? '');
      case '/ui/submit':
        return submitModal(user, JSON.parse(body.values ?? '{}') as Record<string, string>);
      case '/ui/close': {
        modals.delete(findUser(user).id);
        return { ok: true };
      }
      case '/ui/home':
        return openHome(user);
      case '/ui/command': {
        const [command = '', ...rest] = (body.text ?? '').split(' ');
        return slashCommand(user, body.channel ?? '', command, rest.join(' '));
      }
      default:
        throw new Error('not found');
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      try {
        if (req.method === 'GET' && url.pathname === '/') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(workspacePage());
          return;
        }
        if (req.method === 'GET' && url.pathname === '/ui/state') {
          // The URL `npm run dev` prints has no ?user: it opens the first developer of the team config.
          const ref = url.searchParams.get('user')?.trim() || options.users[0]?.id;
          if (!ref) return json(res, 404, { ok: false, error: 'no_users', detail: 'the team config lists no developer with a slack_user_id' });
          const user = users.get(ref) ?? [...users.values()].find((u) => u.name.toLowerCase() === ref.toLowerCase());
          if (!user) return json(res, 404, { ok: false, error: 'unknown_user', detail: `no user "${ref}"; try one of: ${[...users.values()].map((u) => u.name).join(', ')}` });
          dmChannel(user.id);
          return json(res, 200, uiState(user.id));
        }
        const raw = await readBody(req);
        if (req.method === 'POST' && url.pathname.startsWith('/ui/')) {
          return json(res, 200, await handleUi(url.pathname, JSON.parse(raw || '{}') as Record<string, string>));
        }
        if (req.method === 'POST' && url.pathname.startsWith('/response/')) {
          const target = responseUrls.get(url.pathname.slice('/response/'.length));
          if (!target) return json(res, 404, { ok: false, error: 'expired_url' });
          const reply = JSON.parse(raw || '{}') as { text?: string; blocks?: unknown[]; response_type?: string };
          if (reply.response_type === 'in_channel') messages.push({ type: 'message', channel: target.channel, ts: nextTs(), user: botUserId, bot_id: botId, text: reply.text ?? '', ...(reply.blocks ? { blocks: reply.blocks } : {}) });
          else ephemerals.push({ channel: target.channel, user: target.user, ts: nextTs(), text: reply.text ?? '', ...(reply.blocks ? { blocks: reply.blocks } : {}) });
          return json(res, 200, { ok: true });
        }
        if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
          const method = url.pathname.slice('/api/'.length);
          const args = parseArgs(raw, req.headers['content-type']);
          const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? str(args.token);
          delete args.token;
          apiCalls.push({ method, args });
          const limited = rateLimits.get(method);
          if (limited && limited.count > 0) {
            limited.count--;
            return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited.retryAfter) });
          }
          const failure = failures.get(method);
          if (failure && failure.count > 0) {
            failure.count--;
            res.writeHead(failure.status, { 'content-type': 'text/plain' });
            res.end('upstream error');
            return;
          }
          if (!auth) return json(res, 200, fail('not_authed'));
          if (method === 'apps.connections.open') return json(res, 200, openSocketConnection(auth));
          if (auth !== options.botToken) return json(res, 200, fail('invalid_auth'));
          const handler = methods[method];
          if (!handler) return json(res, 200, fail('unknown_method'));
          return json(res, 200, handler(args));
        }
        json(res, 404, { ok: false, error: 'not_found' });
      } catch (err) {
        json(res, 500, { ok: false, error: 'internal_error', detail: err instanceof Error ? err.message : String(err) });
      }
    })();
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const ticket = url.searchParams.get('ticket') ?? '';
    const issuedAt = tickets.get(ticket);
    tickets.delete(ticket);
    if (url.pathname !== '/link/' || issuedAt === undefined || Date.now() - issuedAt > ticketTtlMs) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socketServer.handleUpgrade(req, socket, head, acceptSocket);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    teamId,
    botUserId,
    stop: () => new Promise<void>((resolve) => {
      for (const socket of sockets.keys()) socket.terminate();
      socketServer.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
    setAppUrl: (url) => void (appUrl = url),
    transport: () => (socketMode ? 'socket' : 'http'),
    socketConnections,
    refreshSocketConnections,
    deliveries,
    user: findUser,
    channelId,
    dmChannel,
    messagesIn: (ref) => {
      const id = channelId(ref);
      return messages.filter((m) => m.channel === id && (!m.thread_ts || m.thread_ts === m.ts));
    },
    threadReplies: (ref, threadTs) => {
      const id = channelId(ref);
      return messages.filter((m) => m.channel === id && m.thread_ts === threadTs && m.ts !== threadTs);
    },
    ephemeralsFor: (user) => ephemerals.filter((e) => e.user === findUser(user).id),
    homeOf: (user) => homes.get(findUser(user).id),
    modalOf: (user) => modals.get(findUser(user).id)?.view,
    apiCalls,
    tap,
    tapHome,
    submitModal,
    sendMessage,
    slashCommand,
    openHome,
    deliverEvent,
    postToApp,
    rateLimitNext: (method, retryAfter, count = 1) => void rateLimits.set(method, { retryAfter, count }),
    failNext: (method, status, count = 1) => void failures.set(method, { status, count }),
    waitFor: async (probe, waitMs = 5_000) => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error('local workspace: condition not met in time');
        await sleep(20);
      }
    },
  };
}
