import { describe, expect, it } from 'vitest';
import { digestDue, quietHoursEnd, routeNotification, type NotificationPreferences } from '../../src/notifications/routing.js';
import type { NotificationPayload } from '../../src/contracts/notifications.js';

const maria: NotificationPreferences = {
  blocking: 'immediate',
  decision: 'notification',
  info: 'silent',
  quiet_hours: { start: '20:00', end: '07:30' },
  briefing_time: '08:30',
};
const gate: NotificationPayload = { kind: 'gate', workItemKey: 'HOSTEDCP-1', phaseId: 'api', title: 't', summary: 's' };
const realFailure: NotificationPayload = {
  kind: 'ci-alert',
  workItemKey: 'HOSTEDCP-1',
  phaseId: 'api',
  prUrl: 'https://x/pr/1',
  ownerId: 'maria',
  failures: [{ job: 'e2e', classification: 'real', signature: 'timeout' }],
};
// 10:00 UTC = 11:00 in Madrid (winter); 22:00 UTC = 23:00 in Madrid.
const madridDay = new Date('2026-11-25T10:00:00Z');
const madridNight = new Date('2026-11-25T22:00:00Z');

describe('routing by urgency and preference', () => {
  it('follows the role file: decision → DM, blocking → immediate mention, info → silent log', () => {
    expect(routeNotification({ urgency: 'decision', payload: gate, preferences: maria, timeZone: 'Europe/Madrid', now: madridDay })).toEqual({
      action: 'deliver',
      target: 'dm',
      mention: false,
    });
    expect(
      routeNotification({
        urgency: 'blocking',
        payload: realFailure,
        channel: '#sitroom-alerts',
        preferences: maria,
        timeZone: 'Europe/Madrid',
        now: madridDay,
      }),
    ).toEqual({ action: 'deliver', target: 'channel', mention: true });
    expect(
      routeNotification({ urgency: 'info', payload: { kind: 'info', text: 'x' }, preferences: maria, timeZone: 'Europe/Madrid', now: madridDay }),
    ).toMatchObject({ action: 'log' });
  });

  it('holds non-blocking items during quiet hours until they end, in the developer’s zone', () => {
    const route = routeNotification({ urgency: 'decision', payload: gate, preferences: maria, timeZone: 'Europe/Madrid', now: madridNight });
    // 07:30 Madrid the next morning is 06:30 UTC in November.
    expect(route).toEqual({ action: 'hold', until: new Date('2026-11-26T06:30:00Z') });
    expect(routeNotification({ urgency: 'blocking', payload: realFailure, preferences: maria, timeZone: 'Europe/Madrid', now: madridNight })).toMatchObject({
      action: 'deliver',
      mention: true,
    });
  });

  it('never pages for known flakes', () => {
    const flakes: NotificationPayload = {
      ...realFailure,
      failures: [{ job: 'e2e', classification: 'known-flake', signature: 'etcd leader changed' }],
    } as NotificationPayload;
    expect(routeNotification({ urgency: 'blocking', payload: flakes, channel: '#alerts', preferences: maria, timeZone: 'UTC', now: madridDay })).toMatchObject({
      action: 'log',
      reason: 'only known flakes',
    });
  });

  it('quiet hours that do not cross midnight, and outside them', () => {
    expect(quietHoursEnd(new Date('2026-06-01T12:30:00Z'), { start: '12:00', end: '13:00' }, 'UTC')).toEqual(new Date('2026-06-01T13:00:00Z'));
    expect(quietHoursEnd(new Date('2026-06-01T13:00:00Z'), { start: '12:00', end: '13:00' }, 'UTC')).toBeUndefined();
  });

  it('the digest is due after digest time, once per local date', () => {
    expect(digestDue(new Date('2026-11-25T15:00:00Z'), '16:30', 'Europe/Madrid')).toEqual({ due: false, date: '2026-11-25' });
    expect(digestDue(new Date('2026-11-25T15:45:00Z'), '16:30', 'Europe/Madrid')).toEqual({ due: true, date: '2026-11-25' });
    expect(digestDue(new Date('2026-11-25T23:30:00Z'), '16:30', 'Europe/Madrid').date).toBe('2026-11-26');
  });
});
