// Finds the helm binary the chart tests drive: on PATH, or where `go install helm.sh/helm/v3/cmd/helm@…`
// puts it (.ci/run installs it there). test/support/requirements.ts skips or fails the tests without it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function works(path: string): boolean {
  return spawnSync(path, ['version', '--short'], { stdio: 'ignore' }).status === 0;
}

function goBin(): string | undefined {
  const result = spawnSync('go', ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const [gobin, gopath] = result.stdout.split('\n');
  return gobin?.trim() || (gopath?.trim() ? join(gopath.trim(), 'bin') : undefined);
}

let found: { path: string | undefined } | undefined;

/** The helm command, or undefined when none works here. */
export function findHelm(): string | undefined {
  found ??= {
    path: works('helm')
      ? 'helm'
      : [goBin(), join(homedir(), 'go', 'bin')].map((dir) => dir && join(dir, 'helm')).find((p): p is string => !!p && existsSync(p) && works(p)),
  };
  return found.path;
}
