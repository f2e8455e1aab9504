// Locates the Temporal binaries that `npm run temporal:setup` provided (see scripts/temporal-setup.sh).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../config/environment.js';
import { repoRoot } from '../db/client.js';

export interface TemporalBinaries {
  cli: string;
  testServer?: string;
  route: string;
}

/** TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH when set, else what temporal:setup recorded. */
export function findTemporalBinaries(temporal: Pick<Environment['temporal'], 'cliPath' | 'testServerPath'> = {}): TemporalBinaries {
  const pathsFile = join(repoRoot, '.cache', 'temporal', 'paths.env');
  const fromFile: Record<string, string> = {};
  if (existsSync(pathsFile)) {
    for (const line of readFileSync(pathsFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fromFile[line.slice(0, eq)] = line.slice(eq + 1).trim();
    }
  }
  const cli = temporal.cliPath || fromFile.TEMPORAL_CLI_PATH;
  if (!cli || !existsSync(cli)) {
    throw new Error('The Temporal CLI was not found. Run `npm run temporal:setup` (or set TEMPORAL_ADDRESS to use a running server).');
  }
  const testServer = temporal.testServerPath || fromFile.TEMPORAL_TEST_SERVER_PATH;
  return { cli, ...(testServer && existsSync(testServer) ? { testServer } : {}), route: fromFile.TEMPORAL_ROUTE ?? 'env' };
}
