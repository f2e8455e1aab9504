// Starting `sitroom worker` and `sitroom slack` as the README writes them, against dependencies that are not
// there: each stops with one line naming the variable to fix (no driver or gRPC stack trace, no password), and
// a readiness file a crashed worker left behind does not outlive the next start.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';
import { createDatabase } from '../support/db.js';
import { needsPostgres } from '../support/postgres.js';

const readyFile = '/tmp/sitroom-worker-ready';
const dashboardSecret = 'd'.repeat(40);
const password = 'hunter2-not-for-logs';

/** Runs the installed bin with only these variables (and PATH/HOME); resolves with its exit and output. */
function sitroom(args: string[], vars: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/sitroom.js'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...vars },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A hang is a failure: the command must give up on its own well before this.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at |node_modules/);
  expect(result.stderr).not.toContain(password);
}

describe('a dependency that is not there', () => {
  it('sitroom worker with PostgreSQL unreachable: one line naming DATABASE_URL, and a stale readiness file removed', { timeout: 120_000 }, async () => {
    // As a worker killed with -9 leaves it: the pid of a process that no longer exists.
    writeFileSync(readyFile, '2147483646');
    const result = await sitroom(['worker'], { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: `postgres://sitroom:${password}@127.0.0.1:1/sitroom` });
    expectOneLine(result, /^error: cannot reach PostgreSQL at postgres:\/\/sitroom:\*\*\*@127\.0\.0\.1:1\/sitroom \(DATABASE_URL\): .*connect ECONNREFUSED/);
    // Another worker may have started meanwhile on this machine; the stale pid must be gone either way.
    expect(existsSync(readyFile) ? readFileSync(readyFile, 'utf8') : 'removed').not.toBe('2147483646');
  });

  it('sitroom slack with PostgreSQL unreachable: one line naming DATABASE_URL', { timeout: 120_000 }, async () => {
    const result = await sitroom(['slack'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DATABASE_URL: `postgres://sitroom:${password}@127.0.0.1:1/sitroom`,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      SITROOM_DASHBOARD_SECRET: dashboardSecret,
    });
    expectOneLine(result, /^error: cannot reach PostgreSQL at .* \(DATABASE_URL\): /);
  });

  describe('with PostgreSQL', () => {
    const postgres = needsPostgres();
    it('sitroom slack with Temporal unreachable: one line naming TEMPORAL_ADDRESS, not a gRPC stack trace', { timeout: 120_000 }, async () => {
      const url = new URL(await createDatabase(postgres.adminUrl(), 'sr_startup'));
      const result = await sitroom(['slack'], {
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        DATABASE_URL: url.toString(),
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        SITROOM_DASHBOARD_SECRET: dashboardSecret,
      });
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): .*correct TEMPORAL_ADDRESS\.$/);
      expect(result.stderr).not.toMatch(/\n\s+at |grpc|node_modules/i);
      if (url.password) expect(result.stderr).not.toContain(url.password);
    });
  });
});
