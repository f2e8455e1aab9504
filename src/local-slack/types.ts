// The local workspace's public shapes: what it stores (users, messages), how it is started, what a test or
// the dev process can ask of it, and the log of what it delivered to the app.
import type { RateLimitEnforcement } from './rate-limits.js';

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
  /** Slack message metadata (https://docs.slack.dev/messaging/message-metadata): what an app attached for other apps. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** A message started with chat.startStream: 'streaming' until chat.stopStream, then 'completed'. */
  stream?: { state: 'streaming' | 'completed'; appended: number; recipient?: string };
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface WorkspaceOptions {
  port?: number;
  /** The interface to listen on (SITROOM_BIND_HOST); loopback by default. */
  host?: string;
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
  /** The bot token's scopes, named in the `x-oauth-scopes` header of every Web API answer as Slack does. */
  botScopes?: string[];
  /** Enforce Slack's documented rate tiers and per-channel posting rate with 429 + Retry-After (off by default). */
  rateLimits?: RateLimitEnforcement;
  /** Channels (names) the bot has not been invited to. */
  botOutsideChannels?: string[];
  /** Private channels (names) to create; the bot is not a member and cannot join one itself, as in Slack. */
  privateChannels?: string[];
}

export type DeliveryKind = 'events_api' | 'interactive' | 'slash_commands';

/**
 * What the app answered. Over HTTP: the response status and body. Over Socket Mode: 200 and the ack's
 * payload as JSON ('' for an empty ack), or status 0 when no ack came in time (as for an HTTP timeout).
 */
export interface DeliveryResult {
  status: number;
  body: string;
  attempts: number;
  transport: 'http' | 'socket';
}

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
  /** Taps the positive or negative side of the feedback buttons (action id) on a message. */
  tapFeedback(user: string, message: StoredMessage | { channel: string; ts: string }, actionId: string, side: 'positive' | 'negative'): Promise<DeliveryResult>;
  /** Opens the app's DM, the Messages tab (app_home_opened with tab "messages"). */
  openMessages(user: string): Promise<DeliveryResult>;
  /** Loading statuses the app set with assistant.threads.setStatus, oldest first ("" when one was cleared). */
  statuses: Array<{ channel: string; threadTs: string; status: string; at: number }>;
  /** The suggested prompts pinned in a conversation (a user's DM with the app, or a channel). */
  suggestedPromptsIn(ref: string): { title?: string; prompts: Array<{ title: string; message: string }> } | undefined;
  /** A person joins the workspace (a new teammate), as Slack would have them before their role file lands. */
  addUser(user: WorkspaceUser): void;
  /** Taps a button on App Home; blockId picks one when several buttons share the action id (one per pending decision). */
  tapHome(user: string, actionId: string, blockId?: string): Promise<DeliveryResult>;
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
  /** How many calls the enforced rate limits (WorkspaceOptions.rateLimits) answered with 429. */
  rateLimited(): number;
  /** The next `count` calls of `method` answer with this HTTP status (e.g. 503). */
  failNext(method: string, status: number, count?: number): void;
  /** The next `count` calls of `method` are carried out, then the connection closes before the answer: the app cannot know they went through. */
  loseAnswerNext(method: string, count?: number): void;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
}

/** One attempt's outcome on either transport; the delivery log and DeliveryResult are made from it. */
export interface Attempt {
  status: number;
  body: string;
  failure?: DeliveryRecord['failure'];
  envelopeId?: string;
}
