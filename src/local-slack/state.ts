// What the local workspace holds: its people, channels, messages, ephemerals, App Home views, open modals,
// the trigger ids and response URLs it handed out, and how a "#name", a channel id or a person resolves to a
// conversation. Every protocol (Web API, Events, Socket Mode, the browser page) reads and writes this.
import { randomBytes } from 'node:crypto';
import type { EphemeralMessage, StoredMessage, WorkspaceOptions, WorkspaceUser } from './types.js';

export interface Channel {
  id: string;
  name: string;
  isIm: boolean;
  members: Set<string>;
  imUser?: string;
  isPrivate?: boolean;
}

export interface OpenView {
  id: string;
  hash: string;
  user: string;
  view: Record<string, unknown>;
}

/** The fixed identities of the one team and the one app the workspace hosts. */
export const teamId = 'T0LOCAL01';
export const appId = 'A0SITROOM1';
export const botUserId = 'U0SITROOMB';
export const botId = 'B0SITROOM1';

/** A person named something the workspace does not hold (a user, channel, message, button or modal): their mistake, a 404. */
export class WorkspaceLookupError extends Error {}

export class WorkspaceState {
  readonly users = new Map<string, WorkspaceUser>();
  readonly channels = new Map<string, Channel>();
  readonly messages: StoredMessage[] = [];
  readonly ephemerals: EphemeralMessage[] = [];
  readonly homes = new Map<string, Record<string, unknown>>();
  readonly modals = new Map<string, OpenView>();
  readonly triggers = new Map<string, { user: string; issuedAt: number }>();
  readonly responseUrls = new Map<string, { user: string; channel: string }>();
  /** The AI app surface: loading statuses set on threads (newest last) and the suggested prompts pinned per conversation. */
  readonly statuses: Array<{ channel: string; threadTs: string; status: string; at: number }> = [];
  readonly suggestedPrompts = new Map<string, { title?: string; prompts: Array<{ title: string; message: string }> }>();
  readonly createdAt = Math.floor(Date.now() / 1000);
  /** http://127.0.0.1:port, known once the server listens. */
  baseUrl = '';
  private tsCounter = 0;
  private idCounter = 0;

  constructor(options: Pick<WorkspaceOptions, 'users' | 'channels' | 'botOutsideChannels' | 'privateChannels'>) {
    for (const u of options.users) this.users.set(u.id, u);
    for (const name of options.channels ?? ['general', 'sitroom-alerts']) {
      const id = `C${name
        .replace(/[^a-z0-9]/gi, '')
        .toUpperCase()
        .slice(0, 8)}${this.channels.size}`;
      const bot = options.botOutsideChannels?.includes(name) ? [] : [botUserId];
      this.channels.set(id, { id, name, isIm: false, members: new Set([...bot, ...this.users.keys()]) });
    }
    // Private channels: the bot is in one only when someone invites it, which a test does by leaving the name out.
    for (const name of options.privateChannels ?? []) {
      const id = `G${name
        .replace(/[^a-z0-9]/gi, '')
        .toUpperCase()
        .slice(0, 8)}${this.channels.size}`;
      this.channels.set(id, { id, name, isIm: false, isPrivate: true, members: new Set(this.users.keys()) });
    }
  }

  nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.tsCounter).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    return `${prefix}${Date.now().toString(36).toUpperCase()}${(++this.idCounter).toString(36).toUpperCase()}`;
  }

  findUser(ref: string): WorkspaceUser {
    const byId = this.users.get(ref);
    if (byId) return byId;
    for (const u of this.users.values()) if (u.name === ref) return u;
    throw new WorkspaceLookupError(`local workspace: no user ${ref}`);
  }

  dmChannel(userRef: string): string {
    const user = this.findUser(userRef);
    for (const c of this.channels.values()) if (c.isIm && c.imUser === user.id) return c.id;
    const id = `D${user.id.slice(1)}`;
    this.channels.set(id, { id, name: user.name, isIm: true, members: new Set([botUserId, user.id]), imUser: user.id });
    return id;
  }

  resolveChannel(ref: string): Channel | undefined {
    const direct = this.channels.get(ref);
    if (direct) return direct;
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (!c.isIm && c.name === name) return c;
    if (this.users.has(ref)) return this.channels.get(this.dmChannel(ref));
    return undefined;
  }

  channelId(ref: string): string {
    try {
      return this.dmChannel(ref);
    } catch {
      const c = this.resolveChannel(ref);
      if (!c) throw new WorkspaceLookupError(`local workspace: no channel ${ref}`);
      return c.id;
    }
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  issueTrigger(user: string): string {
    const id = `${Date.now()}.${randomBytes(6).toString('hex')}`;
    this.triggers.set(id, { user, issuedAt: Date.now() });
    return id;
  }

  issueResponseUrl(user: string, channel: string): string {
    const id = randomBytes(8).toString('hex');
    this.responseUrls.set(id, { user, channel });
    return `${this.baseUrl}/response/${id}`;
  }
}
