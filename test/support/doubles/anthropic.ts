// A loopback Messages API (POST /v1/messages) that plays scripted assistant turns in the real wire
// format, and bills tokens the way the API does: the prefix up to the last cache_control breakpoint
// (tools, then system) is written to the cache on first sight and read from it afterwards.
// Token counts are estimated at 4 characters per token; the ratios, not the absolutes, matter.
import { createHash, randomUUID } from 'node:crypto';
import { startLoopback, type FakeRequest, type LoopbackServer } from './http.js';

export interface ScriptedTurn {
  content: Array<Record<string, unknown>>;
  stop_reason: 'end_turn' | 'tool_use' | 'max_tokens' | 'pause_turn' | 'refusal' | 'stop_sequence';
  output_tokens?: number;
}
export interface ScriptedError {
  status: number;
  type: string;
  message: string;
}
export type Script = (request: MessagesRequest, callIndex: number) => ScriptedTurn | ScriptedError;

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: 'text'; text: string; cache_control?: { type: string } }>;
  tools?: Array<Record<string, unknown> & { cache_control?: unknown }>;
  messages: Array<{ role: string; content: unknown }>;
}

export interface FakeAnthropic extends LoopbackServer {
  requests: MessagesRequest[];
  /** Headers of each request, for checking the SDK's retry header and the API key. */
  headers: Array<Record<string, string | string[] | undefined>>;
}

const tokens = (v: unknown): number => Math.ceil(JSON.stringify(v ?? '').length / 4);

function stripCacheControl(block: unknown): unknown {
  if (!block || typeof block !== 'object') return block;
  const { cache_control: _ignored, ...rest } = block as Record<string, unknown>;
  return rest;
}

export async function startFakeAnthropic(script: Script): Promise<FakeAnthropic> {
  const requests: MessagesRequest[] = [];
  const headers: FakeAnthropic['headers'] = [];
  const cache = new Set<string>();
  const handler = (req: FakeRequest) => {
    if (req.method !== 'POST' || req.path !== '/v1/messages')
      return { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: `${req.method} ${req.path}` } } };
    // The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    if (!req.headers['x-api-key'] && !/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'an API key is required' } } };
    }
    const body = req.body as MessagesRequest;
    const index = requests.length;
    requests.push(body);
    headers.push(req.headers);
    const turn = script(body, index);
    if ('status' in turn)
      return {
        status: turn.status,
        headers: { 'request-id': `req_${randomUUID()}` },
        body: { type: 'error', error: { type: turn.type, message: turn.message } },
      };

    // Billing, block by block in prompt order (tools, system, then message content): the longest prefix
    // already in the cache is read; the prefix up to the last cache_control breakpoint is written.
    const system = typeof body.system === 'string' ? [{ type: 'text' as const, text: body.system }] : (body.system ?? []);
    const blocks: Array<{ block: unknown; breakpoint: boolean }> = [
      ...(body.tools ?? []).map((t) => ({ block: t, breakpoint: Boolean(t.cache_control) })),
      ...system.map((b) => ({ block: b, breakpoint: Boolean(b.cache_control) })),
      ...body.messages.flatMap((m) =>
        typeof m.content === 'string'
          ? [{ block: { role: m.role, text: m.content }, breakpoint: false }]
          : (m.content as Array<Record<string, unknown>>).map((b) => {
              const { cache_control, ...rest } = b;
              return { block: { role: m.role, ...rest }, breakpoint: Boolean(cache_control) };
            }),
      ),
    ].map(({ block, breakpoint }) => ({ block: stripCacheControl(block), breakpoint }));
    const total = blocks.reduce((n, b) => n + tokens(b.block), 0);
    const hashes: string[] = [];
    const sizes: number[] = [];
    const h = createHash('sha256').update(body.model);
    let running = 0;
    for (const b of blocks) {
      h.update(JSON.stringify(b.block));
      hashes.push(h.copy().digest('hex'));
      running += tokens(b.block);
      sizes.push(running);
    }
    let cacheRead = 0;
    for (let i = blocks.length - 1; i >= 0; i--) {
      if (cache.has(hashes[i]!)) {
        cacheRead = sizes[i]!;
        break;
      }
    }
    let lastBreakpoint = -1;
    blocks.forEach((b, i) => {
      if (b.breakpoint) {
        lastBreakpoint = i;
        cache.add(hashes[i]!);
      }
    });
    const cacheCreation = lastBreakpoint >= 0 ? Math.max(0, sizes[lastBreakpoint]! - cacheRead) : 0;
    return {
      headers: { 'request-id': `req_${randomUUID()}` },
      body: {
        id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: turn.content,
        stop_reason: turn.stop_reason,
        stop_sequence: null,
        usage: {
          input_tokens: total - cacheCreation - cacheRead,
          output_tokens: turn.output_tokens ?? tokens(turn.content),
          cache_creation_input_tokens: cacheCreation,
          cache_read_input_tokens: cacheRead,
        },
      },
    };
  };
  const server = await startLoopback(handler);
  return { ...server, requests, headers };
}

export const toolUse = (name: string, input: Record<string, unknown>, id = `toolu_${randomUUID().replace(/-/g, '').slice(0, 20)}`) => ({
  type: 'tool_use',
  id,
  name,
  input,
});
export const text = (t: string) => ({ type: 'text', text: t });
