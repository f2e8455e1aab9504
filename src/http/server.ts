// The product's HTTP front door: health, the team dashboard and the CI webhook receiver. Each room
// contributes a handler that returns false for paths it does not own, and checks its requests with the
// request guard every HTTP surface shares (./guard.ts); a refusal thrown from a handler is answered here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHeaders, readLimitedBody, RequestRefused } from './guard.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Bodies above this are refused with 413 before they are buffered. */
export const maxBodyBytes = 1_000_000;

/** The body as text, read within the limit by the shared request guard (RequestRefused 413 beyond it). */
export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<string> {
  checkHeaders(req, { maxBodyBytes: limit });
  return (await readLimitedBody(req, limit)).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export interface HttpServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startHttpServer(options: { port: number; host?: string; routes: RouteHandler[]; onError?: (err: unknown) => void }): Promise<HttpServer> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.url === '/healthz') return sendJson(res, 200, { ok: true });
        for (const route of options.routes) if (await route(req, res)) return;
        sendJson(res, 404, { error: 'not_found', path: req.url });
      } catch (err) {
        // The shared request guard's refusals (size, content type, host, origin, malformed body) are the client's.
        if (err instanceof RequestRefused) return sendJson(res, err.status, { error: err.error, message: err.message });
        options.onError?.(err);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
        else res.end();
      }
    })();
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  // Listening on every interface, the server is still reached locally at the loopback address.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${reachable}:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
