// The team config as running processes see it: read at start (a broken config stops start-up with a
// clear error), re-read when a file under .rh-agentic/ changes, and when the new files are broken the
// last good config stays in force — running plans continue — while the problem is logged once.
import { join } from 'node:path';
import { loadConfig, scanConfigTree, type LoadedConfig } from './load.js';
import type { Logger } from '../observability/logger.js';

export interface ConfigSource {
  current(): LoadedConfig;
  /** The last problem with the files on disk, when the config in force is an older good one. */
  problem(): string | undefined;
}

/** Size and time of every file under .rh-agentic/ (a symbolic link loop is a problem loadConfig reports, not a crash here). */
function fingerprint(targetRepo: string): string {
  const { files, problems } = scanConfigTree(join(targetRepo, '.rh-agentic'));
  return [...files.map((f) => `${f.path}:${f.size}:${f.mtimeMs}`), ...problems.map((p) => `${p.file}!${p.message}`)].join('|');
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
