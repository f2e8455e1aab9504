// POST /github/webhook: GitHub's own signed deliveries for the repository (statuses, check runs, pull
// requests, reviews, comments). The receiver checks the request like every HTTP surface (the shared guard),
// then the HMAC-SHA256 signature of the raw body (X-Hub-Signature-256), claims the delivery id so a
// redelivery acts once, reduces the payload to the fields RH-O uses and hands it to the Orchestrator port.
// Polling stays the fallback: a missed delivery only delays what the next poll finds.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { GitHubEvent } from '../contracts/github-events.js';
import type { Orchestrator } from '../orchestrator/port.js';
import { guardRequest, parseJsonBody } from './guard.js';
import { sendJson, type RouteHandler } from './server.js';

/** GitHub caps a delivery's payload at 25 MB; the ones handled here are far smaller, so a tighter bound applies. */
export const githubWebhookMaxBytes = 5_000_000;

export function signGitHubPayload(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Compared as bytes in constant time: a header with non-ASCII characters has more bytes than characters. */
export function validGitHubSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  const given = Buffer.from(String(header ?? ''), 'latin1');
  const expected = Buffer.from(signGitHubPayload(secret, body), 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const user = z.looseObject({ login: z.string() });
const pull = z.looseObject({
  number: z.number().int().positive(),
  html_url: z.string().url(),
  title: z.string().max(1_000),
  body: z.string().max(300_000).nullable().optional(),
  merged: z.boolean().nullable().optional(),
  user: user.nullable().optional(),
});

const payloads = {
  status: z.looseObject({
    sha: z.string().regex(/^[0-9a-f]{40}$/),
    context: z.string().min(1).max(500),
    state: z.enum(['pending', 'success', 'failure', 'error']),
  }),
  check_run: z.looseObject({
    action: z.string(),
    check_run: z.looseObject({
      head_sha: z.string().regex(/^[0-9a-f]{40}$/),
      name: z.string().min(1).max(500),
      status: z.string(),
      conclusion: z.string().nullable().optional(),
      pull_requests: z
        .array(z.looseObject({ number: z.number().int().positive() }))
        .max(100)
        .default([]),
    }),
  }),
  pull_request: z.looseObject({
    action: z.string(),
    pull_request: pull,
    changes: z.looseObject({ body: z.looseObject({ from: z.string().nullable() }).optional() }).optional(),
  }),
  pull_request_review: z.looseObject({
    action: z.string(),
    pull_request: pull,
    review: z.looseObject({ state: z.string(), user: user.nullable(), commit_id: z.string().nullable().optional() }),
  }),
  issue_comment: z.looseObject({
    action: z.string(),
    issue: z.looseObject({ number: z.number().int().positive(), html_url: z.string().url(), pull_request: z.looseObject({}).optional() }),
    comment: z.looseObject({ body: z.string().max(300_000), user: user.nullable() }),
  }),
};
export type HandledGitHubEvent = keyof typeof payloads;
export const handledGitHubEvents = Object.keys(payloads) as HandledGitHubEvent[];

/** The payload as RH-O sees it, or the reason it is not for RH-O (an issue's comment, a check run still running). */
export function toGitHubEvent(event: HandledGitHubEvent, deliveryId: string, payload: unknown): GitHubEvent | { ignored: string } {
  switch (event) {
    case 'status': {
      const p = payloads.status.parse(payload);
      return { kind: 'ci', deliveryId, sha: p.sha, context: p.context, state: p.state, pullNumbers: [] };
    }
    case 'check_run': {
      const { check_run: run } = payloads.check_run.parse(payload);
      if (run.status !== 'completed') return { ignored: `check run ${run.status}` };
      const state =
        run.conclusion === 'success' || run.conclusion === 'neutral' || run.conclusion === 'skipped'
          ? 'success'
          : run.conclusion === 'failure' || run.conclusion === 'timed_out'
            ? 'failure'
            : 'error';
      return { kind: 'ci', deliveryId, sha: run.head_sha, context: run.name, state, pullNumbers: run.pull_requests.map((p) => p.number) };
    }
    case 'pull_request': {
      const p = payloads.pull_request.parse(payload);
      const pr = p.pull_request;
      return {
        kind: 'pull-request',
        deliveryId,
        action: p.action,
        number: pr.number,
        url: pr.html_url,
        title: pr.title,
        body: pr.body ?? '',
        author: pr.user?.login ?? '',
        merged: pr.merged === true,
        bodyChanged: p.changes?.body !== undefined,
      };
    }
    case 'pull_request_review': {
      const p = payloads.pull_request_review.parse(payload);
      return {
        kind: 'review',
        deliveryId,
        action: p.action,
        number: p.pull_request.number,
        url: p.pull_request.html_url,
        reviewer: p.review.user?.login ?? '',
        state: p.review.state.toLowerCase(),
        commitId: p.review.commit_id ?? '',
      };
    }
    case 'issue_comment': {
      const p = payloads.issue_comment.parse(payload);
      if (!p.issue.pull_request) return { ignored: 'a comment on an issue, not a pull request' };
      return {
        kind: 'comment',
        deliveryId,
        action: p.action,
        number: p.issue.number,
        url: p.issue.html_url,
        author: p.comment.user?.login ?? '',
        body: p.comment.body,
      };
    }
  }
}

export interface GitHubWebhookDeps {
  orchestrator: Pick<Orchestrator, 'githubEvent'>;
  secret: string;
  /** Claims a delivery id (unique in the store): false when it was handled before. */
  claimDelivery(deliveryId: string, event: string): Promise<boolean>;
  /** Gives the claim back when handing the delivery on failed, so GitHub's redelivery is handled. */
  releaseDelivery(deliveryId: string): Promise<void>;
}

export function createGitHubWebhookHandler(deps: GitHubWebhookDeps): RouteHandler {
  return async (req, res) => {
    if (req.url?.split('?')[0] !== '/github/webhook') return false;
    if (req.method !== 'POST') return (sendJson(res, 405, { error: 'method_not_allowed' }), true);
    // GitHub sends application/json when the hook is configured so; form-encoded hooks are refused with 415.
    const raw = await guardRequest(req, { maxBodyBytes: githubWebhookMaxBytes, contentTypes: ['application/json'] });
    if (!validGitHubSignature(deps.secret, raw, req.headers['x-hub-signature-256'] as string | undefined))
      return (sendJson(res, 401, { error: 'invalid_signature' }), true);
    const event = String(req.headers['x-github-event'] ?? '');
    const deliveryId = String(req.headers['x-github-delivery'] ?? '');
    if (!/^[\w-]{1,100}$/.test(deliveryId))
      return (sendJson(res, 400, { error: 'invalid_delivery', message: 'X-GitHub-Delivery is missing or malformed' }), true);
    const payload = parseJsonBody(raw);
    if (event === 'ping') return (sendJson(res, 200, { ok: true, zen: 'pong' }), true);
    if (!(handledGitHubEvents as string[]).includes(event))
      return (sendJson(res, 202, { outcome: 'ignored', reason: `event ${event.slice(0, 60) || '(none)'} is not handled` }), true);
    let parsed: GitHubEvent | { ignored: string };
    try {
      parsed = toGitHubEvent(event as HandledGitHubEvent, deliveryId, payload);
    } catch (err) {
      const message =
        err instanceof z.ZodError
          ? err.issues
              .map((i) => `${i.path.join('.')}: ${i.message}`)
              .join('; ')
              .slice(0, 1_000)
          : 'unreadable payload';
      return (sendJson(res, 400, { error: 'invalid_payload', message }), true);
    }
    if ('ignored' in parsed) return (sendJson(res, 202, { outcome: 'ignored', reason: parsed.ignored }), true);
    if (!deps.orchestrator.githubEvent) return (sendJson(res, 503, { error: 'github_events_not_accepted' }), true);
    if (!(await deps.claimDelivery(deliveryId, event)))
      return (sendJson(res, 200, { outcome: 'ignored', reason: `delivery ${deliveryId} was handled before` }), true);
    try {
      const handled = await deps.orchestrator.githubEvent(parsed);
      sendJson(res, 202, handled);
    } catch (err) {
      await deps.releaseDelivery(deliveryId).catch(() => undefined);
      throw err;
    }
    return true;
  };
}
