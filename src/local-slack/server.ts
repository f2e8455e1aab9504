// A Slack-compatible workspace on loopback: the Web API methods the app calls, with Slack's response
// shapes and errors, and delivery of events, interactions and slash commands to the app exactly as Slack
// sends them (events retried on failure or after 3 s), over either of Slack's two transports: signed HTTP
// requests to the app's request URL, or Socket Mode envelopes on a WebSocket the app opened with
// apps.connections.open. Used by `npm run dev` without Slack credentials, by the end-to-end tests and by a
// person in a browser (GET /).
//
// One room, cut by protocol: state.ts (what the workspace holds), web-api.ts (methods the app calls),
// events.ts (delivery to the app over signed HTTP or Socket Mode), socket-mode.ts (the WebSocket side),
// person.ts (what a person does, as Slack's payloads), ui.ts + page.ts (the browser page). This file only
// starts the HTTP server and routes requests to them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDelivery } from './events.js';
import { allowedHosts, checkHeaders, guardRequest, RequestRefused, type RequestRules } from '../http/guard.js';
import { json, sleep } from './http.js';
import { createPerson } from './person.js';
import { createSocketMode } from './socket-mode.js';
import { botUserId, teamId, WorkspaceLookupError, WorkspaceState } from './state.js';
import type { LocalWorkspace, WorkspaceOptions } from './types.js';
import { createBrowserUi } from './ui.js';
import { createWebApi } from './web-api.js';

export type {
  DeliveryKind,
  DeliveryRecord,
  DeliveryResult,
  EphemeralMessage,
  LocalWorkspace,
  SocketConnection,
  StoredMessage,
  WorkspaceOptions,
  WorkspaceUser,
} from './types.js';

/** What the page posts is a few fields; 256 KiB leaves room for a long message or a modal's values. */
export const uiBodyLimitBytes = 256 * 1024;
/** Slack's Web API takes a message of up to 40,000 characters and 50 blocks; 1 MiB is more than any call needs. */
export const apiBodyLimitBytes = 1024 * 1024;

export async function startLocalWorkspace(options: WorkspaceOptions): Promise<LocalWorkspace> {
  const state = new WorkspaceState(options);
  const { messages, ephemerals, homes, modals } = state;
  const socketMode = createSocketMode(state, options);
  const delivery = createDelivery(state, socketMode, options);
  const person = createPerson(state, delivery);
  const webApi = createWebApi(state, socketMode, options);
  const ui = createBrowserUi(state, person, options);
  const findUser = (ref: string) => state.findUser(ref);
  const channelId = (ref: string) => state.channelId(ref);

  // The page and its /ui/* endpoints are for a browser on this machine: the request guard every HTTP surface
  // shares checks Host, Origin and content type there. Every request, the app's Web API calls included, has a
  // body limit.
  const bindHost = options.host ?? '127.0.0.1';
  const browser = { hosts: allowedHosts(bindHost) };
  const pageRules: RequestRules = { maxBodyBytes: 0, browser };
  const uiRules: RequestRules = { maxBodyBytes: uiBodyLimitBytes, contentTypes: ['application/json'], browser };
  const appRules: RequestRules = { maxBodyBytes: apiBodyLimitBytes };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      try {
        if (req.method === 'GET' && url.pathname === '/') return (checkHeaders(req, pageRules), ui.servePage(res));
        if (req.method === 'GET' && url.pathname === '/ui/state') return (checkHeaders(req, pageRules), ui.serveState(url.searchParams.get('user'), res));
        if (req.method === 'POST' && url.pathname.startsWith('/ui/')) return await ui.serveAction(url.pathname, await guardRequest(req, uiRules), res);
        if (req.method === 'POST' && url.pathname.startsWith('/response/'))
          return webApi.handleResponseUrl(url.pathname.slice('/response/'.length), (await guardRequest(req, appRules)).toString('utf8'), res);
        if (req.method === 'POST' && url.pathname.startsWith('/api/'))
          return webApi.handleMethod(url.pathname.slice('/api/'.length), (await guardRequest(req, appRules)).toString('utf8'), req, res);
        req.resume();
        json(res, 404, { ok: false, error: 'not_found' });
      } catch (err) {
        if (err instanceof RequestRefused) return json(res, err.status, { ok: false, error: err.error, detail: err.message }, { connection: 'close' });
        if (err instanceof WorkspaceLookupError) return json(res, 404, { ok: false, error: 'not_found', detail: err.message });
        json(res, 500, { ok: false, error: 'internal_error', detail: err instanceof Error ? err.message : String(err) });
      }
    })();
  });

  server.on('upgrade', (req, socket, head) => socketMode.handleUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // Links the workspace hands out (response URLs) and the URL printed for people: loopback unless it listens
  // on one other address.
  const baseUrl = `http://${['0.0.0.0', '::'].includes(bindHost) ? '127.0.0.1' : bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`;
  state.baseUrl = baseUrl;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    teamId,
    botUserId,
    stop: () =>
      new Promise<void>((resolve) => {
        socketMode.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    setAppUrl: delivery.setAppUrl,
    transport: delivery.transport,
    socketConnections: socketMode.connections,
    refreshSocketConnections: socketMode.refreshSocketConnections,
    deliveries: delivery.deliveries,
    user: findUser,
    channelId,
    dmChannel: (ref) => state.dmChannel(ref),
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
    apiCalls: webApi.apiCalls,
    statuses: state.statuses,
    suggestedPromptsIn: (ref) => state.suggestedPrompts.get(channelId(ref)),
    addUser: (user) => {
      state.users.set(user.id, user);
      // Like a new member of the workspace: in the default channels, not in private ones.
      for (const c of state.channels.values()) if (!c.isIm && !c.isPrivate) c.members.add(user.id);
    },
    ...person,
    deliverEvent: delivery.deliverEvent,
    postToApp: delivery.postToApp,
    rateLimitNext: webApi.rateLimitNext,
    rateLimited: webApi.rateLimited,
    failNext: webApi.failNext,
    loseAnswerNext: webApi.loseAnswerNext,
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
