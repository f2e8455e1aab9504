// A TLS terminator in front of the Temporal dev server, which speaks plain gRPC only: it ends TLS (optionally
// requiring a client certificate signed by the test CA), records each call's `authorization` header, can
// refuse calls without the expected API key as a secured frontend would (gRPC status 16, UNAUTHENTICATED),
// and forwards every HTTP/2 stream — headers, body and trailers — to the dev server. Certificates come from
// the openssl CLI, made fresh for each run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** CA that signed both certificates below. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** Another CA's client certificate, which the terminator must refuse. */
  strangerCertFile: string;
  strangerKeyFile: string;
  /** The name in the server certificate (not the loopback address, so the server-name setting is needed). */
  serverName: string;
}

export function makeTestCertificates(serverName = 'temporal.sitroom.test'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'sitroom-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newCa = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  const issue = (name: string, ca: string, cn: string, extensions: string) => {
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    );
    writeFileSync(file(`${name}.ext`), `${extensions}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${ca}.pem`),
      '-CAkey',
      file(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    );
  };
  newCa('ca', 'sitroom test CA');
  newCa('stranger-ca', 'someone else');
  issue('server', 'ca', serverName, `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth`);
  issue('client', 'ca', 'sitroom-worker', 'extendedKeyUsage=clientAuth');
  issue('stranger', 'stranger-ca', 'sitroom-stranger', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caFile: file('ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
    strangerCertFile: file('stranger.pem'),
    strangerKeyFile: file('stranger.key'),
    serverName,
  };
}

export interface TlsTerminator {
  /** host:port to use as TEMPORAL_ADDRESS. */
  address: string;
  /** The `authorization` header of every call that reached the terminator, in order. */
  authorizations: string[];
  /** Calls forwarded to the dev server. */
  forwarded(): number;
  /** TLS handshakes refused (no or a foreign client certificate). */
  refusedHandshakes(): number;
  close(): Promise<void>;
}

export interface TlsTerminatorOptions {
  /** host:port of the plain-gRPC dev server. */
  upstream: string;
  certificates: TestCertificates;
  requireClientCertificate: boolean;
  /** When set, a call without `authorization: Bearer <apiKey>` is answered UNAUTHENTICATED and not forwarded. */
  apiKey?: string;
}

export async function startTlsTerminator(options: TlsTerminatorOptions): Promise<TlsTerminator> {
  const { certificates: certs } = options;
  // The dev server ends an HTTP/2 session now and then (GOAWAY); later calls go over a new one, as a gRPC
  // client's own channel would reconnect.
  let upstream = connectUpstream();
  function connectUpstream(): http2.ClientHttp2Session {
    const session = http2.connect(`http://${options.upstream}`);
    session.on('error', () => undefined);
    session.on('goaway', () => {
      if (upstream === session) upstream = connectUpstream();
    });
    return session;
  }
  function openUpstream(headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream {
    if (upstream.closed || upstream.destroyed) upstream = connectUpstream();
    try {
      return upstream.request(headers);
    } catch {
      upstream = connectUpstream();
      return upstream.request(headers);
    }
  }
  const authorizations: string[] = [];
  let forwarded = 0;
  let refused = 0;
  const server = http2.createSecureServer({
    key: readFileSync(certs.serverKeyFile),
    cert: readFileSync(certs.serverCertFile),
    ca: readFileSync(certs.caFile),
    requestCert: options.requireClientCertificate,
    rejectUnauthorized: options.requireClientCertificate,
    // gRPC over TLS negotiates HTTP/2 by ALPN.
    ALPNProtocols: ['h2'],
  });
  server.on('tlsClientError', () => {
    refused += 1;
  });
  server.on('sessionError', () => undefined);
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const authorization = headers.authorization;
    if (authorization !== undefined) authorizations.push(String(authorization));
    if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'missing or wrong API key' },
        { endStream: true },
      );
      return;
    }
    forwarded += 1;
    const outgoing: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) if (name !== ':scheme' && name !== ':authority' && value !== undefined) outgoing[name] = value;
    let call: http2.ClientHttp2Stream;
    try {
      call = openUpstream(outgoing);
    } catch {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    call.on('error', () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    stream.on('close', () => {
      if (!call.closed) call.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.pipe(call);
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('trailers', (received) => {
      trailers = received;
    });
    call.on('response', (responseHeaders, flags) => {
      const copy = withoutPseudo(responseHeaders, [':status']);
      // A gRPC error without a body arrives as headers only ("trailers-only"): pass it on the same way.
      if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) {
        stream.respond(copy, { endStream: true });
        return;
      }
      stream.respond(copy, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(withoutPseudo(trailers, [])));
      call.pipe(stream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    authorizations,
    forwarded: () => forwarded,
    refusedHandshakes: () => refused,
    close: async () => {
      upstream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open sessions keep the server alive; the clients were closed by the tests already.
        setTimeout(resolve, 1_000).unref();
      });
    },
  };
}

function withoutPseudo(headers: http2.IncomingHttpHeaders, keep: string[]): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if ((!name.startsWith(':') || keep.includes(name)) && value !== undefined) out[name] = value;
  return out;
}
