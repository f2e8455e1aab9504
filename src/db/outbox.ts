// The transactional outbox: RH-O writes what it wants to tell people here, keyed by a business dedupe key;
// the dispatcher delivers each row at least once and Slack sees it once.
import type { Database } from './client.js';
import { notificationOutbox } from './schema/core.js';
import type { Notification } from '../contracts/notifications.js';

/** Inserts the notification unless one with the same dedupe key exists; returns whether it was new. */
export async function enqueueNotification(db: Database, notification: Notification, notBefore?: Date): Promise<boolean> {
  const rows = await db
    .insert(notificationOutbox)
    .values({
      dedupeKey: notification.dedupeKey,
      developerId: notification.developerId ?? null,
      channel: notification.channel ?? null,
      urgency: notification.urgency,
      kind: notification.payload.kind,
      payload: notification.payload,
      ...(notBefore ? { notBefore } : {}),
    })
    .onConflictDoNothing({ target: notificationOutbox.dedupeKey })
    .returning({ id: notificationOutbox.id });
  return rows.length > 0;
}
