// A tiny loopback HTTP server for the test doubles: JSON in, JSON out, on 127.0.0.1 with a random port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as is (e.g. XML); otherwise body is JSON-encoded. */
  text?: string;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Takes a request before the JSON handler when it returns true (e.g. git's smart HTTP, whose bodies are binary). */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export async function startLoopback(handler: FakeHandler, raw?: RawHandler): Promise<LoopbackServer> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (raw?.(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (rawBody && /json/.test(req.headers['content-type'] ?? '')) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = undefined;
        }
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      Promise.resolve()
        .then(() => handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody }))
        .then((out) => {
          const status = out.status ?? 200;
          if (out.text !== undefined) {
            res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...out.headers });
            res.end(out.text);
          } else if (status === 204) {
            res.writeHead(204, out.headers);
            res.end();
          } else {
            res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...out.headers });
            res.end(JSON.stringify(out.body ?? {}));
          }
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
