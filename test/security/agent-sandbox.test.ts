// Secrets out of reach of the commands RH-A runs. A worker-like process holds tokens in its environment,
// an SSH key under HOME and an open descriptor on a secret file; a `_test.go` planted in a phase worktree
// of the example repository then runs through the agent's real command path (the allow-listed
// `go test ./...` via the run_command tool) and tries every route: the key, the network, its environment,
// /proc of pid 1 and of the worker, writes outside the worktree, inherited descriptors. Every route must
// be blocked inside the sandbox, and the same probe run unconfined (agent.sandbox: off) must show the
// leaks, so the probe itself is proven able to see them.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorktree } from '../../src/integrations/git.js';
import { defaultSandboxCacheDir } from '../../src/agent/sandbox.js';
import { repoRoot } from '../../src/paths.js';
import { requirement, skipOrFail } from '../support/requirements.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';

const canary = 'sitroomcanary';
const secrets = {
  SLACK_BOT_TOKEN: `xoxb-${canary}-1`,
  SLACK_SIGNING_SECRET: `${canary}-signing`,
  ANTHROPIC_API_KEY: `sk-ant-${canary}-2`,
  GITHUB_TOKEN: `ghp_${canary}3`,
  JIRA_API_TOKEN: `${canary}-jira`,
  DASHBOARD_SECRET: `${canary}-dashboard`,
  DATABASE_URL: `postgres://u:${canary}@127.0.0.1:1/db`,
};

interface ProbeRun {
  probes: Map<string, { state: 'LEAK' | 'BLOCKED'; detail: string }>;
  evidence: { commands: Array<{ command: string; exitCode: number | null; tail: string }>; refusals: Array<{ kind: string; reason: string }> };
  output: string;
  connections: number;
  stderr: string;
}

let base: string;
let home: string;
let dataDir: string;
let secretFile: string;
let server: Server;
let port: number;
let connections = 0;
// The unconfined run builds with the sandbox's (by then warm) Go cache, so both runs compile once.
const hostGoCache = join(defaultSandboxCacheDir(), 'go-build');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'sitroom-sandbox-'));
  home = join(base, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${canary}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
  dataDir = join(base, 'data');
  mkdirSync(dataDir);
  secretFile = join(base, 'secret-fd.txt');
  writeFileSync(secretFile, `${canary} behind an inherited descriptor\n`, { mode: 0o600 });
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(base, { recursive: true, force: true });
});

/** A phase worktree (linked, like RH-O's) of a fresh example repository with the probe planted in it. */
async function plantedWorktree(name: string): Promise<{ worktree: string; outside: string[] }> {
  const repo = await createExampleRepo(join(dataDir, `${name}-repo`));
  const worktree = join(dataDir, 'worktrees', name);
  mkdirSync(join(dataDir, 'worktrees'), { recursive: true });
  await addWorktree(repo.dir, worktree, `sitroom/probe/${name}`);
  const outside = [join(base, `${name}-outside.txt`), join(repoRoot, `.sandbox-probe-${name}`), join(repo.dir, '.git', 'hooks', 'pre-commit')];
  const source = readFileSync(join(repoRoot, 'test/security/fixtures/sandbox_probe_test.go.txt'), 'utf8')
    .replaceAll('__HOME__', home)
    .replaceAll('__PORT__', String(port))
    .replaceAll('__OUTSIDE__', outside.join('|'));
  writeFileSync(join(worktree, 'hypershift-operator/controllers/nodepool/sandbox_probe_test.go'), source);
  return { worktree, outside };
}

/** Runs the worker-like process with the secrets in its environment and the secret file on descriptor 3. */
async function runProbe(worktree: string, mode: 'required' | 'when-available' | 'off', path = process.env.PATH ?? ''): Promise<ProbeRun> {
  const before = connections;
  const fd = openSync(secretFile, 'r');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/security/fixtures/agent-command-runner.ts', worktree, mode, dataDir], {
      cwd: repoRoot,
      env: { PATH: path, HOME: home, LANG: 'C.UTF-8', GOFLAGS: '-buildvcs=false', GOCACHE: hostGoCache, ...secrets },
      stdio: ['ignore', 'pipe', 'pipe', fd],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(0);
    const parsed = JSON.parse(stdout.trim().split('\n').at(-1)!) as { result: { content: string }; evidence: ProbeRun['evidence'] };
    const probes: ProbeRun['probes'] = new Map();
    for (const m of parsed.result.content.matchAll(/PROBE (\S+) (LEAK|BLOCKED) ?([^\n]*)/g))
      probes.set(m[1]!, { state: m[2] as 'LEAK' | 'BLOCKED', detail: m[3]! });
    return { probes, evidence: parsed.evidence, output: parsed.result.content, connections: connections - before, stderr };
  } finally {
    closeSync(fd);
  }
}

