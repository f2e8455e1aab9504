import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleTargetRepo } from '../../src/config/load.js';
import { createConfigSource } from '../../src/config/source.js';

describe('the config in force', () => {
  it('keeps the last good config when the files become malformed, and says why', () => {
    const repo = mkdtempSync(join(tmpdir(), 'sitroom-cfgsrc-'));
    cpSync(join(exampleTargetRepo, '.rh-agentic'), join(repo, '.rh-agentic'), { recursive: true });
    const warnings: unknown[] = [];
    const source = createConfigSource(repo, { warn: (o: unknown) => warnings.push(o), info: () => undefined }, { checkEveryMs: 0 });
    expect(source.current().team.approvals.backup_approver).toBe('priya');

    const team = join(repo, '.rh-agentic', 'team.yaml');
    const original = readFileSync(team, 'utf8');
    writeFileSync(team, `${original}\nmodes: [this is: not valid\n`);
    expect(source.current().team.approvals.backup_approver).toBe('priya');
    expect(source.problem()).toMatch(/team\.yaml:\d+/);
    expect(warnings).toHaveLength(1);

    writeFileSync(team, original.replace('backup_approver: priya', 'backup_approver: maria'));
    expect(source.current().team.approvals.backup_approver).toBe('maria');
    expect(source.problem()).toBeUndefined();
  });
});

describe('role changes without a restart', () => {
  it('tells its listeners about a new role file once, after the watch sees it', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'sitroom-cfgsrc-'));
    cpSync(join(exampleTargetRepo, '.rh-agentic'), join(repo, '.rh-agentic'), { recursive: true });
    const source = createConfigSource(repo, { warn: () => undefined, info: () => undefined }, { checkEveryMs: 0 });
    const heard: string[][] = [];
    source.onReload((config) => void heard.push([...config.roles.keys()].sort()));
    const stop = source.watch(100);
    try {
      const sam = readFileSync(join(repo, '.rh-agentic', 'roles', 'sam.yaml'), 'utf8');
      writeFileSync(join(repo, '.rh-agentic', 'roles', 'noor.yaml'), sam.replace('developer: sam', 'developer: noor').replace('U0SAM0002', 'U0NOOR0007'));
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(heard).toHaveLength(1);
      expect(heard[0]).toContain('noor');
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toHaveLength(1); // nothing changed since: no second reload
    } finally {
      stop();
    }
  });
});
