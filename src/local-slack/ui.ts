// The browser page's own endpoints: GET / serves the page, GET /ui/state is what one person sees (their
// conversations, ephemerals, App Home, open modal), and POST /ui/<action> is a person acting, through the
// same path a test drives (so the page and the tests exercise one implementation).
import type { ServerResponse } from 'node:http';
import { parseJsonBody, RequestRefused } from '../http/guard.js';
import { json } from './http.js';
import { workspacePage } from './page.js';
import type { Person } from './person.js';
import { botUserId, type WorkspaceState } from './state.js';
import type { WorkspaceOptions } from './types.js';

export function createBrowserUi(state: WorkspaceState, person: Person, options: Pick<WorkspaceOptions, 'users'>) {
  const { users, channels, messages, ephemerals, homes, modals } = state;
  const findUser = (ref: string) => state.findUser(ref);
  const { tap, tapHome, tapFeedback, submitModal, sendMessage, slashCommand, openHome, openMessages } = person;

  function uiState(userId: string) {
    const visible = [...channels.values()].filter((c) => c.members.has(userId) && (!c.isIm || c.imUser === userId));
    const seen = new Set(visible.map((c) => c.id));
    // A thread's loading status as Slack shows it: the latest one set, until the app clears it or replies.
    const latest = new Map<string, { channel: string; threadTs: string; status: string }>();
    for (const s of state.statuses)
      if (seen.has(s.channel)) latest.set(`${s.channel} ${s.threadTs}`, { channel: s.channel, threadTs: s.threadTs, status: s.status });
    return {
      statuses: [...latest.values()].filter((s) => s.status),
      suggestedPrompts: [...state.suggestedPrompts].filter(([channel]) => seen.has(channel)).map(([channel, pinned]) => ({ channel, ...pinned })),
      me: userId,
      botUserId,
      users: [...users.values()],
      channels: visible.map((c) => ({ id: c.id, name: c.isIm ? 'Situation Room' : `#${c.name}`, isIm: c.isIm })),
      messages: messages.filter((m) => visible.some((c) => c.id === m.channel)),
      ephemerals: ephemerals.filter((e) => e.user === userId),
      home: homes.get(userId) ?? null,
      modal: modals.get(userId)?.view ?? null,
    };
  }

  async function handleUi(path: string, body: Record<string, string>): Promise<unknown> {
    const user = body.user ?? '';
    switch (path) {
      case '/ui/send':
        return sendMessage(user, body.channel ?? '', body.text ?? '', body.threadTs || undefined);
      case '/ui/tap':
        return body.surface === 'home'
          ? tapHome(user, body.actionId ?? '')
          : tap(user, { channel: body.channel ?? '', ts: body.ts ?? '' }, body.actionId ?? '');
      case '/ui/submit':
        return submitModal(user, modalValues(body.values));
      case '/ui/close': {
        modals.delete(findUser(user).id);
        return { ok: true };
      }
      case '/ui/home':
        return openHome(user);
      // Opening the app's DM: app_home_opened on the Messages tab, after which the app pins its prompts.
      case '/ui/messages':
        return openMessages(user);
      case '/ui/feedback': {
        if (body.side !== 'positive' && body.side !== 'negative') throw new RequestRefused(400, 'invalid_body', 'side must be positive or negative');
        return tapFeedback(user, { channel: body.channel ?? '', ts: body.ts ?? '' }, body.actionId ?? '', body.side);
      }
      case '/ui/command': {
        const [command = '', ...rest] = (body.text ?? '').split(' ');
        return slashCommand(user, body.channel ?? '', command, rest.join(' '));
      }
      default:
        throw new RequestRefused(404, 'not_found', `no action ${path.slice(0, 100)}`);
    }
  }

  return {
    /** GET / */
    servePage(res: ServerResponse): void {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(workspacePage());
    },
    /** GET /ui/state?user=… (a name or an id). */
    serveState(userParam: string | null, res: ServerResponse): void {
      // The URL `npm run dev` prints has no ?user: it opens the first developer of the team config.
      const ref = userParam?.trim() || options.users[0]?.id;
      if (!ref) return json(res, 404, { ok: false, error: 'no_users', detail: 'the team config lists no developer with a slack_user_id' });
      const user = users.get(ref) ?? [...users.values()].find((u) => u.name.toLowerCase() === ref.toLowerCase());
      if (!user)
        return json(res, 404, {
          ok: false,
          error: 'unknown_user',
          detail: `no user "${ref}"; try one of: ${[...users.values()].map((u) => u.name).join(', ')}`,
        });
      state.dmChannel(user.id);
      return json(res, 200, uiState(user.id));
    },
    /** POST /ui/<action>, with a body the request guard already read within its limit. */
    async serveAction(path: string, raw: Buffer, res: ServerResponse): Promise<void> {
      const body = raw.length === 0 ? {} : parseJsonBody(raw);
      return json(res, 200, await handleUi(path, actionFields(body)));
    },
  };
}

/** Longest field the page sends: a message or a modal's values (Slack's own limit on a message is 40,000 characters). */
const maxFieldLength = 50_000;

/** The page posts a flat object of strings; anything else is a 400 naming the field. */
function actionFields(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new RequestRefused(400, 'invalid_body', 'the body must be a JSON object of strings');
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new RequestRefused(400, 'invalid_body', `field ${JSON.stringify(key.slice(0, 50))} must be a string`);
    if (value.length > maxFieldLength)
      throw new RequestRefused(400, 'invalid_body', `field ${JSON.stringify(key.slice(0, 50))} is longer than ${maxFieldLength} characters`);
    fields[key] = value;
  }
  return fields;
}

/** A modal's values: a JSON object of strings, sent as one string field. */
function modalValues(raw: string | undefined): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '{}');
  } catch {
    throw new RequestRefused(400, 'invalid_body', 'values is not JSON');
  }
  return actionFields(parsed);
}
