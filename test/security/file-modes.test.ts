// The store's files are the team's work items, decisions and tokens: only the owner may read them.
// PGlite creates its files 0666 whatever the umask; the store narrows its tree to 0700/0600.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/client.js';

const base = mkdtempSync(join(tmpdir(), 'sitroom-modes-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function modes(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out = [{ path: dir, mode: statSync(dir).mode & 0o777, dir: true }];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...modes(p));
    else if (e.isFile()) out.push({ path: p, mode: statSync(p).mode & 0o777, dir: false });
  }
  return out;
}

describe('file modes of the embedded store', () => {
  it('creates the PGlite folder 0700 and every file in it 0600, also after writes', { timeout: 120_000 }, async () => {
    const dataDir = join(base, 'data', 'pglite');
    const store = await openStore({ dataDir });
    const open = modes(dataDir);
    expect(open.length).toBeGreaterThan(100);
    await store.db.execute(sql`create table hardening_probe (id int primary key, note text)`);
    await store.db.execute(sql`insert into hardening_probe values (1, 'after open')`);
    await store.close();
    const all = modes(dataDir);
    const loose = all.filter((f) => (f.mode & 0o077) !== 0).map((f) => `${f.path.slice(dataDir.length)} ${f.mode.toString(8)}`);
    expect(loose).toEqual([]);
    expect(all.filter((f) => f.dir).every((f) => f.mode === 0o700)).toBe(true);
    expect(all.filter((f) => !f.dir).every((f) => f.mode === 0o600)).toBe(true);
    expect(statSync(join(base, 'data')).mode & 0o777).toBe(0o700);
  });

  it('narrows a store created earlier with loose modes when it is opened again', { timeout: 120_000 }, async () => {
    const dataDir = join(base, 'data', 'pglite');
    const { chmodSync } = await import('node:fs');
    for (const f of modes(dataDir)) chmodSync(f.path, f.dir ? 0o777 : 0o666);
    const store = await openStore({ dataDir });
    expect(modes(dataDir).filter((f) => (f.mode & 0o077) !== 0)).toEqual([]);
    await store.close();
  });
});