const routes = ['home-ssh-key', 'network', 'environment', 'proc-1-environ', 'proc-worker-environ', 'proc-any-environ', 'write-outside', 'inherited-fd'];

describe('the sandbox around commands RH-A runs', () => {
  it('blocks every route to a secret, and records the run as the step evidence', { timeout: 600_000 }, async (ctx) => {
    const bwrap = requirement('bubblewrap');
    if (!bwrap.available) skipOrFail(ctx, bwrap.note);
    const { worktree, outside } = await plantedWorktree('confined');
    const run = await runProbe(worktree, 'required');
    expect([...run.probes.keys()].sort(), run.output).toEqual([...routes].sort());
    // A write to the sandbox's private /tmp succeeds inside and never reaches the host, so writes are judged
    // on the host; the rest of the file system is read-only inside.
    for (const route of routes.filter((r) => r !== 'write-outside')) expect({ route, ...run.probes.get(route) }).toMatchObject({ route, state: 'BLOCKED' });
    for (const p of outside) expect(existsSync(p), p).toBe(false);
    expect(run.probes.get('write-outside')!.detail).toMatch(/read-only file system/);
    expect(run.connections).toBe(0);
    expect(run.output).not.toContain(canary);
    // The evidence of the step is the command with its exit code and the probe's report.
    expect(run.evidence.commands).toHaveLength(1);
    expect(run.evidence.commands[0]).toMatchObject({ command: 'go test ./...', exitCode: 1 });
    // Each refused route is in the step's evidence itself (the tail it keeps of the command), not only in the tool result.
    for (const route of routes.filter((r) => r !== 'write-outside')) expect(run.evidence.commands[0]!.tail).toContain(`PROBE ${route} BLOCKED`);
    expect(run.evidence.commands[0]!.tail).toMatch(/PROBE write-outside \w+ [^\n]*read-only file system/);
    // Only the sandbox's own processes are visible (bwrap's init, go, the test binary …), never the worker.
    expect(run.probes.get('proc-any-environ')!.detail).toMatch(/^\d+ processes visible/);
  });

  it('the same probe run unconfined (agent.sandbox: off) sees the leaks, so the probe can fail', { timeout: 600_000 }, async () => {
    const { worktree, outside } = await plantedWorktree('unconfined');
    const run = await runProbe(worktree, 'off');
    for (const route of ['home-ssh-key', 'network', 'proc-worker-environ', 'write-outside'])
      expect({ route, ...run.probes.get(route) }).toMatchObject({ route, state: 'LEAK' });
    expect(run.connections).toBeGreaterThan(0);
    expect(existsSync(outside[0]!)).toBe(true);
    for (const p of outside) rmSync(p, { force: true });
  });

  it('refuses to run commands where no sandbox is available, and records the refusal', { timeout: 120_000 }, async () => {
    const { worktree } = await plantedWorktree('nosandbox');
    const run = await runProbe(worktree, 'required', '/usr/local/go/bin');
    expect(run.probes.size).toBe(0);
    expect(run.output).toMatch(/refused \(sandbox-unavailable\).*bubblewrap/);
    expect(run.evidence.refusals.map((r) => r.kind)).toEqual(['sandbox-unavailable']);
    expect(run.evidence.commands).toHaveLength(0);
  });

  it('with agent.sandbox: when-available and no sandbox, runs the command unconfined and says so in its output', { timeout: 600_000 }, async () => {
    const { worktree } = await plantedWorktree('whenavailable');
    const run = await runProbe(worktree, 'when-available', '/usr/local/go/bin');
    expect(run.evidence.refusals).toHaveLength(0);
    expect(run.evidence.commands).toHaveLength(1);
    expect(run.output).toMatch(/^ran unconfined \(agent\.sandbox: when-available\): .*bubblewrap/m);
    expect(run.probes.get('proc-worker-environ')?.state, run.output).toBe('LEAK');
  });
});
