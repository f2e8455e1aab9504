// The one request guard every HTTP surface puts in front of its handlers: the dashboard and the CI webhook
// (src/http), the Slack receiver (src/slack/request-guard.ts, which adds Slack's clock-skew and payload
// checks) and the local workspace's browser endpoints (src/local-slack). It checks what can be known before
// a handler runs: the body's size, its content type, and for browser endpoints that the request was sent to
// a host this server answers for (no DNS rebinding) by a page of that same host (no cross-site request, no
// `Origin: null`). It imports nothing of the project, so the local workspace can use it and still know no
// more than Slack would.
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

/** A refusal: the HTTP status, a short machine-readable error and a sentence for the person or the log. */
export class RequestRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 413 | 415 | 421,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestRules {
  /** Bodies above this many bytes are refused with 413, before they are buffered. */
  maxBodyBytes: number;
  /** Media types (without parameters) a body may have; a request with a body of another type gets 415. */
  contentTypes?: readonly string[];
  /** Set for endpoints a browser calls: the host names the request may be addressed to (see allowedHosts). */
  browser?: { hosts: ReadonlySet<string> };
}

/** The media type of a request, lower case and without parameters ("" when absent). */
export function mediaType(req: Pick<IncomingMessage, 'headers'>): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];
const wildcard = new Set(['0.0.0.0', '::', '[::]', '']);
const bracket = (address: string) => (address.includes(':') && !address.startsWith('[') ? `[${address}]` : address);

/**
 * The host names a browser may put in the Host header of a server listening on `bindHost`: the loopback
 * names, the bind address (every local interface's when it listens on all of them) and the host of the
 * public URL people are given. A DNS name an attacker points at this machine matches none of them. Ports are
 * not compared: a port-forward or a proxy changes the port, never the name.
 */
export function allowedHosts(bindHost: string, publicUrl?: string): Set<string> {
  const hosts = new Set(loopbackNames);
  if (wildcard.has(bindHost)) {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) hosts.add(bracket(i.address).toLowerCase());
  } else hosts.add(bracket(bindHost).toLowerCase());
  if (publicUrl) hosts.add(new URL(publicUrl).hostname.toLowerCase());
  return hosts;
}

/** The host name of a Host header, or undefined when it is not one. */
function hostnameOf(host: string): string | undefined {
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host)) return undefined;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The checks that need only the headers. Throws RequestRefused. */
export function checkHeaders(req: Pick<IncomingMessage, 'headers' | 'method'>, rules: RequestRules): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > rules.maxBodyBytes) throw new RequestRefused(413, 'payload_too_large', `the body of ${declared} bytes is larger than ${rules.maxBodyBytes}`);
  if (rules.browser) {
    const host = String(req.headers.host ?? '').toLowerCase();
    const hostname = hostnameOf(host);
    if (!hostname || !rules.browser.hosts.has(hostname))
      throw new RequestRefused(421, 'unknown_host', `this server does not answer for host ${JSON.stringify(host.slice(0, 100))}`);
    // Fetch metadata, where the browser sends it: only our own pages may call us. Following a link from
    // elsewhere (a dashboard link in Slack) is a top-level GET navigation, which reads and changes nothing.
    const site = req.headers['sec-fetch-site'];
    const navigation = (req.method === 'GET' || req.method === 'HEAD') && req.headers['sec-fetch-mode'] === 'navigate';
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation)
      throw new RequestRefused(403, 'cross_site', `a ${String(site).slice(0, 40)} request is refused`);
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, host))
      throw new RequestRefused(403, 'cross_site', `a request from origin ${JSON.stringify(origin.slice(0, 100))} is refused`);
  }
  const hasBody = declared > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && rules.contentTypes && !rules.contentTypes.includes(mediaType(req))) {
    throw new RequestRefused(415, 'unsupported_media_type', `content type ${mediaType(req) || '(none)'} is not ${rules.contentTypes.join(' or ')}`);
  }
}

/**
 * Whether a browser's Origin header names the host the request was sent to. "null" (sandboxed frames, file:
 * pages, some redirects) and anything unparseable are foreign.
 */
export function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false;
  }
}

/** Reads the whole body, refusing it with 413 as soon as it passes the limit. */
export async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Keep draining so the client reads our answer instead of a reset connection.
    if (size > limit) over = true;
    else chunks.push(chunk as Buffer);
  }
  if (over) throw new RequestRefused(413, 'payload_too_large', `the body is larger than ${limit} bytes`);
  return Buffer.concat(chunks);
}

/** Header checks, then the body read within the limit. */
export async function guardRequest(req: IncomingMessage, rules: RequestRules): Promise<Buffer> {
  checkHeaders(req, rules);
  return readLimitedBody(req, rules.maxBodyBytes);
}

/** A JSON body as text: invalid UTF-8 and invalid JSON are 400s naming the problem, never a thrown SyntaxError. */
export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new RequestRefused(400, 'invalid_body', 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // A body nested deeper than the parser's stack is a RangeError; either way it is the client's mistake.
    throw new RequestRefused(400, 'invalid_body', `the body is not JSON (${err instanceof RangeError ? 'nested too deeply' : 'syntax error'})`);
  }
}
