// `npm run demo`, as the README says to run it, against the product started the way `npm run dev` starts it,
// at an hour that is inside maria's quiet hours: the story plays to the end, the product's quiet-hours rule
// untouched, and the example team's role files are as they were afterwards.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import { startDev, type RunningDev } from '../../src/cli/dev.js';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { quietHoursEnd } from '../../src/notifications/routing.js';
import { freePort } from '../../src/temporal/dev-server.js';

const run = promisify(execFile);
let dev: RunningDev | undefined;
let dataDir = '';
let targetRepo = '';
let ports = { http: 0, workspace: 0 };
let quietRoleFile = '';

/** HH:MM in a time zone, `offsetMinutes` from now. */
function clockIn(timeZone: string, offsetMinutes: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(Date.now() + offsetMinutes * 60_000),
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitroom-demo-'));
  targetRepo = join(dataDir, 'target-repo');
  // dev's copy of the example team, with maria's quiet hours moved to cover the hour the test runs.
  await createExampleRepo(targetRepo);
  const roleFile = join(targetRepo, '.rh-agentic', 'roles', 'maria.yaml');
  const zone = loadConfig(targetRepo).roles.get('maria')!.time_zone;
  writeFileSync(
    roleFile,
    readFileSync(roleFile, 'utf8').replace(/quiet_hours: \{[^}]*\}/, `quiet_hours: { start: "${clockIn(zone, -60)}", end: "${clockIn(zone, 120)}" }`),
  );
  await git(targetRepo, ['commit', '-q', '-am', 'maria: quiet hours now']);
  quietRoleFile = readFileSync(roleFile, 'utf8');
  ports = { http: await freePort(), workspace: await freePort() };
  const {
    ANTHROPIC_API_KEY: _a,
    GITHUB_TOKEN: _g,
    TARGET_REPO: _t,
    DATABASE_URL: _d,
    TEMPORAL_ADDRESS: _ta,
    SLACK_BOT_TOKEN: _s,
    SITROOM_DASHBOARD_SECRET: _ds,
    ...shell
  } = process.env;
  dev = await startDev({
    env: { ...shell, PORT: String(ports.http), SLACK_PORT: String(await freePort()), WORKSPACE_PORT: String(ports.workspace), LOG_LEVEL: 'warn' },
    dataDir,
    say: () => undefined,
  });
}, 240_000);
afterAll(async () => {
  await dev?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run demo at a quiet hour', () => {
  it(
    'plays the whole story, and leaves the team’s role files as it found them',
    async () => {
      const maria = loadConfig(targetRepo).roles.get('maria')!;
      expect(quietHoursEnd(new Date(), maria.notifications.quiet_hours, maria.time_zone), 'maria is in quiet hours while the demo starts').toBeDefined();

      const { stdout } = await run('npm', ['run', '--silent', 'demo'], {
        cwd: repoRoot,
        env: {
          ...process.env,
          WORKSPACE_URL: `http://127.0.0.1:${ports.workspace}`,
          DASHBOARD_URL: `http://127.0.0.1:${ports.http}`,
          TARGET_REPO: targetRepo,
          SITROOM_DASHBOARD_SECRET: readFileSync(join(dataDir, 'dashboard-secret'), 'utf8').trim(),
        },
        maxBuffer: 32 * 1024 * 1024,
        timeout: 20 * 60_000,
      });
      expect(stdout).toContain('It is quiet hours for maria');
      expect(stdout).toContain('priya approves');
      expect(stdout).toMatch(/Done\. \d+ new messages in maria's view/);
      expect(readFileSync(join(targetRepo, '.rh-agentic', 'roles', 'maria.yaml'), 'utf8')).toBe(quietRoleFile);
    },
    20 * 60_000,
  );
});
