// Temporal behind TLS, mTLS and an API key, configured by environment variables alone. The dev server has no
// TLS, so a terminator made for the test (test/support/tls-terminator.ts, certificates from openssl) sits in
// front of it. The worker and the client are connected exactly as `sitroom worker` and `sitroom slack` connect
// (connectTemporal, runWorker), and a real workflow runs through the terminator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { environmentFrom, parseEnvironment } from '../../src/config/environment.js';
import { notificationOutbox } from '../../src/db/schema/core.js';
import type { OpenStore } from '../../src/db/client.js';
import { createLogger } from '../../src/observability/logger.js';
import { createCore, type Core } from '../../src/main/compose.js';
import { connectTemporal, Lifecycle, runWorker } from '../../src/main/processes.js';
import { describeSecurity, temporalSecurity } from '../../src/temporal/connection.js';
import { openTestStore } from '../support/db.js';
import { uniqueSuffix } from '../support/temporal.js';
import { makeTestCertificates, startTlsTerminator, type TestCertificates, type TlsTerminator } from '../support/tls-terminator.js';

let certs: TestCertificates;
let mtls: TlsTerminator;
let keyed: TlsTerminator;
const apiKey = `test-api-key-${uniqueSuffix()}`;
const life = new Lifecycle();
let store: OpenStore | undefined;
let core: Core | undefined;

beforeAll(async () => {
  certs = makeTestCertificates();
  mtls = await startTlsTerminator({ upstream: inject('temporalAddress'), certificates: certs, requireClientCertificate: true });
  keyed = await startTlsTerminator({ upstream: inject('temporalAddress'), certificates: certs, requireClientCertificate: false, apiKey });
});

afterAll(async () => {
  await life.stopAll((m) => process.stderr.write(`${m}\n`));
  await core?.close();
  await store?.close();
  await mtls?.close();
  await keyed?.close();
});

describe('Temporal over mTLS, configured by the environment', () => {
  it('a worker and a client connect through an mTLS terminator and run a real workflow to its side effect', async () => {
    const taskQueue = `mtls-${uniqueSuffix()}`;
    const { ANTHROPIC_API_KEY: _key, GITHUB_TOKEN: _gh, TARGET_REPO: _target, ...rest } = process.env;
    const environment = environmentFrom({
      ...rest,
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyFile,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
    });
    expect(describeSecurity(environment.temporal)).toBe('mTLS, private CA');
    store = await openTestStore();
    core = await createCore({ environment, dataDir: mkdtempSync(join(tmpdir(), 'sitroom-mtls-')), store, logger: createLogger('mtls', 'silent') });
    const temporal = await connectTemporal(core, life, { startDevServer: false });
    expect(temporal.address).toBe(mtls.address);
    await runWorker(core, temporal, life);

    const workflowId = `mtls-briefing-${uniqueSuffix()}`;
    const handle = await temporal.client.workflow.start('morningBriefingWorkflow', { taskQueue, workflowId, args: [{ developerId: 'maria' }] });
    const { dedupeKey } = (await handle.result()) as { dedupeKey: string };
    const rows = await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.dedupeKey, dedupeKey));
    expect(rows).toHaveLength(1);
    // Everything went through the terminator: the worker's polls and the client's calls.
    expect(mtls.forwarded()).toBeGreaterThan(5);
  }, 120_000);

  it('refuses a client without a certificate, and one whose certificate another CA signed', async () => {
    const before = mtls.refusedHandshakes();
    const serverOnly = { serverRootCACertificate: Buffer.from(await readPem(certs.caFile)), serverNameOverride: certs.serverName };
    await expect(Connection.connect({ address: mtls.address, tls: serverOnly, connectTimeout: 5_000 })).rejects.toThrow();
    await expect(NativeConnection.connect({ address: mtls.address, tls: serverOnly })).rejects.toThrow();
    const stranger = {
      ...serverOnly,
      clientCertPair: { crt: Buffer.from(await readPem(certs.strangerCertFile)), key: Buffer.from(await readPem(certs.strangerKeyFile)) },
    };
    await expect(NativeConnection.connect({ address: mtls.address, tls: stranger })).rejects.toThrow();
    expect(mtls.refusedHandshakes()).toBeGreaterThan(before);
  }, 60_000);
});

