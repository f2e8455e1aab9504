// Where a notification goes, decided from its urgency, the developer's role-file preferences and the clock.
// Pure: the dispatcher supplies the time and the preferences.
import type { Delivery, RoleFile, Urgency } from '../config/schema.js';
import type { NotificationPayload } from '../contracts/notifications.js';

export type Route =
  | { action: 'deliver'; target: 'dm' | 'channel' | 'thread'; mention: boolean }
  /** Silent: recorded, no message; collected by the daily digest. */
  | { action: 'log'; reason: string }
  /** Quiet hours: tried again when they end. */
  | { action: 'hold'; until: Date };

export type NotificationPreferences = RoleFile['notifications'];

export const defaultPreferences: NotificationPreferences = { blocking: 'immediate', decision: 'notification', info: 'silent', briefing_time: '08:30' };

export interface RoutingInput {
  urgency: Urgency;
  payload: NotificationPayload;
  /** Channel alert target; absent → the developer's DM. */
  channel?: string | null;
  preferences?: NotificationPreferences | undefined;
  timeZone?: string | undefined;
  now: Date;
}

const toMinutes = (hhmm: string) => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Minutes since local midnight in the given IANA zone. */
export function localMinutes(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/** The local calendar date (YYYY-MM-DD) in the given zone. */
export function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** When quiet hours end, if `now` falls inside them; undefined otherwise. Handles windows across midnight. */
export function quietHoursEnd(now: Date, quiet: { start: string; end: string } | undefined, timeZone: string): Date | undefined {
  if (!quiet) return undefined;
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  if (start === end) return undefined;
  const current = localMinutes(now, timeZone);
  const inside = start < end ? current >= start && current < end : current >= start || current < end;
  if (!inside) return undefined;
  const minutesLeft = (end - current + 1440) % 1440;
  const until = new Date(now.getTime() + minutesLeft * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}

export function routeNotification(input: RoutingInput): Route {
  const prefs = input.preferences ?? defaultPreferences;
  const { payload } = input;
  // Known flakes are retried and logged; they never page anyone.
  if (payload.kind === 'ci-alert' && payload.failures.every((f) => f.classification === 'known-flake')) {
    return { action: 'log', reason: 'only known flakes' };
  }
  // A pair reply answers someone who is typing in that thread right now.
  if (payload.kind === 'pair-reply') return { action: 'deliver', target: 'thread', mention: false };

  const delivery: Delivery = prefs[input.urgency];
  if (delivery === 'silent') return { action: 'log', reason: `${input.urgency} is silent in the role file` };
  if (input.urgency !== 'blocking') {
    const until = quietHoursEnd(input.now, prefs.quiet_hours, input.timeZone ?? 'UTC');
    if (until) return { action: 'hold', until };
  }
  return { action: 'deliver', target: input.channel ? 'channel' : 'dm', mention: delivery === 'immediate' };
}

/** Whether the daily digest is due: past digest time locally, and not yet sent for that local date. */
export function digestDue(now: Date, digestTime: string, timeZone: string): { due: boolean; date: string } {
  return { due: localMinutes(now, timeZone) >= toMinutes(digestTime), date: localDate(now, timeZone) };
}
