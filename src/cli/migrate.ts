// `sitroom migrate`: applies pending SQL migrations to DATABASE_URL, or to the embedded PGlite store.
import { readEnvironment } from '../config/process-environment.js';
import { openStore } from '../db/client.js';

export async function run(_args: string[]): Promise<number> {
  const store = await openStore({ url: readEnvironment().database.url });
  console.log(`migrations applied to ${store.kind} at ${store.location}`);
  await store.close();
  return 0;
}