describe('Temporal with an API key', () => {
  const keyedEnvironment = (key: string) =>
    environmentFrom({
      TEMPORAL_ADDRESS: keyed.address,
      TEMPORAL_API_KEY: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
      TEMPORAL_NAMESPACE: 'default',
    });

  it('turns TLS on and sends the key as `authorization: Bearer` from the client and from the worker connection', async () => {
    const environment = keyedEnvironment(apiKey);
    expect(environment.temporal.tls).toBeDefined();
    const security = temporalSecurity(environment.temporal);
    expect(security.apiKey).toBe(apiKey);
    expect(describeSecurity(environment.temporal)).toBe('TLS, private CA, API key');

    const client = await Connection.connect({ address: keyed.address, ...security });
    const described = await client.workflowService.describeNamespace({ namespace: environment.temporal.namespace });
    expect(described.namespaceInfo?.name).toBe('default');
    await client.close();
    const fromClient = keyed.authorizations.length;
    expect(fromClient).toBeGreaterThan(0);

    const worker = await NativeConnection.connect({ address: keyed.address, ...security });
    await worker.close();
    expect(keyed.authorizations.length).toBeGreaterThan(fromClient);
    expect(new Set(keyed.authorizations)).toEqual(new Set([`Bearer ${apiKey}`]));
  }, 60_000);

  it('a wrong key is refused by the frontend as UNAUTHENTICATED', async () => {
    const environment = keyedEnvironment('not-the-key');
    const client = await Connection.connect({ address: keyed.address, ...temporalSecurity(environment.temporal), connectTimeout: 5_000 }).catch(
      (err: Error) => err,
    );
    const error =
      client instanceof Error
        ? client
        : await client.workflowService.describeNamespace({ namespace: 'default' }).then(
            () => undefined,
            (err: Error) => err,
          );
    expect(error).toBeInstanceOf(Error);
    // The SDK wraps the gRPC status: the frontend's answer is its cause.
    const cause = (error as Error & { cause?: { code?: number; details?: string } }).cause ?? (error as { code?: number; details?: string });
    expect(cause).toMatchObject({ code: 16, details: 'missing or wrong API key' });
    if (!(client instanceof Error)) await client.close();
  }, 30_000);
});

describe('TLS settings are checked at start, each problem naming its variable', () => {
  const problems = (env: Record<string, string>) => {
    const result = parseEnvironment(env);
    return result.ok ? [] : result.problems.map((p) => `${p.variable}: ${p.message}`);
  };

  it('a certificate without its key, and a key without its certificate', () => {
    expect(problems({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertFile })).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CLIENT_KEY_PATH: required with TEMPORAL_TLS_CLIENT_CERT_PATH/),
    ]);
    expect(problems({ TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyFile })).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CLIENT_CERT_PATH: required with TEMPORAL_TLS_CLIENT_KEY_PATH/),
    ]);
  });

  it('an unreadable file names the variable and the path', () => {
    const missing = join(certs.dir, 'nope.pem');
    expect(problems({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing })).toEqual([
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH: expected a readable file (${missing}: no such file), got "${missing}"`,
    ]);
    expect(problems({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.dir, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyFile })).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CLIENT_CERT_PATH: expected a readable file \(.* is not a file\)/),
    ]);
  });

  it('TLS switched off with an API key set is an error, and the key is never echoed', () => {
    const found = problems({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'secret-value-123' });
    expect(found).toEqual([expect.stringMatching(/^TEMPORAL_TLS: is false but TEMPORAL_API_KEY is set/)]);
    expect(found.join('\n')).not.toContain('secret-value-123');
    expect(problems({ TEMPORAL_TLS: 'maybe' })).toEqual(['TEMPORAL_TLS: expected true or false, got "maybe"']);
  });

  it('without any TLS variable the connection stays plain gRPC', () => {
    const environment = environmentFrom({ TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    expect(environment.temporal.tls).toBeUndefined();
    expect(temporalSecurity(environment.temporal)).toEqual({});
    expect(environmentFrom({ TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
  });
});

async function readPem(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8');
}
