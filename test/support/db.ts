// Storage backends for tests: every storage test runs on PGlite and, when DATABASE_URL is set, on a
// fresh database of the real PostgreSQL server, so both drivers see the same migrations and queries.
import { inject } from 'vitest';
import { openStore, type OpenStore } from '../../src/db/client.js';

export interface StoreBackend {
  name: 'pglite' | 'postgres';
  open(): Promise<OpenStore>;
}

let counter = 0;

/** Creates an empty database on the server of adminUrl and returns its URL. */
export async function createDatabase(adminUrl: string, prefix = 'sr_test'): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function storeBackends(): StoreBackend[] {
  const backends: StoreBackend[] = [{ name: 'pglite', open: () => openStore({ dataDir: 'memory://' }) }];
  const adminUrl = inject('databaseUrl');
  if (adminUrl) backends.push({ name: 'postgres', open: async () => openStore({ url: await createDatabase(adminUrl) }) });
  return backends;
}

/** One store for tests that need storage but are not about the driver: real PostgreSQL when available. */
export async function openTestStore(): Promise<OpenStore> {
  const adminUrl = inject('databaseUrl');
  return adminUrl ? openStore({ url: await createDatabase(adminUrl) }) : openStore({ dataDir: 'memory://' });
}
