// Who Situation Room is on GitHub: a GitHub App installation (short-lived installation tokens, minted from a
// JWT signed with the app's private key) or, as the simple fallback, a personal token. The API client and
// git pushes both take their token from here, so they act as the same identity.
// App authentication: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation
// JWT claims (iat, exp at most 10 minutes ahead, iss): https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { CataloguedFailure, UserError } from '../contracts/failures.js';

export interface GitHubCredentials {
  kind: 'app' | 'token';
  /** A token that is valid now; an installation token is refreshed before it expires. */
  token(): Promise<string>;
  /** GitHub refused `token` (401): forget it. True when a fresh one can be had, so the request is worth one retry. */
  refused(token: string): boolean;
}

export function personalToken(token: string): GitHubCredentials {
  return { kind: 'token', token: async () => token, refused: () => false };
}

export interface GitHubAppSettings {
  appId: string;
  installationId: string;
  /** PEM private key of the app (the file GitHub lets you download once). */
  privateKey: string | KeyObject;
  apiUrl: string;
  /** Refresh this long before `expires_at`, so a token never runs out in the middle of a push. */
  refreshBeforeMs?: number;
  now?: () => number;
}

/** Installation tokens last an hour; one refreshed five minutes early never expires mid-request. */
const defaultRefreshBeforeMs = 5 * 60_000;

export function appInstallation(settings: GitHubAppSettings): GitHubCredentials {
  const key = typeof settings.privateKey === 'string' ? parsePrivateKey(settings.privateKey, 'the GitHub App private key') : settings.privateKey;
  const now = settings.now ?? Date.now;
  const refreshBefore = settings.refreshBeforeMs ?? defaultRefreshBeforeMs;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const mint = async (): Promise<string> => {
    const jwt = appJwt(settings.appId, key, now());
    const url = `${settings.apiUrl.replace(/\/+$/, '')}/app/installations/${encodeURIComponent(settings.installationId)}/access_tokens`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    });
    const body = (await res.json().catch(() => ({}))) as { token?: string; expires_at?: string; message?: string };
    if (res.status === 401)
      throw new UserError(
        `GITHUB_APP_ID: GitHub refused the JWT of app ${settings.appId} (${body.message ?? '401'}): check the app id and that GITHUB_APP_PRIVATE_KEY_PATH is this app's current private key`,
        { field: 'GITHUB_APP_ID' },
      );
    if (res.status === 404)
      throw new UserError(
        `GITHUB_APP_INSTALLATION_ID: app ${settings.appId} has no installation ${settings.installationId} (was the app uninstalled from the organisation or the fork?)`,
        { field: 'GITHUB_APP_INSTALLATION_ID' },
      );
    if (res.status === 403 || res.status === 429) throw rateLimitOrForbidden(res.status, res.headers, body.message ?? '', 'minting an installation token');
    if (res.status !== 201 || !body.token || !body.expires_at)
      throw new Error(`GitHub answered ${res.status} when minting an installation token for app ${settings.appId}: ${body.message ?? 'no token'}`);
    cached = { token: body.token, expiresAt: Date.parse(body.expires_at) };
    return body.token;
  };

  return {
    kind: 'app',
    async token() {
      if (cached && cached.expiresAt - refreshBefore > now()) return cached.token;
      // One mint at a time: concurrent requests share it.
      inFlight ??= mint().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    refused(token) {
      if (cached?.token === token) cached = undefined;
      return true;
    },
  };
}

/** RS256 JWT for the app: issued a minute in the past (clock drift), valid for nine minutes (GitHub allows ten). */
export function appJwt(appId: string, key: KeyObject, nowMs: number): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const iat = Math.floor(nowMs / 1000) - 60;
  const unsigned = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iat, exp: iat + 600 - 60, iss: appId })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
  return `${unsigned}.${signature}`;
}

function parsePrivateKey(pem: string, what: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new UserError(`${what} is not an RSA private key in PEM format (${(err as Error).message})`);
  }
}

