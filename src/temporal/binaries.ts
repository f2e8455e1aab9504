// Locates the Temporal binaries that scripts/temporal-setup.sh provides, and runs that script on first use
// so `npm run dev` on a fresh clone needs no separate setup step. The script records what it found in
// .cache/temporal/paths.env; a later start reads that file and skips the setup.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../config/environment.js';
import { repoRoot } from '../paths.js';

export interface TemporalBinaries {
  cli: string;
  testServer?: string;
  route: string;
}

type TemporalPaths = Pick<Environment['temporal'], 'cliPath' | 'testServerPath'>;

const pathsFile = join(repoRoot, '.cache', 'temporal', 'paths.env');
const setupScript = join(repoRoot, 'scripts', 'temporal-setup.sh');

/** TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH when set, else what temporal:setup recorded; undefined when neither exists. */
function recorded(temporal: TemporalPaths): TemporalBinaries | undefined {
  const fromFile: Record<string, string> = {};
  if (existsSync(pathsFile)) {
    for (const line of readFileSync(pathsFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fromFile[line.slice(0, eq)] = line.slice(eq + 1).trim();
    }
  }
  const cli = temporal.cliPath || fromFile.TEMPORAL_CLI_PATH;
  if (!cli || !existsSync(cli)) return undefined;
  const testServer = temporal.testServerPath || fromFile.TEMPORAL_TEST_SERVER_PATH;
  return { cli, ...(testServer && existsSync(testServer) ? { testServer } : {}), route: fromFile.TEMPORAL_ROUTE ?? 'env' };
}

export function findTemporalBinaries(temporal: TemporalPaths = {}): TemporalBinaries {
  const found = recorded(temporal);
  if (!found) throw new Error('The Temporal CLI was not found. Run `npm run temporal:setup` (or set TEMPORAL_ADDRESS to use a running server).');
  return found;
}

/**
 * The binaries, setting them up first when this checkout has none yet: the same script, pinned versions and
 * fallbacks as `npm run temporal:setup`, with its progress on this terminal (stderr).
 */
export async function ensureTemporalBinaries(
  temporal: TemporalPaths = {},
  progress: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<TemporalBinaries> {
  const found = recorded(temporal);
  if (found) return found;
  progress('First start: setting up the Temporal CLI (a dev server for workflows). This happens once per checkout and can take a minute or two.');
  const code = await new Promise<number>((resolveExit, reject) => {
    const child = spawn('bash', [setupScript], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 128 : 1)));
  });
  if (code !== 0)
    throw new Error(
      `Setting up the Temporal CLI failed (scripts/temporal-setup.sh exited ${code}; its messages are above). Fix what it names and start again, or set TEMPORAL_ADDRESS to use a running server.`,
    );
  return findTemporalBinaries(temporal);
}
