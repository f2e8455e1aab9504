// Finds the helm binary the chart tests drive: on PATH, or where `go install helm.sh/helm/v3/cmd/helm@…`
// puts it (.ci/run installs it there). Where it is missing the tests skip with a note naming it, and fail
// under CI (CI=true, set by .ci/run), so CI cannot go green by skipping them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';

function works(path: string): boolean {
  return spawnSync(path, ['version', '--short'], { stdio: 'ignore' }).status === 0;
}

function goBin(): string | undefined {
  const result = spawnSync('go', ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const [gobin, gopath] = result.stdout.split('\n');
  return gobin?.trim() || (gopath?.trim() ? join(gopath.trim(), 'bin') : undefined);
}

/** The helm command, or undefined when none works here. */
export function findHelm(): string | undefined {
  if (works('helm')) return 'helm';
  for (const dir of [goBin(), join(homedir(), 'go', 'bin')]) {
    const path = dir && join(dir, 'helm');
    if (path && existsSync(path) && works(path)) return path;
  }
  return undefined;
}

export const helmMissingNote = 'needs helm: not on PATH nor in go env GOPATH/bin (go install helm.sh/helm/v3/cmd/helm@v3.22.0, as .ci/run does)';

const underCi = process.env.CI === 'true' || process.env.CI === '1';

/** Skips the test with the note, or fails it under CI. */
export function skipOrFail(ctx: TestContext, note: string): never {
  if (underCi) throw new Error(`${note}. CI runs every test: .ci/run installs it.`);
  return ctx.skip(note);
}
