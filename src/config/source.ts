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
  /** Called with the new config after each reload that changed it (a new role file, an edited team.yaml). */
  onReload(listener: (config: LoadedConfig) => void | Promise<void>): () => void;
  /**
   * Looks at the files every `everyMs` even when nobody asks for the config, so a new role file reaches its
   * listeners (the roster, briefing schedules) without a restart or a request. Returns the stop function.
   */
  watch(everyMs?: number): () => void;
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
  const listeners = new Set<(config: LoadedConfig) => void | Promise<void>>();
  const source: ConfigSource = {
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
        const reloaded = good;
        for (const listener of listeners) {
          // A listener's failure is its own: the config stays reloaded and the others still hear of it.
          void Promise.resolve()
            .then(() => listener(reloaded))
            .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'a team config reload listener failed'));
        }
      } catch (err) {
        lastProblem = (err as Error).message;
        logger.warn({ problem: lastProblem }, 'team config on disk is invalid; keeping the last good config');
      }
      return good;
    },
    problem: () => lastProblem,
    onReload(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    watch(everyMs = checkEveryMs) {
      const timer = setInterval(() => source.current(), Math.max(everyMs, 100));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
  return source;
}
