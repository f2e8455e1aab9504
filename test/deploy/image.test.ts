// The container image cannot be built here (no Docker engine), so its Dockerfile is read for what a
// deployment relies on: the Go HyperShift's go.mod asks for (recorded in deploy/go-version by
// deploy/go-version.sh), bubblewrap and git for RH-A, a non-root user, and a process that receives SIGTERM.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const recordedGo = readFileSync(join(repoRoot, 'deploy/go-version'), 'utf8').trim();
const work = mkdtempSync(join(tmpdir(), 'sitroom-go-version-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages = instructions.filter((i) => i.startsWith('FROM '));
const finalStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

function goVersionOf(goMod: string): { status: number | null; out: string } {
  const file = join(work, `go-${Math.random().toString(36).slice(2)}.mod`);
  writeFileSync(file, goMod);
  const result = spawnSync('sh', [join(repoRoot, 'deploy/go-version.sh'), file, '--print'], { encoding: 'utf8' });
  return { status: result.status, out: (result.stdout + result.stderr).trim() };
}

describe('Dockerfile', () => {
  it("builds with the Go recorded from HyperShift's go.mod, copied from the official golang image of that version", () => {
    expect(recordedGo).toMatch(/^\d+\.\d+\.\d+$/);
    expect(instructions).toContain(`ARG GO_VERSION=${recordedGo}`);
    expect(stages[0]).toBe('FROM golang:${GO_VERSION}-bookworm AS go');
    expect(finalStage).toContain('COPY --from=go /usr/local/go /usr/local/go');
    // Debian's golang-go (1.19) is gone, and builds never fetch another toolchain.
    expect(dockerfile).not.toMatch(/golang-go/);
    expect(finalStage.find((i) => i.startsWith('ENV PATH='))).toMatch(/\/usr\/local\/go\/bin:\$PATH.*GOTOOLCHAIN=local/);
    expect(finalStage.some((i) => i.includes('go version | grep -q "go${GO_VERSION} "'))).toBe(true);
  });

  it('installs git, make and bubblewrap for RH-A, and tini as PID 1', () => {
    const install = finalStage.find((i) => i.includes('apt-get install'));
    const packages = install?.split('&&').find((part) => part.includes('apt-get install'))?.trim().split(/\s+/) ?? [];
    for (const name of ['git', 'make', 'bubblewrap', 'tini', 'ca-certificates']) expect(packages, name).toContain(name);
  });

  it('runs as a numeric non-root user, the CLI in the process SIGTERM reaches', () => {
    expect(finalStage.filter((i) => i.startsWith('USER ')).at(-1)).toBe('USER 10001');
    expect(finalStage.at(-2)).toBe('ENTRYPOINT ["tini", "--", "node", "--import", "tsx", "src/cli.ts"]');
    // The image's target checkout path is the one the Helm chart and compose use.
    expect(dockerfile).toContain('TARGET_REPO=/var/lib/sitroom/target');
  });

  it('runs the CLI the way the entrypoint starts it', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toMatch(/worker\s+the Temporal worker/);
  });
});

describe('deploy/go-version.sh', () => {
  it('takes the toolchain line when go.mod has one, else the go line', () => {
    expect(goVersionOf('module x\n\ngo 1.25.0\n\ntoolchain go1.25.7\n')).toEqual({ status: 0, out: '1.25.7' });
    expect(goVersionOf('module github.com/openshift/hypershift\n\ngo 1.26.3\n\nrequire (\n)\n')).toEqual({ status: 0, out: '1.26.3' });
    // `go 1.22` names the 1.22.0 release.
    expect(goVersionOf('module x\n\ngo 1.22\n')).toEqual({ status: 0, out: '1.22.0' });
  });

  it('fails on a go.mod without a version', () => {
    const result = goVersionOf('module x\n');
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/no go or toolchain line/);
  });
});
