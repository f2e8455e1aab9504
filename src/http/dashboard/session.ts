// Who is looking at the dashboard, and proof that a POST came from our own page. A developer opens the
// dashboard through a short-lived signed link (sent to them in Slack); that sets an HttpOnly,
// SameSite=Strict session cookie. Every form carries a CSRF token derived from that session with HMAC, so
// a forged cross-site POST has neither the cookie nor the token.
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const developerId = /^[a-z][a-z0-9-]{0,62}$/;

/** "<developer>.<expiry seconds>.<signature>": used both as the login link token and as the session cookie value. */
export function issueToken(secret: string, developer: string, expiresAt: Date, purpose: 'login' | 'session'): string {
  if (!developerId.test(developer)) throw new Error(`not a developer id: ${developer}`);
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${developer}.${exp}.${sign(secret, `${purpose}:${developer}:${exp}`)}`;
}

export function verifyToken(secret: string, token: string | undefined, purpose: 'login' | 'session', now: Date): string | undefined {
  if (!token) return undefined;
  const [developer, exp, sig] = token.split('.');
  if (!developer || !exp || !sig || !developerId.test(developer) || !/^\d+$/.test(exp)) return undefined;
  if (Number(exp) * 1000 <= now.getTime()) return undefined;
  return safeEqual(sig, sign(secret, `${purpose}:${developer}:${exp}`)) ? developer : undefined;
}

/** The link the Slack app sends a developer; valid for 15 minutes by default. */
export function dashboardLoginLink(baseUrl: string, secret: string, developer: string, now: Date, ttlMs = 15 * 60_000): string {
  const url = new URL('/dashboard/login', baseUrl);
  url.searchParams.set('token', issueToken(secret, developer, new Date(now.getTime() + ttlMs), 'login'));
  return url.toString();
}

/**
 * The link "Open dashboard" in Slack mints: under the dashboard's public base (SITROOM_PUBLIC_URL's /dashboard,
 * path prefix kept), and landing on `next` (a page of the dashboard, e.g. a work item) once signed in.
 */
export function signInLink(dashboardUrl: string, secret: string, developer: string, now: Date, options: { ttlMs?: number; next?: string } = {}): string {
  const url = new URL(`${dashboardUrl.replace(/\/+$/, '')}/login`);
  url.searchParams.set('token', issueToken(secret, developer, new Date(now.getTime() + (options.ttlMs ?? 15 * 60_000)), 'login'));
  if (options.next && safeNext(options.next)) url.searchParams.set('next', options.next);
  return url.toString();
}

/** Where a sign-in may land: a path of the dashboard on this host, never another site ("//evil", "/dashboard/../x"). */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || !/^\/dashboard(?:\/[A-Za-z0-9._~%-]+)*\/?$/.test(next) || next.includes('..')) return undefined;
  return next;
}

export function csrfToken(secret: string, session: string): string {
  return sign(secret, `csrf:${session}`);
}

export function verifyCsrf(secret: string, session: string, token: string | undefined): boolean {
  return typeof token === 'string' && safeEqual(token, csrfToken(secret, session));
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    // A malformed escape ("%zz") is not ours: skip that cookie instead of failing the request.
    try {
      out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      continue;
    }
  }
  return out;
}

export const sessionCookie = 'sitroom_dashboard';
