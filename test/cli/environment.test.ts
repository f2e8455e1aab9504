// The deployed processes and `config check` as a person runs them (`npx sitroom …`, i.e. bin/sitroom.js), with
// an environment a deployment could really have: each problem is named on its own line and nothing starts.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleTargetRepo } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';

/** A clean environment: only what node and tsx need, plus the variables under test (no developer's shell settings). */
function sitroom(args: string[], vars: Record<string, string>) {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...vars };
  return spawnSync(process.execPath, [join(repoRoot, 'bin/sitroom.js'), ...args], { encoding: 'utf8', cwd: repoRoot, env, timeout: 60_000 });
}

const errorLines = (stderr: string) => stderr.trim().split('\n');
const secret = 'not-a-real-secret-but-treat-it-as-one';

// Each case starts a real process through tsx; on a busy machine that alone can take tens of seconds.
describe('sitroom slack and sitroom worker with a bad environment', { timeout: 120_000 }, () => {
  it('sitroom slack with a bot token and no signing secret stops at once, naming every variable, echoing no secret', () => {
    const result = sitroom(['slack'], { SLACK_BOT_TOKEN: `xoxb-${secret}`, SLACK_PORT: 'abc', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(result.status).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'error: the environment has 4 problems:',
      expect.stringMatching(/^DATABASE_URL: required: sitroom slack shares PostgreSQL/),
      'SLACK_PORT: expected a port number (0–65535; 0 picks a free one), got "abc"',
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN: without it no request from Slack can be verified/),
      expect.stringMatching(/^SITROOM_DASHBOARD_SECRET: required: it signs dashboard sign-in links/),
    ]);
    expect(result.stderr + result.stdout).not.toContain(secret);
    expect(result.stdout).not.toContain('slack app running');
  });

  it('sitroom slack without Slack credentials does not fall back to a made-up workspace', () => {
    const result = sitroom(['slack'], {
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:1/s',
      SITROOM_DASHBOARD_SECRET: 'x'.repeat(32),
    });
    expect(result.status).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'error: the environment has 1 problem:',
      expect.stringMatching(/^SLACK_BOT_TOKEN: required: sitroom slack connects to a Slack workspace/),
    ]);
  });

  it('sitroom worker names a bad Temporal address and the missing database', () => {
    const result = sitroom(['worker'], { TEMPORAL_ADDRESS: 'localhost', LOG_LEVEL: 'chatty' });
    expect(result.status).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'error: the environment has 3 problems:',
      expect.stringMatching(/^DATABASE_URL: required: sitroom worker shares PostgreSQL/),
      'TEMPORAL_ADDRESS: expected host:port of the Temporal frontend (e.g. temporal:7233), got "localhost"',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "chatty"',
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('sitroom config check and the environment', { timeout: 120_000 }, () => {
  const production = {
    DATABASE_URL: 'postgres://sitroom:pw@db:5432/sitroom',
    TEMPORAL_ADDRESS: 'temporal:7233',
    SLACK_BOT_TOKEN: 'xoxb-1-2-3',
    SLACK_SIGNING_SECRET: 'signing',
    SITROOM_DASHBOARD_SECRET: 'd'.repeat(64),
  };

  it('prints each problem as VARIABLE: message and exits 1, with the repository still checked', () => {
    const result = sitroom(['config', 'check', '--repo', exampleTargetRepo], { PORT: 'eighty', JIRA_URL: 'jira.example.com' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('team "hypershift-data-plane" with 3 developers');
    expect(errorLines(result.stderr)).toEqual([
      'environment: 3 problems',
      'PORT: expected a port number (0–65535; 0 picks a free one), got "eighty"',
      'JIRA_URL: expected a URL starting with http:// or https://, got "jira.example.com"',
      'JIRA_TOKEN: required with JIRA_URL: tickets cannot be read without it',
    ]);
  });

  it("checks what a named process needs, and passes a deployment's complete environment", () => {
    const { SLACK_SIGNING_SECRET: _s, ...withoutSigning } = production;
    const failing = sitroom(['config', 'check', '--repo', exampleTargetRepo, '--process', 'slack'], withoutSigning);
    expect(failing.status).toBe(1);
    expect(errorLines(failing.stderr)).toEqual([
      'environment of sitroom slack: 1 problem',
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/),
    ]);

    const passing = sitroom(['config', 'check', '--repo', exampleTargetRepo, '--process', 'slack'], production);
    expect(passing.stderr).toBe('');
    expect(passing.status).toBe(0);
    expect(passing.stdout).toContain('environment of sitroom slack: valid');
  });

  it('reports a broken team.yaml and the environment together', () => {
    const repo = mkdtempSync(join(tmpdir(), 'sitroom-cli-env-'));
    cpSync(join(exampleTargetRepo, '.rh-agentic'), join(repo, '.rh-agentic'), { recursive: true });
    const team = join(repo, '.rh-agentic', 'team.yaml');
    writeFileSync(team, readFileSync(team, 'utf8').replace('default: approval-required', 'default: yolo'));
    const result = sitroom(['config', 'check', '--process', 'worker'], { TARGET_REPO: repo, TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(result.status).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines[0]).toMatch(/^error: .*team\.yaml:\d+ modes\.default: /);
    expect(lines.slice(1)).toEqual(['environment of sitroom worker: 1 problem', expect.stringMatching(/^DATABASE_URL: required: /)]);
  });
});
