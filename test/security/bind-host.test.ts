// Where the product listens and which URL it hands out, started as `npm run dev` starts it. By default the
// dashboard, the Slack receiver and the local workspace answer on loopback only: from this machine's network
// address nothing connects. SITROOM_BIND_HOST=0.0.0.0 (a container) opens all three on every interface, and
// SITROOM_PUBLIC_URL is what people are given: the dashboard URL and the printed sign-in links start with it,
// and the dashboard answers to its host name.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDev, type RunningDev } from '../../src/cli/dev.js';

const base = mkdtempSync(join(tmpdir(), 'sitroom-bind-'));
const running: RunningDev[] = [];
afterAll(async () => {
  for (const dev of running) await dev.stop();
  rmSync(base, { recursive: true, force: true });
});

/** This machine's first non-loopback IPv4 address: what another machine on the network connects to. */
const networkAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** The HTTP status a GET gets at that address and port, or the connection error's code. */
function probe(address: string, port: number, path: string, host = `${address}:${port}`): Promise<number | string> {
  return new Promise((resolveProbe) => {
    const req = request({ host: address, port, path, method: 'GET', headers: { host } }, (res) => {
      res.resume();
      resolveProbe(res.statusCode ?? 0);
    });
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolveProbe(err.code ?? err.message));
    req.end();
  });
}

async function dev(name: string, extra: Record<string, string>, lines: string[] = []): Promise<RunningDev> {
  // Only what dev needs: its own Temporal dev server and PGlite, no credentials from the shell.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', SLACK_PORT: '0', WORKSPACE_PORT: '0', LOG_LEVEL: 'warn', ...extra };
  const started = await startDev({ env, dataDir: join(base, name), say: (line) => lines.push(line) });
  running.push(started);
  return started;
}

const portOf = (url: string) => Number(new URL(url).port);

describe.runIf(networkAddress)('where the product listens', () => {
  it('by default, the dashboard, the Slack receiver and the workspace answer on loopback only', { timeout: 400_000 }, async () => {
    const { urls } = await dev('default', {});
    const servers = [
      { name: 'dashboard', port: portOf(urls.http), path: '/healthz' },
      { name: 'Slack receiver', port: portOf(urls.slackEvents!), path: '/slack/events' },
      { name: 'workspace', port: portOf(urls.workspace!), path: '/' },
    ];
    for (const server of servers) {
      expect(await probe('127.0.0.1', server.port, server.path), server.name).toEqual(expect.any(Number));
      expect(await probe(networkAddress!, server.port, server.path), `${server.name} on ${networkAddress}`).toBe('ECONNREFUSED');
    }
  });

  it('SITROOM_BIND_HOST=0.0.0.0 opens all three; SITROOM_PUBLIC_URL starts every link people get', { timeout: 400_000 }, async () => {
    const publicUrl = 'https://sitroom.example.test';
    const lines: string[] = [];
    const { urls } = await dev('everywhere', { SITROOM_BIND_HOST: '0.0.0.0', SITROOM_PUBLIC_URL: `${publicUrl}/` }, lines);
    expect(await probe(networkAddress!, portOf(urls.http), '/healthz')).toBe(200);
    expect(await probe(networkAddress!, portOf(urls.slackEvents!), '/slack/events')).toEqual(expect.any(Number));
    expect(await probe(networkAddress!, portOf(urls.workspace!), '/')).toBe(200);

    // The dashboard answers to the public host name (a proxy in front forwards it) and to no other name.
    expect(await probe('127.0.0.1', portOf(urls.http), '/dashboard', 'sitroom.example.test')).toBe(401);
    expect(await probe('127.0.0.1', portOf(urls.http), '/dashboard', 'attacker.example')).toBe(421);

    // What a person is given: the dashboard URL and the sign-in links dev prints (the same base the Slack app's
    // links are rendered from).
    expect(urls.dashboard).toBe(`${publicUrl}/dashboard`);
    expect(lines).toContain(`  Team dashboard:           ${publicUrl}/dashboard`);
    const signIns = lines.filter((l) => l.includes('sign in as'));
    expect(signIns.length).toBeGreaterThan(0);
    for (const line of signIns) expect(line).toMatch(/sign in as [\w-]+: https:\/\/sitroom\.example\.test\/dashboard\/login\?token=/);
  });
});
