// The guard in front of Bolt's HTTP receiver. Bolt reads `body.ssl_check` before any listener runs, so a
// correctly signed body whose payload is `null` would throw outside every handler and end the process; the
// same holds for any field a listener trusts. Every request is checked here first: size, clock skew both
// ways, a body that parses to an object, and the fields each kind of delivery must carry with their types.
// What passes is handed to the receiver already buffered; Bolt still verifies the signature. The size limit
// and the content type are the checks every HTTP surface shares (src/http/guard.ts); Slack's own come after.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import { checkHeaders, mediaType, readLimitedBody, RequestRefused } from '../http/guard.js';

/** Slack's requests are small; a view submission with its state is the largest (well under 1 MiB). */
export const slackBodyLimitBytes = 1024 * 1024;
/** Slack's replay window (https://docs.slack.dev/authentication/verifying-requests-from-slack). */
export const slackClockSkewSeconds = 5 * 60;

const id = z.string().max(255);
const userRef = z.object({ id }).passthrough();
const byType: Record<string, z.ZodTypeAny> = {
  url_verification: z.object({ challenge: z.string().max(1000) }).passthrough(),
  app_rate_limited: z.object({}).passthrough(),
  event_callback: z.object({ event_id: id, event: z.object({ type: z.string().max(255) }).passthrough() }).passthrough(),
  block_actions: z
    .object({
      user: userRef,
      actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() }).passthrough()).max(25),
      container: z
        .object({ type: z.string().max(64) })
        .passthrough()
        .optional(),
      view: z.object({ id }).passthrough().optional(),
    })
    .passthrough(),
  view_submission: z.object({ user: userRef, view: z.object({ id, callback_id: z.string().max(255) }).passthrough() }).passthrough(),
  view_closed: z.object({ user: userRef, view: z.object({ id }).passthrough() }).passthrough(),
  shortcut: z.object({ user: userRef, callback_id: z.string().max(255) }).passthrough(),
  message_action: z.object({ user: userRef, callback_id: z.string().max(255) }).passthrough(),
  block_suggestion: z.object({ user: userRef, action_id: z.string().max(255) }).passthrough(),
};
const slashCommand = z.object({ command: z.string().max(255), text: z.string().max(8000), trigger_id: id, user_id: id }).passthrough();

export type GuardVerdict = { ok: true } | { ok: false; status: 400 | 401 | 413 | 415; reason: string };

const refuse = (status: 400 | 401 | 413 | 415, reason: string): Extract<GuardVerdict, { ok: false }> => ({ ok: false, status, reason });
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The verdict on a request's headers and raw body, before Bolt sees either. */
export function judgeSlackRequest(headers: IncomingMessage['headers'], raw: Buffer, nowMs = Date.now()): GuardVerdict {
  const contentType = mediaType({ headers });
  const text = raw.toString('utf8');
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = parseQuery(text);
    // Slack's SSL check is unsigned and carries nothing else; Bolt strips anything smuggled beside it.
    if (form.ssl_check === '1') return { ok: true };
  } else if (contentType !== 'application/json') {
    return refuse(415, `content type ${contentType || '(none)'} is neither JSON nor a form`);
  }
  const stamp = Number(headers['x-slack-request-timestamp']);
  if (!Number.isInteger(stamp)) return refuse(401, 'x-slack-request-timestamp is missing or not a whole number of seconds');
  if (Math.abs(nowMs / 1000 - stamp) > slackClockSkewSeconds) return refuse(401, `x-slack-request-timestamp is more than ${slackClockSkewSeconds} s from now`);

  let body: unknown;
  try {
    if (contentType === 'application/json') body = JSON.parse(text);
    else {
      const form = parseQuery(text);
      if (form.payload !== undefined) {
        if (typeof form.payload !== 'string') return refuse(400, 'the form carries more than one payload field');
        body = JSON.parse(form.payload);
      } else body = form;
    }
  } catch {
    return refuse(400, 'the body is not valid JSON');
  }
  if (!isPlainObject(body))
    return refuse(400, `the payload is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}, not an object`);
  if (contentType !== 'application/json' && body.command !== undefined) {
    const parsed = slashCommand.safeParse(body);
    return parsed.success ? { ok: true } : refuse(400, `a slash command with ${describe(parsed.error)}`);
  }
  const type = body.type;
  if (typeof type !== 'string') return refuse(400, 'the payload has no type');
  const shape = byType[type];
  if (!shape) return refuse(400, `payload type ${JSON.stringify(type.slice(0, 64))} is not one this app handles`);
  const parsed = shape.safeParse(body);
  return parsed.success ? { ok: true } : refuse(400, `a ${type} payload with ${describe(parsed.error)}`);
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'an invalid shape';
}

const requestIds = new WeakMap<IncomingMessage, string>();
/** The id the guard gave a request, for Bolt's handlers and the logs. */
export const requestIdOf = (req: IncomingMessage): string => requestIds.get(req) ?? 'unknown';

export interface GuardLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Wraps a receiver's request listener: every request gets an id, and one that fails the guard is refused
 * without reaching Bolt. A throw anywhere below is answered with a 500 and logged, never left unhandled.
 */
export function guardedListener(next: (req: IncomingMessage, res: ServerResponse) => void, logger: GuardLogger, endpoint = '/slack/events') {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomUUID();
    requestIds.set(req, requestId);
    const fail = (err: unknown) => {
      logger.error({ requestId, err: err instanceof Error ? err.message : String(err) }, 'Slack request failed');
      if (!res.headersSent) res.writeHead(500).end();
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== endpoint || req.method !== 'POST') {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    const guard = async (): Promise<void> => {
      let raw: Buffer;
      try {
        checkHeaders(req, { maxBodyBytes: slackBodyLimitBytes });
        raw = await readLimitedBody(req, slackBodyLimitBytes);
      } catch (err) {
        if (!(err instanceof RequestRefused)) throw err;
        return answer(refuse(413, err.message));
      }
      const verdict = judgeSlackRequest(req.headers, raw);
      if (!verdict.ok) return answer(verdict);
      // Bolt reads a buffered request's rawBody instead of the stream, which is already consumed.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      next(req, res);
    };
    const answer = (verdict: Extract<GuardVerdict, { ok: false }>) => {
      logger.warn({ requestId, status: verdict.status, reason: verdict.reason }, 'Slack request refused');
      res.writeHead(verdict.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${verdict.reason}\n`);
    };
    guard().catch(fail);
  };
}
