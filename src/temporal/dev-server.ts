// Starts `temporal server start-dev` as a child process on loopback and stops it with its process group,
// so Ctrl-C never leaves an orphan server behind. A crash must not either: the server is tied to this
// process (killed on exit, and by the kernel when this process dies, where setpriv is available), and its
// pid is recorded beside the SQLite file so the next start stops a server an earlier run left behind
// instead of starting a second one on the same file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

// A port handed out here is bound later by another process, sometimes seconds later. A port the kernel
// picked for `listen(0)` comes from its ephemeral range, which every outgoing connection draws from too,
// so one of them can take it in between (CI saw EADDRINUSE that way). Ports below the range are never
// handed to outgoing connections: Linux starts it at 32768, macOS and Windows at 49152
// (https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html, ip_local_port_range).
const unassignedPorts = { first: 20_000, last: 32_767 };

function bindsOnLoopback(port: number): Promise<number | undefined> {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolvePort(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolvePort(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  const span = unassignedPorts.last - unassignedPorts.first + 1;
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = await bindsOnLoopback(unassignedPorts.first + Math.floor(Math.random() * span));
    if (port) return port;
  }
  // Every try was taken: fall back to one the kernel picks.
  const port = await bindsOnLoopback(0);
  if (!port) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

export interface StartDevServerOptions {
  cli: string;
  port?: number;
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; in-memory when absent. */
  dbFile?: string;
  namespace?: string;
  readyTimeoutMs?: number;
  /** Where the running server's pid is recorded; default `<dbFile>.pid` when there is a dbFile. */
  pidFile?: string;
}

interface RecordedServer {
  pid: number;
  dbFile: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` is still the Temporal dev server on `dbFile` (a recycled pid is someone else's process). */
function isRecordedServer(rec: RecordedServer): boolean {
  try {
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes('start-dev') && cmdline.includes(rec.dbFile);
  } catch {
    return false;
  }
}

/**
 * Stops a dev server an earlier run started on the same SQLite file and did not stop (it crashed or was
 * killed), so two servers never write one file. Returns the pid it stopped.
 */
export async function stopRecordedServer(pidFile: string): Promise<number | undefined> {
  if (!existsSync(pidFile)) return undefined;
  let rec: RecordedServer | undefined;
  try {
    rec = JSON.parse(readFileSync(pidFile, 'utf8')) as RecordedServer;
  } catch {
    rec = undefined;
  }
  rmSync(pidFile, { force: true });
  if (!rec || !Number.isInteger(rec.pid) || !isRecordedServer(rec)) return undefined;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-rec.pid, sig);
    } catch {
      try {
        process.kill(rec.pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 50 && alive(rec.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(rec.pid)) signal('SIGKILL');
  for (let i = 0; i < 20 && alive(rec.pid); i++) await new Promise((r) => setTimeout(r, 100));
  return rec.pid;
}

// util-linux's setpriv sets PR_SET_PDEATHSIG and execs the server: if this process dies by any means,
// even SIGKILL, the kernel kills the server too. https://man7.org/linux/man-pages/man1/setpriv.1.html
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p) && statSync(p).isFile());

async function waitUntilReachable(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode} before it was ready`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1_000 });
      await conn.healthService.check({});
      await conn.close();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServer(options: StartDevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'error',
  ];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  const pidFile = options.pidFile ?? (options.dbFile ? `${options.dbFile}.pid` : undefined);
  if (pidFile) await stopRecordedServer(pidFile);
  // detached: its own process group, so stop() can signal the server and anything it spawned.
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', options.cli, ...args]] : [options.cli, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  // A crash (uncaught exception, process.exit) still runs 'exit' listeners: take the server down with us.
  const killOnExit = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  if (pidFile && child.pid) writeFileSync(pidFile, JSON.stringify({ pid: child.pid, dbFile: options.dbFile ?? '' } satisfies RecordedServer), { mode: 0o600 });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReachable(address, child, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    if (pidFile) rmSync(pidFile, { force: true });
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
        if (pidFile) rmSync(pidFile, { force: true });
        resolveStop();
      });
      signalGroup('SIGTERM');
    });
    return stopped;
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  };
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, stop };
}
