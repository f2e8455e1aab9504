// Delivery to the app, as Slack does it: everything a person does reaches the app through deliver(). The
// payload is built once, in Slack's shape; only the last step differs by transport
// (https://api.slack.com/apis/connections/socket): a signed HTTP request to the app's request URL (events
// as JSON, interactions as a form field, commands as a form), or a Socket Mode envelope once the app has
// connected that way. Events are retried on failure or after the timeout; interactions and commands are not.
// Every attempt is kept in the delivery log.
import { randomBytes } from 'node:crypto';
import { sleep } from './http.js';
import { signedHeaders } from './signing.js';
import type { SocketMode } from './socket-mode.js';
import { appId, botUserId, teamId, type WorkspaceState } from './state.js';
import type { Attempt, DeliveryKind, DeliveryRecord, DeliveryResult, WorkspaceOptions } from './types.js';

export type Delivery = ReturnType<typeof createDelivery>;

export function createDelivery(
  state: WorkspaceState,
  socket: SocketMode,
  options: Pick<WorkspaceOptions, 'appUrl' | 'signingSecret' | 'eventRetryDelaysMs' | 'deliveryTimeoutMs'>,
) {
  const retryDelays = options.eventRetryDelaysMs ?? [50, 200, 500];
  const timeoutMs = options.deliveryTimeoutMs ?? 3_000;
  let appUrl = options.appUrl;
  const deliveries: DeliveryRecord[] = [];

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
    if (kind === 'interactive')
      return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
    return { body: new URLSearchParams(payload as Record<string, string>).toString(), contentType: 'application/x-www-form-urlencoded' };
  }

  async function sendOverHttp(kind: DeliveryKind, payload: Record<string, unknown>, retryNum: number, previous: Attempt | undefined): Promise<Attempt> {
    const { body, contentType } = httpBody(kind, payload);
    const headers = signedHeaders(options.signingSecret, body, contentType);
    if (retryNum > 0) {
      headers['x-slack-retry-num'] = String(retryNum);
      // https://api.slack.com/apis/connections/events-api#retries
      headers['x-slack-retry-reason'] =
        previous?.failure === 'http_error' ? 'http_error' : previous?.failure === 'unreachable' ? 'connection_failed' : 'http_timeout';
    }
    try {
      const res = await postToApp(body, contentType, headers);
      return res.status >= 200 && res.status < 300 ? res : { ...res, failure: 'http_error' };
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'AbortError';
      return { status: 0, body: '', failure: timedOut ? 'timeout' : 'unreachable' };
    }
  }

  const payloadType = (kind: DeliveryKind, payload: Record<string, unknown>) =>
    String(kind === 'events_api' ? (payload.event as { type?: unknown } | undefined)?.type : kind === 'slash_commands' ? payload.command : payload.type);

  async function deliver(kind: DeliveryKind, payload: Record<string, unknown>, retry: boolean): Promise<DeliveryResult> {
    const transport = socket.isOn() ? 'socket' : 'http';
    let last: Attempt | undefined;
    let attempts = 0;
    for (let retryNum = 0; retryNum <= (retry ? retryDelays.length : 0); retryNum++) {
      attempts++;
      const started = Date.now();
      last = transport === 'socket' ? await socket.send(kind, payload, retryNum) : await sendOverHttp(kind, payload, retryNum, last);
      const ok = last.failure === undefined;
      deliveries.push({
        transport,
        kind,
        type: payloadType(kind, payload),
        attempt: attempts,
        ok,
        status: last.status,
        ms: Date.now() - started,
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
      event_id: eventId ?? state.nextId('Ev'),
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(8).toString('hex')}`,
    };
  }

  const deliverEvent = (event: Record<string, unknown>, opts: { eventId?: string } = {}) => deliver('events_api', eventEnvelope(event, opts.eventId), true);

  // Slack does not retry interactions; the user sees an error instead.
  const deliverInteraction = (payload: Record<string, unknown>) => deliver('interactive', payload, false);

  return {
    deliveries,
    /** Points delivery at the app once it is listening (the app needs the workspace's URL first). */
    setAppUrl: (url: string) => void (appUrl = url),
    transport: (): 'http' | 'socket' => (socket.isOn() ? 'socket' : 'http'),
    postToApp,
    deliver,
    deliverEvent,
    deliverInteraction,
  };
}
