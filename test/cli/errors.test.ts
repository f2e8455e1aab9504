// Bad input through the real CLI: one clear line naming the file, line and field, exit code 1, no stack trace.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleTargetRepo } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';

function sitroom(args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'src/cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
}

describe('sitroom on bad input', () => {
  it('names the file, line and field of a broken team.yaml without a stack trace', () => {
    const repo = mkdtempSync(join(tmpdir(), 'sitroom-cli-'));
    cpSync(join(exampleTargetRepo, '.rh-agentic'), join(repo, '.rh-agentic'), { recursive: true });
    const team = join(repo, '.rh-agentic', 'team.yaml');
    const text = readFileSync(team, 'utf8').replace('default: approval-required', 'default: yolo');
    writeFileSync(team, text);
    const line = text.split('\n').findIndex((l) => l.includes('default: yolo')) + 1;
    const result = sitroom(['config', 'check', '--repo', repo]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^error: .*team\\.yaml:${line} modes\\.default: Invalid option: expected one of`)),
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an allow-list entry the sandboxed runner could not use, at its line in team.yaml', () => {
    const repo = mkdtempSync(join(tmpdir(), 'sitroom-cli-'));
    cpSync(join(exampleTargetRepo, '.rh-agentic'), join(repo, '.rh-agentic'), { recursive: true });
    const team = join(repo, '.rh-agentic', 'team.yaml');
    const text = readFileSync(team, 'utf8').replace('    - go vet ./...\n', '    - go vet ./...\n    - go test ./../...\n    - sh -c "make test"\n');
    writeFileSync(team, text);
    const lineOf = (s: string) => text.split('\n').findIndex((l) => l.includes(s)) + 1;
    const result = sitroom(['config', 'check', '--repo', repo]);
    expect(result.status).toBe(1);
    const problems = (result.stdout + result.stderr).split('\n').filter((l) => l.includes('team.yaml:'));
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(`team\\.yaml:${lineOf('go test ./../...')} agent\\.allowed_commands\\[5\\]: "go test \\./\\.\\./\\.\\.\\.": .*may not climb`),
      ),
      expect.stringMatching(new RegExp(`team\\.yaml:${lineOf('sh -c')} agent\\.allowed_commands\\[6\\]: "sh -c "make test"": .*outside letters, digits`)),
    ]);
    // The process that would run RH-A refuses the same file at start, with the same line.
    const worker = sitroom(['plan', 'ABC-1', '--intent', 'anything', '--repo', repo]);
    expect(worker.status).toBe(1);
    expect(worker.stderr).toMatch(new RegExp(`team\\.yaml:${lineOf('go test ./../...')} agent\\.allowed_commands\\[5\\]`));
  });

  it('accepts the shipped config and rejects an unknown command with usage', () => {
    expect(sitroom(['config', 'check', '--repo', exampleTargetRepo])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('team "hypershift-data-plane" with 3 developers'),
    });
    const unknown = sitroom(['deploy']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
    expect(unknown.stderr).toContain('usage: sitroom <command>');
  });
});
