// `sitroom eval plans` as the README writes it, against a small history: the table is printed and the
// SVG chart and JSON report are written, with one scored case per data-plane merge of the window.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';
import { makeHistory } from './history.js';

const repo = makeHistory();
const out = mkdtempSync(join(tmpdir(), 'sitroom-eval-out-'));
afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

function sitroom(args: string[]) {
  // No ANTHROPIC_API_KEY: the offline planner runs.
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  return spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'src/cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: out,
    env,
  });
}

describe('sitroom eval plans', () => {
  it('prints the table and writes the chart and the report', () => {
    const casesFile = join(out, 'cases.json');
    const r = sitroom(['eval', 'plans', '--repo', repo, '--since', '2024-01-01', '--until', '2025-06-01', '--write-cases', casesFile]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('3 pull-request merges in the window; 2 touched the data plane');
    expect(r.stdout).toMatch(/^PR\s+planned\s+recall\s+prec\s+folder/m);
    expect(r.stdout).toMatch(/^#101\s+yes\s/m);
    expect(r.stdout).toMatch(/^#102\s+yes\s/m);
    expect(r.stdout).toContain('offline planner on 2 merges (2024-01-01 to 2025-06-01)');
    expect(r.stdout).toMatch(/plans\s+2\/2 = 100%/);

    const report = JSON.parse(readFileSync(join(out, 'plan-eval.json'), 'utf8')) as {
      agent: string;
      cases: Array<{ pr: number; files: string[]; score: { fileRecall: number; validation: { needed: { api: boolean } } } }>;
    };
    expect(report.agent).toBe('offline');
    expect(report.cases.map((c) => c.pr)).toEqual([101, 102]);
    // The AWS intention names the AWS NodePool file, which is what #101 changed.
    expect(report.cases[0]!.files).toContain('hypershift-operator/controllers/nodepool/aws.go');
    expect(report.cases[0]!.score.fileRecall).toBe(1);
    expect(report.cases[1]!.score.validation.needed.api).toBe(true);

    const svg = readFileSync(join(out, 'plan-eval.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(7);
    expect(svg.match(/class="target"/g)).toHaveLength(3);

    // The written case set scores the same without the checkout.
    expect(existsSync(casesFile)).toBe(true);
    const again = sitroom(['eval', 'plans', '--cases', casesFile, '--out', join(out, 'again')]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('offline planner on 2 merges');
  });

  it('explains bad arguments in one line', () => {
    const r = sitroom(['eval', 'plans', '--repo', repo, '--since', 'last year', '--until', '2025-06-01']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: --since "last year" must be a date like 2024-01-01');
    const usage = sitroom(['eval', 'plans', '--repo', repo]);
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('usage: sitroom eval plans');
  });
});
