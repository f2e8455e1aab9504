// Socket Mode in dev: the README's command line (`SLACK_SOCKET_MODE=true npm run dev`), run as written in a
// shell on free ports, starts the product with the Bolt app connected to the local workspace over Socket
// Mode: no request URL is printed and nothing listens on SLACK_PORT, and a slash command typed in the
// workspace reaches the app as a Socket Mode envelope and is answered.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';
import { freePort } from '../../src/temporal/dev-server.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const commandLine = /`(SLACK_SOCKET_MODE=true npm run dev)`/.exec(readme)?.[1];

let dev: ChildProcess | undefined;
let exited: Promise<unknown> | undefined;
let printed = '';
let ports = { http: 0, slack: 0, workspace: 0 };

beforeAll(async () => {
  if (!commandLine) return;
  ports = { http: await freePort(), slack: await freePort(), workspace: await freePort() };
  // A newcomer's shell: none of the variables that point the product at real services.
  const {
    ANTHROPIC_API_KEY: _a,
    GITHUB_TOKEN: _g,
    TARGET_REPO: _t,
    DATABASE_URL: _d,
    TEMPORAL_ADDRESS: _ta,
    SLACK_BOT_TOKEN: _s,
    SLACK_APP_TOKEN: _sa,
    SITROOM_DASHBOARD_SECRET: _ds,
    ...shell
  } = process.env;
  // Its own process group, so stopping it stops npm, tsx and the product together.
  dev = spawn('sh', ['-c', commandLine], {
    cwd: repoRoot,
    detached: true,
    env: { ...shell, PORT: String(ports.http), SLACK_PORT: String(ports.slack), WORKSPACE_PORT: String(ports.workspace), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = dev;
  exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`\`${commandLine}\` was not ready within 240 s:\n${printed}`)), 240_000);
    const onData = (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited!.then(() => {
      clearTimeout(timer);
      reject(new Error(`\`${commandLine}\` exited before it was ready:\n${printed}`));
    });
  });
}, 300_000);

afterAll(async () => {
  if (dev?.pid && dev.exitCode === null) {
    process.kill(-dev.pid, 'SIGTERM');
    await exited;
  }
});

async function ui<T>(path: string, body?: Record<string, string>): Promise<T> {
  const url = `http://127.0.0.1:${ports.workspace}${path}`;
  const res = body ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) : await fetch(url);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

describe('`sitroom dev` on Socket Mode, started as the README writes it', () => {
  it('the README gives the command line', () => {
    expect(commandLine).toBe('SLACK_SOCKET_MODE=true npm run dev');
  });

  it('prints Socket Mode instead of a request URL, and nothing listens on SLACK_PORT', async () => {
    expect(printed).toContain(`Slack workspace (local):  http://127.0.0.1:${ports.workspace}`);
    expect(printed).toMatch(/Slack events: +Socket Mode/);
    expect(printed).not.toContain('/slack/events');
    await expect(fetch(`http://127.0.0.1:${ports.slack}/slack/events`, { method: 'POST' })).rejects.toThrow();
  });

  it('a slash command typed in the workspace reaches the app over the socket and is answered', async () => {
    const state = await ui<{ me: string; channels: Array<{ id: string; isIm: boolean }> }>('/ui/state?user=maria');
    const dm = state.channels.find((c) => c.isIm)!.id;
    const delivered = await ui<{ status: number; transport: string }>('/ui/command', { user: state.me, channel: dm, text: '/sitroom help' });
    expect(delivered).toMatchObject({ status: 200, transport: 'socket' });
    const after = await ui<{ ephemerals: Array<{ channel: string; text: string; blocks?: unknown[] }> }>('/ui/state?user=maria');
    const help = after.ephemerals.filter((e) => e.channel === dm).map((e) => `${e.text} ${JSON.stringify(e.blocks ?? [])}`);
    expect(help.some((h) => h.includes('/sitroom plan'))).toBe(true);
  });

  it('a tap on a button in the DM reaches the app over the socket too', async () => {
    const state = await ui<{ me: string; channels: Array<{ id: string; isIm: boolean }> }>('/ui/state?user=maria');
    const dm = state.channels.find((c) => c.isIm)!.id;
    // A question in the DM is answered by RH-A in its thread, with "Open dashboard" under the answer.
    const sent = await ui<{ ts: string; deliveries: Array<{ transport: string; status: number }> }>('/ui/send', {
      user: state.me,
      channel: dm,
      text: 'which component owns NodePool conditions',
      threadTs: '',
    });
    expect(sent.deliveries[0]).toMatchObject({ status: 200, transport: 'socket' });
    type Message = { ts: string; thread_ts?: string; user: string; blocks?: Array<{ elements?: Array<{ action_id?: string }> }>; stream?: { state: string } };
    let answer: Message | undefined;
    for (let i = 0; i < 300 && !answer; i++) {
      const { messages } = await ui<{ messages: Message[] }>('/ui/state?user=maria');
      answer = messages.find(
        (m) => m.thread_ts === sent.ts && m.ts !== sent.ts && (m.blocks ?? []).some((b) => b.elements?.some((e) => e.action_id === 'sitroom:dashboard:open')),
      );
      if (!answer) await new Promise((r) => setTimeout(r, 400));
    }
    expect(answer, 'the answer with Open dashboard').toBeDefined();
    const tapped = await ui<{ status: number; transport: string }>('/ui/tap', {
      user: state.me,
      channel: dm,
      ts: answer!.ts,
      actionId: 'sitroom:dashboard:open',
    });
    expect(tapped).toMatchObject({ status: 200, transport: 'socket' });
    let link: string | undefined;
    for (let i = 0; i < 50 && !link; i++) {
      const { ephemerals } = await ui<{ ephemerals: Array<{ text: string }> }>('/ui/state?user=maria');
      link = ephemerals.find((e) => e.text.includes('/dashboard/login'))?.text;
      if (!link) await new Promise((r) => setTimeout(r, 200));
    }
    expect(link).toContain(`http://127.0.0.1:${ports.http}/dashboard/login`);
  });
});
