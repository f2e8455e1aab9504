// POST /ci/webhook: the CI system (or its bridge) pushes a run's results; the receiver checks the HMAC
// signature and the payload, then hands the results to the orchestrator, which finds the CI watch of that PR.
// Results are data only: nothing in them can change what the watch is allowed to do.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Orchestrator } from '../orchestrator/port.js';
import { guardRequest } from './guard.js';
import { maxBodyBytes, sendJson, type RouteHandler } from './server.js';

const CiReportBody = z.strictObject({
  prUrl: z.string().url(),
  report: z.strictObject({
    runId: z.string().min(1).max(200),
    job: z.string().min(1).max(200),
    commit: z.string().regex(/^[0-9a-f]{7,40}$/, 'must be a commit sha'),
    attempt: z.number().int().min(1).max(100),
    state: z.enum(['success', 'failure', 'pending', 'error']),
    url: z.string().url().optional(),
    tests: z
      .array(
        z.strictObject({
          job: z.string(),
          test: z.string().min(1).max(500),
          status: z.enum(['passed', 'failed', 'skipped']),
          message: z.string().max(20_000).optional(),
        }),
      )
      .max(5_000),
  }),
});

export function signCiPayload(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function createCiWebhookHandler(deps: { orchestrator: Orchestrator; secret: string }): RouteHandler {
  return async (req, res) => {
    if (!req.url?.startsWith('/ci/webhook')) return false;
    if (req.method !== 'POST') return (sendJson(res, 405, { error: 'method_not_allowed' }), true);
    // The shared request guard: a JSON body within the size limit, or a 413/415 before the signature is checked.
    const body = (await guardRequest(req, { maxBodyBytes, contentTypes: ['application/json'] })).toString('utf8');
    // Compared as bytes: a header with non-ASCII characters has as many characters as the signature but more bytes.
    const given = Buffer.from(String(req.headers['x-sitroom-signature'] ?? ''), 'latin1');
    const expected = Buffer.from(signCiPayload(deps.secret, body), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      sendJson(res, 401, { error: 'invalid_signature' });
      return true;
    }
    let parsed: z.infer<typeof CiReportBody>;
    try {
      parsed = CiReportBody.parse(JSON.parse(body));
    } catch (err) {
      const message = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'body is not JSON';
      sendJson(res, 400, { error: 'invalid_payload', message });
      return true;
    }
    if (!deps.orchestrator.deliverCiResults) {
      sendJson(res, 503, { error: 'ci_results_not_accepted' });
      return true;
    }
    const delivered = await deps.orchestrator.deliverCiResults(parsed.prUrl, parsed.report);
    if (delivered.outcome === 'unknown-pr') sendJson(res, 404, { error: 'unknown_pr', prUrl: parsed.prUrl });
    else if (delivered.outcome === 'not-watching') sendJson(res, 409, { error: 'not_watching', prUrl: parsed.prUrl });
    else sendJson(res, 202, { accepted: true, workflowId: delivered.watchId });
    return true;
  };
}
