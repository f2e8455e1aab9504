// The loopback GitHub's identity and git parts: GitHub App installation tokens (minted from an RS256 JWT the
// app signs, expiring, 401 once expired) and git's smart HTTP for the upstream repository and its forks,
// served by git's own `git http-backend` behind HTTP Basic auth, with GitHub's protected-branch refusal
// (GH006) as a pre-receive hook. A missing (deleted) fork answers 404 as GitHub does.
// Smart HTTP: https://git-scm.com/docs/git-http-backend ; installation tokens:
// https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
import { spawn } from 'node:child_process';
import { createVerify, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { inheritedEnvironment } from '../../../src/config/process-environment.js';

export interface FakeAppSettings {
  appId: string;
  installationId: string;
  /** The app's public key: the JWT is checked against it. */
  publicKey: KeyObject;
  /** How long an installation token lives (GitHub: one hour). */
  tokenTtlMs?: number;
  /** The login comments by the app carry. */
  login?: string;
}

export interface TokenRegistry {
  /** Who a request's Authorization header is, or why it is refused. */
  check(authorization: string | undefined): { login: string } | { status: 401; message: string };
  /** Answers POST /app/installations/:id/access_tokens. */
  mint(installationId: string, authorization: string | undefined): { status: number; body: unknown };
  /** Every installation token issued so far, oldest first. */
  issued: Array<{ token: string; expiresAt: number }>;
  /** Makes every token issued so far expired, as an hour passing would. */
  expireAll(): void;
  /** JWTs the app presented, decoded (for assertions on their claims). */
  jwts: Array<{ iss: string; iat: number; exp: number }>;
}

export function tokenRegistry(opts: { personalToken?: string; personalLogin?: string; app?: FakeAppSettings }): TokenRegistry {
  const issued: TokenRegistry['issued'] = [];
  const jwts: TokenRegistry['jwts'] = [];
  const bearer = (h: string | undefined) => /^(?:token|Bearer)\s+(.+)$/i.exec(h ?? '')?.[1];
  return {
    issued,
    jwts,
    expireAll() {
      for (const t of issued) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
    },
    check(authorization) {
      let token = bearer(authorization);
      const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1];
      if (basic) token = Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':');
      if (!opts.personalToken && !opts.app) return { login: 'anonymous' };
      if (token && token === opts.personalToken) return { login: opts.personalLogin ?? 'sitroom-bot' };
      const app = issued.find((t) => t.token === token);
      if (app && app.expiresAt > Date.now()) return { login: opts.app?.login ?? 'sitroom-app[bot]' };
      return { status: 401, message: app ? 'Bad credentials: the installation token has expired' : 'Bad credentials' };
    },
    mint(installationId, authorization) {
      const app = opts.app;
      if (!app) return { status: 404, body: { message: 'Not Found' } };
      const jwt = bearer(authorization) ?? '';
      const [header, payload, signature] = jwt.split('.');
      const valid =
        header && payload && signature && createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(app.publicKey, Buffer.from(signature, 'base64url'));
      if (!valid) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss: string; iat: number; exp: number };
      jwts.push(claims);
      const now = Math.floor(Date.now() / 1000);
      if (String(claims.iss) !== app.appId) return { status: 401, body: { message: `'Issuer' claim ('iss') must be an Integer` } };
      if (claims.exp <= now || claims.exp - claims.iat > 600)
        return { status: 401, body: { message: "'Expiration time' claim ('exp') is too far in the future" } };
      if (installationId !== app.installationId) return { status: 404, body: { message: 'Not Found' } };
      const expiresAt = Date.now() + (app.tokenTtlMs ?? 3_600_000);
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      issued.push({ token, expiresAt });
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(expiresAt).toISOString(),
          permissions: { contents: 'write', pull_requests: 'write', issues: 'write', statuses: 'write' },
          repository_selection: 'selected',
        },
      };
    },
  };
}

/** Makes a bare repository refuse pushes to branches matching these patterns, with GitHub's GH006 message. */
export function protectBranches(bareRepo: string, patterns: string[]): void {
  const hook = join(bareRepo, 'hooks', 'pre-receive');
  const cases = patterns
    .map(
      (p) =>
        `    refs/heads/${p}) echo "error: GH006: Protected branch update failed for $ref." >&2; echo "error: Changes must be made through a pull request." >&2; exit 1 ;;`,
    )
    .join('\n');
  writeFileSync(hook, `#!/bin/sh\nwhile read old new ref; do\n  case "$ref" in\n${cases}\n  esac\ndone\nexit 0\n`);
  chmodSync(hook, 0o755);
}

/**
 * Serves `/<owner>/<repo>.git/...` with git http-backend for the repositories `repoFor` knows; anything else
 * is not taken. Every request needs a valid token as the Basic password (pushes and fetches alike).
 */
export function gitSmartHttp(
  repoFor: (slug: string) => string | undefined,
  tokens: TokenRegistry,
  log: Array<{ slug: string; service: string; login: string }>,
) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/([\w.-]+\/[\w.-]+?)\.git(\/.*)$/.exec(url.pathname);
    if (!m) return false;
    const bare = repoFor(m[1]!);
    if (!bare) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Repository not found.\n');
      return true;
    }
    const who = tokens.check(req.headers.authorization);
    if ('status' in who) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
      res.end(`${who.message}\n`);
      return true;
    }
    log.push({ slug: m[1]!, service: url.searchParams.get('service') ?? m[2]!.slice(1), login: who.login });
    const child = spawn('git', ['http-backend'], {
      env: {
        ...inheritedEnvironment(['PATH', 'HOME']),
        GIT_PROJECT_ROOT: dirname(bare),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${basename(bare)}${m[2]}`,
        REQUEST_METHOD: req.method ?? 'GET',
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_USER: who.login,
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    // CGI output: headers, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.subarray(0, end).toString('utf8').split('\r\n')) {
        const [name, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (name!.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name!] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(end + 4));
    });
    child.on('close', () => res.end());
    return true;
  };
}
