// Starts the real services once for the whole test run: a Temporal dev server (unless TEMPORAL_ADDRESS
// points at one) and hands its address and the time-skipping test server's path to every test file.
import type { TestProject } from 'vitest/node';
import { findTemporalBinaries } from '../../src/temporal/binaries.js';
import { environmentFrom } from '../../src/config/environment.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalTestServerPath: string;
    databaseUrl: string;
  }
}

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  let address = process.env.TEMPORAL_ADDRESS ?? '';
  const binaries = findTemporalBinaries(environmentFrom(process.env).temporal);
  if (!address) {
    server = await startDevServer({ cli: binaries.cli });
    address = server.address;
    process.stderr.write(`test: Temporal dev server at ${address} (${binaries.route})\n`);
  }
  project.provide('temporalAddress', address);
  project.provide('temporalTestServerPath', binaries.testServer ?? '');
  project.provide('databaseUrl', process.env.DATABASE_URL ?? '');
  if (!process.env.DATABASE_URL) {
    process.stderr.write('test: DATABASE_URL is not set; storage tests run on PGlite only (.ci/run sets it for real PostgreSQL)\n');
  }
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
