// Real PostgreSQL for the tests that cannot run on PGlite (several processes share the store, or the server
// itself is restarted). DATABASE_URL names a server when one is set; otherwise the test file starts its own
// from the PostgreSQL server binaries (initdb + pg_ctl: a temporary data folder, a free port on loopback,
// trust authentication) and stops it when the file is done, so these tests also run on a fresh machine.
// Where there are no server binaries either, the tests are skipped with a note saying so (failed under CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { freePort } from '../../src/temporal/dev-server.js';
import { skipNote } from './requirement-table.js';
import { skipOrFail } from './requirements.js';

/** The folder holding initdb and pg_ctl: the newest Debian/Ubuntu version under /usr/lib/postgresql, else PATH. */
export function findPostgresBinaries(): string | undefined {
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [...versions.map((v) => join(debian, v, 'bin')), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` account (every Debian package
 * of the server creates it), through runuser; as anyone else, as that user.
 */
function serverAccount(): { uid: number; gid: number; run: (bin: string, args: string[]) => void } | { missing: string } {
  const asIs = (bin: string, args: string[]) => void execFileSync(bin, args, { stdio: 'pipe' });
  if (process.getuid?.() !== 0) return { uid: -1, gid: -1, run: asIs };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  if (uid.status !== 0) return { missing: 'running as root, and there is no postgres account to run the server as (PostgreSQL refuses root)' };
  if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0)
    return { missing: 'running as root without runuser to start the server as the postgres account' };
  return {
    uid: Number(uid.stdout.trim()),
    gid: Number(id('-g').stdout.trim()),
    run: (bin, args) => void execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe' }),
  };
}

export interface PrivatePostgres {
  /** The superuser's URL (database `postgres`). */
  url: string;
  /** Stops the server, keeping its data; start() brings it back on the same port. */
  stop(): void;
  start(): void;
  /** Stops it if running and deletes its folder. */
  remove(): void;
}

/** Why a private server cannot be started here, or undefined when it can. */
export function privatePostgresMissing(): string | undefined {
  if (!findPostgresBinaries()) return 'no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH';
  const account = serverAccount();
  return 'missing' in account ? account.missing : undefined;
}

/** A throwaway PostgreSQL server in a temporary folder, on a free loopback port, with trust authentication. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBinaries();
  const account = serverAccount();
  if (!bin || 'missing' in account) throw new Error(`cannot start PostgreSQL: ${privatePostgresMissing()}`);
  const dir = mkdtempSync(join(tmpdir(), 'sitroom-test-pg-'));
  const data = join(dir, 'data');
  if (account.uid >= 0) chownSync(dir, account.uid, account.gid);
  account.run(join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '--encoding=UTF8']);
  const port = await freePort();
  // The socket goes in the test's folder (the default one may not exist or be writable); fsync off: a test server.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctl = (action: 'start' | 'stop') =>
    account.run(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', '-m', 'fast', action]);
  ctl('start');
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      ctl('stop');
      running = false;
    },
    start() {
      ctl('start');
      running = true;
    },
    remove() {
      if (running) {
        try {
          ctl('stop');
        } catch {
          // already gone: the folder is removed all the same
        }
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PostgresForTests {
  /** False when neither DATABASE_URL nor the server binaries are there: the tests are skipped with `note`. */
  available: boolean;
  note: string;
  /** The admin URL: DATABASE_URL, or the file's own server once beforeAll has started it. */
  adminUrl(): string;
}

/**
 * Every test in the enclosing describe block (or file) needs real PostgreSQL: DATABASE_URL's server, or one
 * this file starts (beforeAll) and stops (afterAll). Skipped with a note, or failed under CI, when neither can be had.
 */
export function needsPostgres(): PostgresForTests {
  const given = inject('databaseUrl');
  const missing = given ? undefined : privatePostgresMissing();
  const note = missing ? skipNote('postgres', `DATABASE_URL is not set and ${missing}`) : '';
  let server: PrivatePostgres | undefined;
  beforeAll(async () => {
    if (!given && !missing) server = await startPrivatePostgres();
  });
  afterAll(() => server?.remove());
  beforeEach((ctx) => {
    if (missing) skipOrFail(ctx, note);
  });
  return {
    available: !missing,
    note,
    adminUrl() {
      const url = given || server?.url;
      if (!url) throw new Error(`no PostgreSQL for this test: ${note || 'the server has not started yet (use adminUrl() inside a test or hook)'}`);
      return url;
    },
  };
}
