import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { resolveMode } from '../../src/config/schema.js';
import { YamlValidationError } from '../../src/yaml/validate.js';

function copyOfExample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sitroom-config-'));
  cpSync(join(exampleTargetRepo, '.rh-agentic'), join(dir, '.rh-agentic'), { recursive: true });
  return dir;
}

function loadError(repo: string): YamlValidationError {
  try {
    loadConfig(repo);
  } catch (err) {
    if (err instanceof YamlValidationError) return err;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('the shipped example config', () => {
  it('loads the HyperShift team with a senior engineer, a new engineer and a tech lead', () => {
    const config = loadConfig(exampleTargetRepo);
    expect(config.team.team).toBe('hypershift-data-plane');
    expect(config.team.sdlc.hierarchy).toEqual(['rfe', 'feature', 'epic', 'story']);
    expect(config.team.sdlc.phases.map((p) => p.id)).toEqual(['design', 'api', 'implementation', 'test', 'review']);
    expect(config.team.codegen).toMatchObject({ api: 'make api', verify: 'make verify' });
    expect(config.team.approvals.gate_reminder_after).toBe(4 * 3_600_000);
    expect(config.roles.get('maria')?.experience).toBe('senior');
    expect(config.roles.get('sam')?.new_developer_guidance).toBe(true);
  });

  it('resolves a phase mode from the session, then the role file, then the team', () => {
    const config = loadConfig(exampleTargetRepo);
    const maria = config.roles.get('maria');
    const priya = config.roles.get('priya');
    expect(resolveMode('planning', config.team, maria)).toEqual({ mode: 'collaborative', source: 'role' });
    expect(resolveMode('planning', config.team, priya)).toEqual({ mode: 'approval-required', source: 'team-activity' });
    expect(resolveMode('planning', config.team, maria, 'autonomous')).toEqual({ mode: 'autonomous', source: 'session' });
  });
});

describe('bad config', () => {
  it('names the file, the line and the field of a wrong value', () => {
    const repo = copyOfExample();
    const team = join(repo, '.rh-agentic', 'team.yaml');
    const text = readFileSync(team, 'utf8').replace('gate_reminder_after: 4h', 'gate_reminder_after: soon');
    writeFileSync(team, text);
    const err = loadError(repo);
    const line = text.split('\n').findIndex((l) => l.includes('gate_reminder_after: soon')) + 1;
    expect(err.issues).toHaveLength(1);
    expect(err.message).toBe(`${err.issues[0]!.file}:${line} approvals.gate_reminder_after: must be a duration like "30m", "4h" or "2d"`);
    expect(err.issues[0]!.file).toMatch(/\.rh-agentic\/team\.yaml$/);
  });

  it('names the follow-up bug window at its line when it is not a whole number of days, and defaults it to 14', () => {
    const repo = copyOfExample();
    const team = join(repo, '.rh-agentic', 'team.yaml');
    const shipped = readFileSync(team, 'utf8');
    expect(loadConfig(repo).team.jira).toEqual({ follow_up_bug_window_days: 14, follow_up_check_every: 6 * 3_600_000 });
    const text = shipped.replace('follow_up_bug_window_days: 14', 'follow_up_bug_window_days: 2.5');
    writeFileSync(team, text);
    const err = loadError(repo);
    const line = text.split('\n').findIndex((l) => l.includes('follow_up_bug_window_days: 2.5')) + 1;
    expect(err.message).toBe(`${err.issues[0]!.file}:${line} jira.follow_up_bug_window_days: must be a whole number of days`);
    writeFileSync(team, shipped.replace(/\njira:\n[\s\S]*$/, '\n'));
    expect(loadConfig(repo).team.jira.follow_up_bug_window_days).toBe(14);
  });

  it('reports a YAML syntax error with its line', () => {
    const repo = copyOfExample();
    const role = join(repo, '.rh-agentic', 'roles', 'sam.yaml');
    writeFileSync(role, 'developer: sam\ndisplay_name: [unclosed\n');
    const err = loadError(repo);
    expect(err.issues[0]).toMatchObject({ path: '(syntax)' });
    expect(err.issues[0]!.file).toMatch(/roles\/sam\.yaml$/);
    expect(err.issues[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects an unknown field in a role file at its line', () => {
    const repo = copyOfExample();
    const role = join(repo, '.rh-agentic', 'roles', 'maria.yaml');
    writeFileSync(role, readFileSync(role, 'utf8').replace('experience: senior', 'experience: senior\nfavourite_colour: blue'));
    const err = loadError(repo);
    expect(err.message).toMatch(/roles\/maria\.yaml:\d+ \(root\): Unrecognized key: "favourite_colour"/);
  });

  it('rejects a role whose persona the team does not define', () => {
    const repo = copyOfExample();
    const role = join(repo, '.rh-agentic', 'roles', 'sam.yaml');
    const text = readFileSync(role, 'utf8').replace('persona: new-engineer', 'persona: wizard');
    writeFileSync(role, text);
    const line = text.split('\n').indexOf('persona: wizard') + 1;
    expect(loadError(repo).message).toMatch(new RegExp(`roles/sam\\.yaml:${line} persona: unknown persona "wizard"`));
  });
});

describe('agent command settings', () => {
  it('defaults to the required sandbox and a 10-minute limit, and refuses a limit for a command not on the allow-list', () => {
    // The example team opts into when-available for the demo; a team.yaml that says nothing gets required.
    expect(loadConfig(exampleTargetRepo).team.agent.sandbox).toBe('when-available');
    const silent = copyOfExample();
    const silentFile = join(silent, '.rh-agentic', 'team.yaml');
    writeFileSync(silentFile, readFileSync(silentFile, 'utf8').replace(/^ {2}sandbox: when-available\n/m, ''));
    expect(loadConfig(silent).team.agent).toMatchObject({ sandbox: 'required', default_command_timeout: 600, command_timeouts: {} });
    const repo = copyOfExample();
    const file = join(repo, '.rh-agentic', 'team.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('  allowed_commands:\n', '  command_timeouts:\n    make test: 1800\n    rm -rf /: 5\n  allowed_commands:\n'),
    );
    const err = loadError(repo);
    expect(err.issues).toHaveLength(1);
    expect(err.message).toMatch(/team\.yaml:\d+ agent\.command_timeouts: "rm -rf \/" is not on agent\.allowed_commands/);
  });

  it('refuses a flake signature regex that backtracks without bound', () => {
    const repo = copyOfExample();
    const file = join(repo, '.rh-agentic', 'team.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/known_signatures:/);
    writeFileSync(file, text.replace('pattern: "timed out waiting for the condition"', 'pattern: "/(a+)+$/"'));
    expect(loadError(repo).message).toMatch(/known_signatures\[0\]\.pattern: regular expression refused: a repeated group/);
  });
});
