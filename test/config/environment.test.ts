import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentFrom, EnvironmentError, environmentTable, parseEnvironment, type EnvironmentProblem } from '../../src/config/environment.js';
import { environmentVariables, variableNames, type Variable } from '../../src/config/variables.js';
import { repoRoot } from '../../src/paths.js';
import { defaultTaskQueue } from '../../src/temporal/worker.js';
import { tableEnd, tableStart } from '../../scripts/env-table.js';

function problemsOf(source: Record<string, string>, options: Parameters<typeof parseEnvironment>[1] = {}): EnvironmentProblem[] {
  const result = parseEnvironment(source, options);
  if (result.ok) throw new Error('expected the environment to be rejected');
  return result.problems;
}

describe('the environment schema', () => {
  it('fills the defaults of an empty environment and leaves optional values out', () => {
    const env = environmentFrom({});
    expect(env.ports).toEqual({ bindHost: '127.0.0.1', http: 3000, slack: 3001, workspace: 3002 });
    expect(env.temporal).toEqual({ namespace: 'default', taskQueue: defaultTaskQueue });
    expect(env.github).toEqual({ apiUrl: 'https://api.github.com', gitUrl: 'https://github.com', prowGcsUrl: 'https://storage.googleapis.com' });
    expect(env.jira).toEqual({ apiVersion: 3 });
    expect(env.logging.level).toBe('info');
    expect(env.demo.stepTimeoutMs).toBe(180_000);
    expect(env.slack).toEqual({ apiUrl: 'https://slack.com/api/' });
    expect(env.dashboard).toEqual({});
    expect(env.database).toEqual({});
    expect(env.paths).toEqual({});
  });

  it('coerces ports, versions and paths, trims values and treats an empty value as unset', () => {
    const env = environmentFrom({
      PORT: '0',
      SLACK_PORT: ' 8081 ',
      JIRA_URL: 'https://jira.example.com',
      JIRA_TOKEN: 'jt',
      JIRA_API_VERSION: '2',
      TARGET_REPO: 'examples/target-repo',
      GITHUB_API_URL: 'http://127.0.0.1:9/',
      LOG_LEVEL: 'debug',
      TEMPORAL_NAMESPACE: '',
      SLACK_BOT_TOKEN: '',
      SITROOM_BIND_HOST: ' 0.0.0.0 ',
      SITROOM_PUBLIC_URL: 'https://sitroom.example.com/',
    });
    expect(env.ports).toEqual({ bindHost: '0.0.0.0', http: 0, slack: 8081, workspace: 3002 });
    expect(env.dashboard).toEqual({ publicUrl: 'https://sitroom.example.com' });
    expect(env.jira).toEqual({ url: 'https://jira.example.com', token: 'jt', apiVersion: 2 });
    expect(env.paths.targetRepo).toBe(resolve('examples/target-repo'));
    expect(env.github.apiUrl).toBe('http://127.0.0.1:9');
    expect(env.logging.level).toBe('debug');
    expect(env.temporal.namespace).toBe('default');
    expect(env.slack.botToken).toBeUndefined();
  });

  it('lists every problem at once, each with the variable, what was expected and what it got', () => {
    const problems = problemsOf({
      SLACK_PORT: 'abc',
      PORT: '70000',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db/x',
      TEMPORAL_ADDRESS: 'temporal',
      JIRA_API_VERSION: '4',
      SITROOM_BIND_HOST: 'http://0.0.0.0:3000',
    });
    expect(problems.map((p) => `${p.variable}: ${p.message}`)).toEqual([
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql://, got a value of 12 characters',
      'TEMPORAL_ADDRESS: expected host:port of the Temporal frontend (e.g. temporal:7233), got "temporal"',
      'SITROOM_BIND_HOST: expected an IP address or host name to listen on (127.0.0.1, 0.0.0.0, ::), got "http://0.0.0.0:3000"',
      'PORT: expected a port number (0–65535; 0 picks a free one), got "70000"',
      'SLACK_PORT: expected a port number (0–65535; 0 picks a free one), got "abc"',
      'JIRA_API_VERSION: expected one of 2, 3, got "4"',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });

  it('never echoes a secret in a message', () => {
    const secret = 'short-but-secret';
    const problems = problemsOf({ SITROOM_DASHBOARD_SECRET: secret, SLACK_BOT_TOKEN: 'xoxp-user-token-value', SLACK_SIGNING_SECRET: 's' });
    const text = problems.map((p) => p.message).join('\n');
    expect(problems.map((p) => p.variable)).toEqual(['SLACK_BOT_TOKEN', 'SITROOM_DASHBOARD_SECRET']);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('xoxp-user-token-value');
    expect(text).toContain('expected a bot token starting with "xoxb-", got a value of 21 characters');
  });

  it('asks each process for what it cannot run without', () => {
    expect(parseEnvironment({}, { process: 'dev' }).ok).toBe(true);
    expect(parseEnvironment({}, { process: 'tool' }).ok).toBe(true);
    expect(problemsOf({}, { process: 'worker' }).map((p) => p.variable)).toEqual(['DATABASE_URL', 'TEMPORAL_ADDRESS']);
    expect(problemsOf({}, { process: 'slack' }).map((p) => p.variable)).toEqual([
      'DATABASE_URL',
      'TEMPORAL_ADDRESS',
      'SLACK_BOT_TOKEN',
      'SITROOM_DASHBOARD_SECRET',
    ]);
    const slack = {
      DATABASE_URL: 'postgres://u:p@db:5432/s',
      TEMPORAL_ADDRESS: 'temporal:7233',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'sig',
      SITROOM_DASHBOARD_SECRET: 'x'.repeat(32),
    };
    expect(environmentFrom(slack, { process: 'slack' }).slack).toEqual({ botToken: 'xoxb-1', signingSecret: 'sig', apiUrl: 'https://slack.com/api/' });
    // A bad value is reported as bad, not also as missing.
    expect(problemsOf({ ...slack, TEMPORAL_ADDRESS: 'nope' }, { process: 'slack' }).map((p) => p.variable)).toEqual(['TEMPORAL_ADDRESS']);
  });

  it('refuses a bot token without a signing secret, and half a Jira setup, whatever the process', () => {
    for (const process of ['dev', 'tool', 'slack'] as const) {
      expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' }, { process }).find((p) => p.variable === 'SLACK_SIGNING_SECRET')?.message).toMatch(
        /^required with SLACK_BOT_TOKEN/,
      );
    }
    expect(problemsOf({ JIRA_URL: 'https://jira.example.com' })).toEqual([
      { variable: 'JIRA_TOKEN', message: expect.stringMatching(/^required with JIRA_URL/) },
    ]);
    expect(problemsOf({ JIRA_TOKEN: 't' })).toEqual([{ variable: 'JIRA_URL', message: expect.stringMatching(/^required with JIRA_TOKEN/) }]);
  });

  it("applies a process's own defaults only to unset variables, asking a lazy one only when needed", () => {
    let asked = 0;
    const defaults = { SITROOM_DASHBOARD_SECRET: () => `${++asked}`.repeat(32), PORT: '4400' };
    expect(environmentFrom({}, { defaults })).toMatchObject({ dashboard: { secret: '1'.repeat(32) }, ports: { http: 4400 } });
    expect(environmentFrom({ SITROOM_DASHBOARD_SECRET: 'y'.repeat(40), PORT: '5000' }, { defaults })).toMatchObject({
      dashboard: { secret: 'y'.repeat(40) },
      ports: { http: 5000 },
    });
    expect(asked).toBe(1);
  });

  it('throws one EnvironmentError naming every variable, a line each', () => {
    try {
      environmentFrom({ SLACK_PORT: 'abc' }, { process: 'worker' });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(EnvironmentError);
      expect((err as Error).message.split('\n')).toEqual([
        'the environment has 3 problems:',
        expect.stringMatching(/^DATABASE_URL: required: /),
        expect.stringMatching(/^TEMPORAL_ADDRESS: required: /),
        'SLACK_PORT: expected a port number (0–65535; 0 picks a free one), got "abc"',
      ]);
    }
  });

  it('still says where the target repository is when other variables are bad', () => {
    const result = parseEnvironment({ TARGET_REPO: '/srv/target', PORT: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.paths.targetRepo).toBe('/srv/target');
  });

  it('parses every default it documents', () => {
    for (const name of variableNames) {
      const variable: Variable = environmentVariables[name];
      if (variable.default !== undefined) expect(parseEnvironment({ [name]: variable.default }).ok, name).toBe(true);
    }
  });
});

describe("the README's environment table", () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(tableStart) + tableStart.length, readme.indexOf(tableEnd)).trim();
  const rows = section
    .split('\n')
    .slice(2)
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, '')));

  it('is the one rendered from the schema (rewrite it with `npx tsx scripts/env-table.ts`)', () => {
    expect(readme.indexOf(tableStart)).toBeGreaterThan(0);
    expect(section).toBe(environmentTable());
  });

  it('lists every variable of the schema with its default, and nothing else', () => {
    const documented = new Map(rows.map(([name, whenUnset]) => [name!.replace(/`/g, ''), whenUnset!]));
    expect([...documented.keys()].sort()).toEqual([...variableNames].sort());
    for (const name of variableNames) {
      const variable: Variable = environmentVariables[name];
      expect(documented.get(name), name).toEqual(variable.default !== undefined ? `\`${variable.default}\`` : expect.stringMatching(/^unset → /));
    }
    // The defaults as the parser applies them, not only as written.
    const env = environmentFrom({});
    expect(documented.get('PORT')).toBe(`\`${env.ports.http}\``);
    expect(documented.get('TEMPORAL_TASK_QUEUE')).toBe(`\`${env.temporal.taskQueue}\``);
  });
});
