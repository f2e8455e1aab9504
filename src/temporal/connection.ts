// How every process reaches the Temporal frontend: plain gRPC (the dev server), TLS with a private CA, mTLS
// with a client certificate, or an API key (Temporal Cloud). The client Connection and the worker's
// NativeConnection take the same options, built here from the parsed environment, so the two never differ.
// https://docs.temporal.io/cloud/api-keys#sdk — an API key travels as `authorization: Bearer <key>` over TLS.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { EnvironmentError, type Environment } from '../config/environment.js';
import type { VariableName } from '../config/variables.js';

/** What both connection kinds accept beyond the address. */
export interface TemporalSecurity {
  tls?: TLSConfig;
  apiKey?: string;
}

/** Reads the PEM files named by the environment; a file that vanished since start is reported by its variable. */
export function temporalSecurity(temporal: Pick<Environment['temporal'], 'tls' | 'apiKey'>): TemporalSecurity {
  if (!temporal.tls) return {};
  const read = (variable: VariableName, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new EnvironmentError([{ variable, message: `cannot read ${file}: ${(err as Error).message}` }]);
    }
  };
  const { caFile, certFile, keyFile, serverName } = temporal.tls;
  const tls: TLSConfig = {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(caFile ? { serverRootCACertificate: read('TEMPORAL_TLS_SERVER_CA_CERT_PATH', caFile) } : {}),
    ...(certFile && keyFile
      ? { clientCertPair: { crt: read('TEMPORAL_TLS_CLIENT_CERT_PATH', certFile), key: read('TEMPORAL_TLS_CLIENT_KEY_PATH', keyFile) } }
      : {}),
  };
  return { tls, ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}) };
}

/** One line for logs and `sitroom doctor`: how the connection is secured, never the key itself. */
export function describeSecurity(temporal: Pick<Environment['temporal'], 'tls' | 'apiKey'>): string {
  if (!temporal.tls) return 'plain gRPC';
  const parts = [temporal.tls.certFile ? 'mTLS' : 'TLS', ...(temporal.tls.caFile ? ['private CA'] : []), ...(temporal.apiKey ? ['API key'] : [])];
  return parts.join(', ');
}
