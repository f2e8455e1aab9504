// Tests that need a service `npm install` does not bring (Chromium, a real PostgreSQL, docker-compose, helm) call
// needs(...) in their file or describe block. Where it is missing the tests are skipped with a note naming
// it, which the run's last line sums up; under CI (CI=true) a missing requirement fails them instead, so CI
// cannot go green by skipping.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeEach, inject, type TestContext } from 'vitest';
import { findHelm } from './helm.js';
import { chromiumPath, skipNote, type RequirementName } from './requirement-table.js';

export interface Requirement {
  name: RequirementName;
  available: boolean;
  /** Why it is missing, as the skip note says it. */
  note: string;
}

function whyMissing(name: RequirementName): string | undefined {
  switch (name) {
    case 'chromium':
      return existsSync(chromiumPath) ? undefined : `${chromiumPath} not found`;
    case 'postgres':
      return inject('databaseUrl') ? undefined : 'DATABASE_URL is not set';
    case 'docker-compose':
      return spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0 ? undefined : 'docker-compose is not on PATH';
    case 'bubblewrap':
      return spawnSync('bwrap', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'bwrap is not on PATH';
    case 'helm':
      return findHelm() ? undefined : 'helm is neither on PATH nor in `go env GOPATH`/bin';
  }
}

export function requirement(name: RequirementName): Requirement {
  const why = whyMissing(name);
  return { name, available: !why, note: why ? skipNote(name, why) : '' };
}

/**
 * Every test in the enclosing describe block (or file) needs `name`: skipped with its note when missing,
 * failed under CI. Guard beforeAll hooks that use it with `available`.
 */
export function needs(name: RequirementName): Requirement {
  const req = requirement(name);
  beforeEach((ctx) => {
    if (req.available) return;
    skipOrFail(ctx, req.note);
  });
  return req;
}

/** For a test with a requirement of its own (see test/faults/postgres-restart.test.ts): skip with the note, or fail under CI. */
export function skipOrFail(ctx: TestContext, note: string): never {
  if (inject('ci')) throw new Error(`${note}. CI runs every test: .ci/run installs it.`);
  return ctx.skip(note);
}
