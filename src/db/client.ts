// One way to open the store: real PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite
// whose files live in .data/ so a restart keeps the work items.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.js';
import { repoRoot } from '../paths.js';
import { UserError } from '../contracts/failures.js';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface OpenStore {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, with any password removed: safe to log. */
  location: string;
  close(): Promise<void>;
}

export const migrationsFolder = join(repoRoot, 'migrations');

export interface OpenOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; "memory://" for an in-memory store. Default: <repo>/.data/pglite */
  dataDir?: string | undefined;
  /** Apply pending migrations before returning. Default true. */
  migrate?: boolean;
  poolSize?: number;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

/**
 * A server that cannot be reached or refuses us is the operator's to fix: one line naming DATABASE_URL (password
 * removed), not a driver stack trace. Anything else (a failing migration) stays a real error.
 */
function unreachable(url: string, err: unknown): unknown {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const code = (cause as { code?: string }).code ?? '';
  // Connection failures, and PostgreSQL's own: invalid authorization (28xxx), unknown database (3D000), too many connections (53300).
  if (!/^(E[A-Z]+|28\w{3}|3D000|53300)$/.test(code)) return err;
  const why = ((cause as Error).message ?? String(cause)).split('\n')[0];
  return new UserError(`cannot reach PostgreSQL at ${redactUrl(url)} (DATABASE_URL): ${why}. Start PostgreSQL there or correct DATABASE_URL.`, {
    field: 'DATABASE_URL',
  });
}

export async function openStore(options: OpenOptions = {}): Promise<OpenStore> {
  const shouldMigrate = options.migrate ?? true;
  if (options.url) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle client error (e.g. the server restarting) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    // The same for a client that is checked out when the server goes away: its query fails and is retried by
    // the caller, but the client's own 'error' event has no listener and would end the process.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = drizzle(pool, { schema }) as unknown as Database;
    try {
      if (shouldMigrate) {
        const { migrate } = await import('drizzle-orm/node-postgres/migrator');
        await migrate(drizzle(pool, { schema }), { migrationsFolder });
      } else await pool.query('select 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw unreachable(options.url, err);
    }
    return { db, kind: 'postgres', location: redactUrl(options.url), close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dataDir = options.dataDir ?? join(repoRoot, '.data', 'pglite');
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) {
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 });
    // The folder is the barrier: whatever PGlite creates inside it later is out of other users' reach.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const client = new PGlite(dataDir);
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Database;
  if (shouldMigrate) {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(drizzle(client, { schema }), { migrationsFolder });
  }
  if (onDisk) ownerOnly(dataDir);
  return {
    db,
    kind: 'pglite',
    location: dataDir,
    close: async () => {
      await client.close();
      if (onDisk) ownerOnly(dataDir);
    },
  };
}

/**
 * PGlite's file system layer creates its files 0666 whatever the umask, so the store's tree is narrowed
 * to the owner: folders 0700, files 0600. Symbolic links are left alone (chmod would follow them).
 */
export function ownerOnly(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) ownerOnly(path);
    else if (entry.isFile() && (lstatSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}
