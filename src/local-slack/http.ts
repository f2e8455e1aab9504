// Small HTTP helpers every protocol of the local workspace shares: JSON answers, the Web API's argument
// encodings and its error shape. Bodies are read by the request guard (src/http/guard.ts), within a limit.
import type { ServerResponse } from 'node:http';

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** WebClient sends form-encoded arguments with nested values as JSON strings; some callers send JSON. */
export function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body.length === 0) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (['blocks', 'view', 'attachments', 'metadata', 'prompts', 'chunks', 'loading_messages'].includes(k) && /^[[{]/.test(v)) {
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

export const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A Web API error answer: HTTP 200 with ok false, as Slack sends it. */
export const fail = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
