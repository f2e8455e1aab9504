// The team config as running processes see it: read at start (a broken config stops start-up with a
// clear error), re-read when a file under .rh-agentic/ changes, and when the new files are broken the
// last good config stays in force — running plans continue — while the problem is logged once.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { Logger } from '../observability/logger.js';

export interface ConfigSource {
  current(): LoadedConfig;
  /** The last problem with the files on disk, when the config in force is an older good one. */
  problem(): string | undefined;
}

function fingerprint(targetRepo: string): string {
  const dir = join(targetRepo, '.rh-agentic');
  const parts: string[] = [];
  const walk = (d: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(d, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(path);
      else parts.push(`${path}:${st.size}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  return parts.join('|');
}

export function createConfigSource(targetRepo: string, logger: Pick<Logger, 'warn' | 'info'>, options: { checkEveryMs?: number } = {}): ConfigSource {
  let good = loadConfig(targetRepo);
  let seen = fingerprint(targetRepo);
  let lastProblem: string | undefined;
  let checkedAt = Date.now();
  const checkEveryMs = options.checkEveryMs ?? 2_000;
  return {
    current() {
      if (Date.now() - checkedAt < checkEveryMs) return good;
      checkedAt = Date.now();
      const now = fingerprint(targetRepo);
      if (now === seen) return good;
      seen = now;
      try {
        good = loadConfig(targetRepo);
        lastProblem = undefined;
        logger.info({ targetRepo }, 'team config reloaded');
      } catch (err) {
        lastProblem = (err as Error).message;
        logger.warn({ problem: lastProblem }, 'team config on disk is invalid; keeping the last good config');
      }
      return good;
    },
    problem: () => lastProblem,
  };
}
