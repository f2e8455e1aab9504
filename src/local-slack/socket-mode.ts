// Socket Mode as Slack's servers speak it (https://api.slack.com/apis/connections/socket):
// apps.connections.open, called with the app-level token, answers a single-use WebSocket URL; on connect the
// server says hello, then sends envelopes the app must acknowledge, pings the connection, and asks for a
// reconnect with a "disconnect" message when it wants the client to move.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fail } from './http.js';
import { appId, type WorkspaceState } from './state.js';
import type { Attempt, DeliveryKind, SocketConnection, WorkspaceOptions } from './types.js';

export type SocketMode = ReturnType<typeof createSocketMode>;

export function createSocketMode(state: WorkspaceState, options: Pick<WorkspaceOptions, 'appToken' | 'socketPingIntervalMs' | 'deliveryTimeoutMs'>) {
  const timeoutMs = options.deliveryTimeoutMs ?? 3_000;
  // One-time tickets from apps.connections.open, open connections, envelopes awaiting their ack.
  const tickets = new Map<string, number>();
  const sockets = new Map<WebSocket, SocketConnection>();
  const socketConnections: SocketConnection[] = [];
  const awaitingAck = new Map<string, { socket: WebSocket; settle: (attempt: Attempt) => void }>();
  let socketMode = false;
  const ticketTtlMs = 60_000;
  const socketServer = new WebSocketServer({ noServer: true });
  const pingEveryMs = options.socketPingIntervalMs ?? 5_000;
  const debugHost = (id: string) => `local-applink-${id}`;

  /** apps.connections.open: only the app-level token may open a connection; any other token is invalid here. */
  function openSocketConnection(token: string): Record<string, unknown> {
    if (!options.appToken || token !== options.appToken) return fail('invalid_auth');
    const ticket = randomUUID();
    tickets.set(ticket, Date.now());
    return { ok: true, url: `${state.baseUrl.replace(/^http:/, 'ws:')}/link/?ticket=${ticket}&app_id=${appId}` };
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

  /** The upgrade to a WebSocket: only with a ticket apps.connections.open issued, once, within its lifetime. */
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://local');
    const ticket = url.searchParams.get('ticket') ?? '';
    const issuedAt = tickets.get(ticket);
    tickets.delete(ticket);
    if (url.pathname !== '/link/' || issuedAt === undefined || Date.now() - issuedAt > ticketTtlMs) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socketServer.handleUpgrade(req, socket, head, acceptSocket);
  }

  return {
    /** True once the app has connected: from then on everything goes over the socket. */
    isOn: () => socketMode,
    connections: socketConnections,
    openSocketConnection,
    handleUpgrade,
    send: sendOverSocket,
    refreshSocketConnections,
    close() {
      for (const socket of sockets.keys()) socket.terminate();
      socketServer.close();
    },
  };
}