/**
 * The app's private key from its file. The file must be readable by this user only (mode 0600 or 0400): a
 * key others can read is refused, naming the file and its mode, rather than used.
 */
export function readAppPrivateKey(file: string): KeyObject {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (err) {
    throw new UserError(`GITHUB_APP_PRIVATE_KEY_PATH: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      file,
      field: 'GITHUB_APP_PRIVATE_KEY_PATH',
    });
  }
  if (mode & 0o077) {
    throw new UserError(
      `GITHUB_APP_PRIVATE_KEY_PATH: ${file} has mode ${mode.toString(8).padStart(4, '0')}; the app's private key must be readable by its owner only (chmod 600 ${file})`,
      { file, field: 'GITHUB_APP_PRIVATE_KEY_PATH' },
    );
  }
  return parsePrivateKey(readFileSync(file, 'utf8'), `GITHUB_APP_PRIVATE_KEY_PATH: ${file}`);
}

/**
 * GitHub's rate limits as the catalogue's retryable failure, carrying when to try again: a 429, or a 403 that
 * says so (secondary limits send Retry-After; the primary limit sends x-ratelimit-remaining: 0 and a reset time).
 * Any other 403 is returned as undefined for the caller to explain.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
 */
export function rateLimitFailure(
  status: number,
  headers: Headers | Record<string, string | number | undefined>,
  message: string,
  doing: string,
  nowMs = Date.now(),
): CataloguedFailure | undefined {
  const header = (name: string) => (headers instanceof Headers ? (headers.get(name) ?? undefined) : headers[name]?.toString());
  const retryAfter = Number(header('retry-after'));
  const reset = Number(header('x-ratelimit-reset'));
  const limited =
    status === 429 ||
    (status === 403 &&
      ((Number.isFinite(retryAfter) && header('retry-after') !== undefined) || header('x-ratelimit-remaining') === '0' || /rate limit/i.test(message)));
  if (!limited) return undefined;
  const waitMs =
    header('retry-after') !== undefined && Number.isFinite(retryAfter)
      ? retryAfter * 1000
      : Number.isFinite(reset) && reset > 0
        ? Math.max(1000, reset * 1000 - nowMs)
        : 60_000;
  return new CataloguedFailure('GitHubRateLimited', `GitHub's rate limit stopped ${doing}; trying again in ${Math.ceil(waitMs / 1000)} s`, [], {
    retryAfterMs: waitMs,
  });
}

function rateLimitOrForbidden(status: number, headers: Headers, message: string, doing: string): Error {
  return (
    rateLimitFailure(status, headers, message, doing) ??
    new UserError(`GitHub refused ${doing} (${status}): ${message} — does the app have the permissions it needs on this repository?`)
  );
}

/**
 * An Octokit that authenticates every request with `credentials` and, when GitHub answers 401 to an installation
 * token (expired or revoked early), mints a new one and sends the request once more. Rate limits become the
 * catalogue's retryable GitHubRateLimited with GitHub's delay; Octokit's own retries stay off (Temporal retries).
 */
export function githubClient(credentials: GitHubCredentials, baseUrl: string): Octokit {
  const octokit = new Octokit({ baseUrl, request: { retries: 0 }, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  octokit.hook.wrap('request', async (request, options) => {
    const send = async () => {
      const token = await credentials.token();
      options.headers.authorization = `token ${token}`;
      return { token, response: await request(options) };
    };
    const asked = `${options.method} ${String(options.url)}`;
    try {
      try {
        return (await send()).response;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 401 && credentials.refused(options.headers.authorization!.replace(/^token /, ''))) return (await send()).response;
        throw err;
      }
    } catch (err) {
      const e = err as { status?: number; response?: { headers?: Record<string, string | number | undefined>; data?: { message?: string } } };
      const limited = e.status ? rateLimitFailure(e.status, e.response?.headers ?? {}, e.response?.data?.message ?? '', asked) : undefined;
      throw limited ?? err;
    }
  });
  return octokit;
}
