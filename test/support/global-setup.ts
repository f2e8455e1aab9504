// Starts the real services once for the whole test run: a Temporal dev server (unless TEMPORAL_ADDRESS
// points at one) and hands its address and the time-skipping test server's path to every test file.
import type { TestProject } from 'vitest/node';
import { ensureTemporalBinaries } from '../../src/temporal/binaries.js';
import { environmentFrom } from '../../src/config/environment.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalTestServerPath: string;
    databaseUrl: string;
    /** CI=true: a test whose requirement is missing fails instead of skipping (test/support/requirements.ts). */
    ci: boolean;
  }
}

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  let address = process.env.TEMPORAL_ADDRESS ?? '';
  const binaries = await ensureTemporalBinaries(environmentFrom(process.env).temporal);
  if (!address) {
    server = await startDevServer({ cli: binaries.cli });
    address = server.address;
    process.stderr.write(`test: Temporal dev server at ${address} (${binaries.route})\n`);
  }
  project.provide('temporalAddress', address);
  project.provide('temporalTestServerPath', binaries.testServer ?? '');
  project.provide('databaseUrl', process.env.DATABASE_URL ?? '');
  project.provide('ci', process.env.CI === 'true' || process.env.CI === '1');
  if (!process.env.DATABASE_URL) {
    process.stderr.write(
      'test: DATABASE_URL is not set; storage tests run on PGlite only, and tests that need PostgreSQL start a server of their own (skipped where its binaries are missing; .ci/run sets DATABASE_URL)\n',
    );
  }
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
