// GitHub deliveries already handled (schema in schema/core.ts). Claimed before anything is done with a
// delivery, so a redelivery (GitHub's retry, or "Redeliver" pressed in the settings) acts once.
import { eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { githubDeliveries } from './schema/core.js';

/** True the first time a delivery id is seen; false for every redelivery of it. */
export async function claimDelivery(db: Database, deliveryId: string, event: string): Promise<boolean> {
  const rows = await db.insert(githubDeliveries).values({ deliveryId, event }).onConflictDoNothing().returning({ deliveryId: githubDeliveries.deliveryId });
  return rows.length > 0;
}

/** Gives a claim back when handing the delivery on failed, so GitHub's redelivery is handled instead of dropped. */
export async function releaseDelivery(db: Database, deliveryId: string): Promise<void> {
  await db.delete(githubDeliveries).where(eq(githubDeliveries.deliveryId, deliveryId));
}
