// Process isolation in dev: a crash of the process that started the Temporal dev server must not leave
// the server running (the next `npm run dev` would start a second one on the same SQLite file), and a start
// must stop a server an earlier run recorded and left behind. Connecting to an unreachable Temporal is one
// line naming TEMPORAL_ADDRESS.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';
import { UserError } from '../../src/contracts/failures.js';
import { connectTemporal, Lifecycle } from '../../src/main/processes.js';
import type { Core } from '../../src/main/compose.js';
import { findTemporalBinaries } from '../../src/temporal/binaries.js';
import { startDevServer } from '../../src/temporal/dev-server.js';

const base = mkdtempSync(join(tmpdir(), 'sitroom-devproc-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Starts the parent, waits for its server, and returns the server's pid from the recorded pid file. */
async function parentWithServer(dbFile: string, how: 'crash' | 'hang') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/security/fixtures/dev-server-parent.ts', dbFile, how], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((resolveReady, reject) => {
    child.stdout!.on('data', (d: Buffer) => (d.toString().includes('address') ? resolveReady() : undefined));
    child.on('exit', () => reject(new Error('parent exited before its server was ready')));
  }).catch((err: unknown) => {
    if (how !== 'crash') throw err;
  });
  return { child, exited };
}

describe('the Temporal dev server does not outlive its parent', () => {
  it('an uncaught exception in the parent takes the server down', { timeout: 120_000 }, async () => {
    const dbFile = join(base, 'crash.sqlite');
    const { exited } = await parentWithServer(dbFile, 'crash');
    const pid = existsSync(`${dbFile}.pid`) ? (JSON.parse(readFileSync(`${dbFile}.pid`, 'utf8')) as { pid: number }).pid : undefined;
    expect(await exited).not.toBe(0);
    expect(pid).toBeDefined();
    expect(await until(() => !alive(pid!), 10_000), `server ${pid} still running`).toBe(true);
  });

  it('kill -9 of the parent takes the server down', { timeout: 120_000 }, async () => {
    const dbFile = join(base, 'kill.sqlite');
    const { child, exited } = await parentWithServer(dbFile, 'hang');
    const { pid } = JSON.parse(readFileSync(`${dbFile}.pid`, 'utf8')) as { pid: number };
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(await until(() => !alive(pid), 10_000), `server ${pid} still running`).toBe(true);
  });

  it('a start on the same SQLite file stops the server an earlier run left behind', { timeout: 120_000 }, async () => {
    const dbFile = join(base, 'reuse.sqlite');
    const cli = findTemporalBinaries().cli;
    const first = await startDevServer({ cli, dbFile });
    const firstPid = (JSON.parse(readFileSync(`${dbFile}.pid`, 'utf8')) as { pid: number }).pid;
    // The first is never stopped, as after a crash that skipped every handler.
    const second = await startDevServer({ cli, dbFile });
    const secondPid = (JSON.parse(readFileSync(`${dbFile}.pid`, 'utf8')) as { pid: number }).pid;
    try {
      expect(secondPid).not.toBe(firstPid);
      expect(alive(firstPid)).toBe(false);
      expect(alive(secondPid)).toBe(true);
    } finally {
      await second.stop();
      await first.stop();
    }
    expect(existsSync(`${dbFile}.pid`)).toBe(false);
  });
});

describe('an unreachable Temporal', () => {
  it('is one line naming TEMPORAL_ADDRESS, not a gRPC stack trace', { timeout: 60_000 }, async () => {
    const core = { environment: { temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'sitroom' } }, dataDir: base } as unknown as Core;
    const err = await connectTemporal(core, new Lifecycle(), { startDevServer: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): /);
    expect((err as Error).message).not.toContain('\n');
  });
});
