// The /dashboard routes: a signed-link login, the page, and the curator's review actions. Reads the durable
// record (work items, phases, knowledge, calibration); writes only through the knowledge store, which
// enforces the curator rule, and the append-only decision log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calibrationTable } from '../../confidence/calibration.js';
import { CalibrationStore } from '../../db/calibration.js';
import type { Database } from '../../db/client.js';
import { activeWorkItems, appendDecision, phasesOf } from '../../db/work-items.js';
import { KnowledgeAccessError } from '../../knowledge/access.js';
import type { KnowledgeStore } from '../../knowledge/store.js';
import type { WriteBackOutcome } from '../../knowledge/proposal-queue.js';
import { tierLabels } from '../../knowledge/relevance.js';
import { allowedHosts, checkHeaders, guardRequest } from '../guard.js';
import { renderDashboard, renderMessagePage, type DashboardView } from './render.js';
import type { Orchestrator } from '../../orchestrator/port.js';
import { handleWorkItem, type WorkItemPageDeps } from './work-item.js';
import { loadCiHealth } from '../../knowledge/flake-decisions.js';
import type { FlakePolicy } from '../../knowledge/flakes.js';
import { csrfToken, issueToken, parseCookies, safeNext, sessionCookie, verifyCsrf, verifyToken } from './session.js';

export interface DashboardDeps {
  db: Database;
  knowledge: KnowledgeStore;
  /** HMAC key for login links, sessions and CSRF tokens; at least 32 characters (e.g. SITROOM_DASHBOARD_SECRET). */
  secret: string;
  /**
   * Developer id → display name, from the role files. A function is asked on every request, so a person
   * removed from the roster loses a session they already hold.
   */
  displayNames: ReadonlyMap<string, string> | (() => ReadonlyMap<string, string>);
  /** Set when the dashboard is served over https, so the session cookie is marked Secure. */
  secureCookies?: boolean;
  /** Host names a browser may address the dashboard by (allowedHosts in src/http/guard.ts); loopback by default. */
  hosts?: ReadonlySet<string>;
  /** Live work item state and plan control for the work item pages; without it those pages answer 404. */
  orchestrator?: Orchestrator;
  /** Called after a work item decision taken here: updates its Slack prompts in place (src/slack/delivery/redraw.ts). */
  afterDecision?: WorkItemPageDeps['afterDecision'];
  sessionTtlMs?: number;
  now?: () => Date;
  /** team.yaml's ci.flake_handling, read per request so a config reload applies; the schema's defaults without it. */
  flakePolicy?: () => FlakePolicy;
}

const defaultFlakePolicy: FlakePolicy = { window_runs: 30, min_failure_rate: 0.05, max_retries: 2, known_signatures: [] };

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const maxProposalId = 2_147_483_647;
/**
 * The page a signed-out visitor asked for (a Slack "Open", "Details" or "Evidence" link opened before signing
 * in), kept for a few minutes so the sign-in link from "Open dashboard" lands there instead of on /dashboard.
 */
const returnCookie = 'sitroom_return';
const returnTtlSeconds = 15 * 60;
/** A review form is a decision, a note of up to 2,000 characters and a token. */
const formBodyLimitBytes = 64_000;

const securityHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // No scripts at all; inline styles only; forms may post only to ourselves; never framed.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function send(res: ServerResponse, status: number, html: string, extra: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...securityHeaders, ...extra });
  res.end(html);
}

export function createDashboardHandler(deps: DashboardDeps): Handler {
  if (deps.secret.length < 32) throw new Error('the dashboard secret must be at least 32 characters');
  const now = deps.now ?? (() => new Date());
  const calibration = new CalibrationStore(deps.db);
  const ttl = deps.sessionTtlMs ?? 12 * 3_600_000;
  const browser = { hosts: deps.hosts ?? allowedHosts('127.0.0.1') };

  const roster = (): ReadonlyMap<string, string> => (typeof deps.displayNames === 'function' ? deps.displayNames() : deps.displayNames);
  const sessionOf = (req: IncomingMessage): { developer: string; token: string } | undefined => {
    const token = parseCookies(req.headers.cookie).get(sessionCookie);
    const developer = verifyToken(deps.secret, token, 'session', now());
    // A signed session outlives a roster change; the roster decides on every request.
    return developer && token && roster().has(developer) ? { developer, token } : undefined;
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard.local');
    if (url.pathname !== '/dashboard' && !url.pathname.startsWith('/dashboard/')) return false;
    // The request guard every HTTP surface shares: a host we answer for, no cross-site call, a small body.
    checkHeaders(req, { maxBodyBytes: formBodyLimitBytes, browser });

    if (url.pathname === '/dashboard/login' && req.method === 'GET') {
      const developer = verifyToken(deps.secret, url.searchParams.get('token') ?? undefined, 'login', now());
      if (!developer || !roster().has(developer)) {
        send(res, 401, renderMessagePage('Link expired', 'This dashboard link is invalid or has expired. Ask Situation Room in Slack for a new one.'));
        return true;
      }
      const session = issueToken(deps.secret, developer, new Date(now().getTime() + ttl), 'session');
      const cookie = `${sessionCookie}=${encodeURIComponent(session)}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttl / 1000)}${deps.secureCookies ? '; Secure' : ''}`;
      // A link from Slack's "Open dashboard" may name the page to land on (a work item); only dashboard paths.
      // When it names none but the dashboard itself, the page this browser asked for before signing in.
      const named = safeNext(url.searchParams.get('next'));
      const remembered = safeNext(parseCookies(req.headers.cookie).get(returnCookie));
      const landing = (named && named !== '/dashboard' ? named : (remembered ?? named)) ?? '/dashboard';
      res.writeHead(303, {
        location: landing,
        'set-cookie': [cookie, `${returnCookie}=; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=0`],
        'cache-control': 'no-store',
      });
      res.end();
      return true;
    }

    const session = sessionOf(req);
    if (!session) {
      // Lax, not Strict: the sign-in link is opened from Slack, a navigation from another site.
      const remember: Record<string, string> =
        req.method === 'GET' && safeNext(url.pathname)
          ? {
              'set-cookie': `${returnCookie}=${encodeURIComponent(url.pathname)}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=${returnTtlSeconds}${deps.secureCookies ? '; Secure' : ''}`,
            }
          : {};
      send(
        res,
        401,
        renderMessagePage(
          'Sign in from Slack',
          'This browser is not signed in to the dashboard. In your direct messages with Situation Room, tap Open dashboard under one of its answers (ask it anything if there is none yet): the sign-in link it sends only you opens this page.',
        ),
        remember,
      );
      return true;
    }

    if (deps.orchestrator) {
      const orchestrator = deps.orchestrator;
      const names = roster();
      const handled = await handleWorkItem(
        {
          db: deps.db,
          orchestrator,
          isCurator: (id) => deps.knowledge.isCurator(id),
          name: (id) => names.get(id) ?? id,
          ...(deps.afterDecision ? { afterDecision: deps.afterDecision } : {}),
          readForm: async (request) =>
            new URLSearchParams(
              (await guardRequest(request, { maxBodyBytes: formBodyLimitBytes, contentTypes: ['application/x-www-form-urlencoded'], browser })).toString(
                'utf8',
              ),
            ),
        },
        req,
        res,
        url,
        { developer: session.developer, csrf: csrfToken(deps.secret, session.token) },
        send,
        // A cross-site form cannot read our token (and the guard already refused a foreign Origin).
        (form) => verifyCsrf(deps.secret, session.token, form.get('csrf') ?? undefined),
      );
      if (handled) return true;
    }

    const review = /^\/dashboard\/proposals\/(\d+)\/review$/.exec(url.pathname);
    if (review && req.method === 'POST') {
      const form = new URLSearchParams(
        (await guardRequest(req, { maxBodyBytes: formBodyLimitBytes, contentTypes: ['application/x-www-form-urlencoded'], browser })).toString('utf8'),
      );
      // A cross-site form cannot read our token (and the guard already refused a foreign Origin).
      if (!verifyCsrf(deps.secret, session.token, form.get('csrf') ?? undefined)) {
        send(res, 403, renderMessagePage('Refused', 'The form token did not match this session. Reload the dashboard and try again.'));
        return true;
      }
      const decision = form.get('decision');
      if (decision !== 'approve' && decision !== 'reject') {
        send(res, 400, renderMessagePage('Bad request', 'decision must be "approve" or "reject".'));
        return true;
      }
      if (!deps.knowledge.isCurator(session.developer)) {
        send(res, 403, renderMessagePage('Not a curator', 'Only the tech lead or a team approver can review knowledge proposals.'));
        return true;
      }
      const id = Number(review[1]);
      // Proposal ids are PostgreSQL integers; a larger number names nothing (and would fail the query).
      if (!Number.isSafeInteger(id) || id < 1 || id > maxProposalId) {
        send(res, 404, renderMessagePage('Not found', 'There is no such knowledge proposal.'));
        return true;
      }
      const note = (form.get('note') ?? '').slice(0, 2000);
      let flash: string;
      try {
        const { proposal, pattern, writeBack } = await deps.knowledge.proposals.reviewProposal(id, session.developer, decision, note);
        await appendDecision(deps.db, {
          idempotencyKey: `dashboard:knowledge-review:${id}`,
          workItemKey: proposal.workItemKey,
          phaseId: null,
          kind: decision === 'approve' ? 'approve-knowledge' : 'reject-knowledge',
          actor: session.developer,
          surface: 'dashboard',
          detail: {
            proposalId: id,
            patternId: proposal.patternId,
            note,
            ...(pattern ? { version: pattern.version } : {}),
            ...(writeBack && 'pr' in writeBack ? { pullRequest: writeBack.pr.url } : {}),
          },
        });
        flash =
          decision === 'approve'
            ? `Approved: "${proposal.draft.title}" is now pattern ${proposal.draft.id} v${pattern?.version ?? ''}.${writeBackNote(writeBack)}`
            : `Rejected: "${proposal.draft.title}".`;
      } catch (err) {
        if (!(err instanceof KnowledgeAccessError)) throw err;
        send(res, 409, renderMessagePage('Not reviewed', err.message));
        return true;
      }
      // Post/redirect/get: a reload does not resubmit; the message travels in the query string.
      res.writeHead(303, { location: `/dashboard?done=${encodeURIComponent(flash)}#review`, 'cache-control': 'no-store' });
      res.end();
      return true;
    }

    if (url.pathname === '/dashboard' && (req.method === 'GET' || req.method === 'HEAD')) {
      const view = await loadView(deps, calibration, session, now());
      const done = url.searchParams.get('done');
      if (done) view.flash = { kind: 'ok', text: done.slice(0, 600) };
      send(res, 200, renderDashboard(view));
      return true;
    }

    send(res, 404, renderMessagePage('Not found', `Nothing at ${url.pathname}.`));
    return true;
  };
}

/** Where the approved entry went back to the repository, as the curator reads it after approving. */
function writeBackNote(writeBack: WriteBackOutcome | undefined): string {
  if (!writeBack) return '';
  switch (writeBack.outcome) {
    case 'opened':
      return ` Proposed to the repository for review: ${writeBack.pr.url} (${writeBack.path}).`;
    case 'exists':
      return ` Its pull request is already open: ${writeBack.pr.url}.`;
    case 'unchanged':
      return ` The repository already holds this version (${writeBack.path}).`;
    case 'failed':
      return ` The pull request to the repository could not be opened yet (${writeBack.error.slice(0, 120)}); the scheduled knowledge scan tries again.`;
  }
}

/**
 * Phase statuses that wait for a person, as the phases table stores them: the work item workflow writes a CI
 * failure or a token budget waiting for the owner into the row's status (storedPhaseStatus).
 */
const pendingPhaseDecision: Partial<Record<string, (p: { phaseId: string; title: string }) => string>> = {
  'awaiting-approval': (p) => `gate of phase ${p.phaseId}: ${p.title}`,
  'awaiting-ci-decision': (p) => `CI failure on phase ${p.phaseId}: ${p.title} — fix and re-push, wait, or skip the test`,
  'awaiting-budget': (p) => `token budget reached on phase ${p.phaseId}: ${p.title} — continue or stop`,
};

async function loadView(
  deps: DashboardDeps,
  calibration: CalibrationStore,
  session: { developer: string; token: string },
  generatedAt: Date,
): Promise<DashboardView> {
  const names = typeof deps.displayNames === 'function' ? deps.displayNames() : deps.displayNames;
  const name = (id: string) => names.get(id) ?? id;
  const items = await activeWorkItems(deps.db);
  const workItems: DashboardView['workItems'] = [];
  const pendingDecisions: DashboardView['pendingDecisions'] = [];
  for (const item of items) {
    const phases = await phasesOf(deps.db, item.key);
    workItems.push({
      key: item.key,
      title: item.title,
      owner: name(item.ownerId),
      status: item.status,
      phases: phases.map((p) => {
        const levels = (p.confidence as { levels?: Array<{ level: string; grade: string }> } | null)?.levels;
        return {
          id: p.phaseId,
          title: p.title,
          status: p.status,
          mode: p.mode,
          prUrl: p.prUrl,
          ...(levels ? { confidence: levels.map((l) => ({ level: l.level, grade: l.grade })) } : {}),
        };
      }),
    });
    if (item.status === 'awaiting-plan-approval')
      pendingDecisions.push({ workItemKey: item.key, what: `approve plan v${item.planVersion}`, owner: name(item.ownerId), since: item.updatedAt });
    for (const p of phases) {
      const what = pendingPhaseDecision[p.status];
      if (what) pendingDecisions.push({ workItemKey: item.key, what: what(p), owner: name(item.ownerId), since: p.updatedAt });
    }
  }

  const experience = await deps.knowledge.experience.listExperience();
  const ciHealth = await loadCiHealth(deps.db, deps.knowledge, deps.flakePolicy?.() ?? defaultFlakePolicy);

  const patterns = await deps.knowledge.patterns.listPatterns('approved');
  const knowledgeFeed = [
    ...patterns.map((p) => ({
      tierLabel: tierLabels[1],
      title: `${p.title} (v${p.version}, reviewed by ${p.reviewer ?? '?'})`,
      source: p.sourcePath ?? `pattern ${p.id}`,
      when: p.updatedAt,
      stale: p.staleRefs.length > 0,
    })),
    ...experience
      .filter((e) => e.kind !== 'ci-test')
      .map((e) => ({
        tierLabel: tierLabels[2],
        title: e.occurrences > 1 ? `${e.title} (${e.occurrences}×)` : e.title,
        source: e.key,
        when: e.lastSeen,
        stale: false,
      })),
  ]
    .sort((a, b) => b.when.getTime() - a.when.getTime())
    .slice(0, 25);

  const queue = await deps.knowledge.proposals.reviewQueue();
  return {
    viewer: { id: session.developer, displayName: name(session.developer), isCurator: deps.knowledge.isCurator(session.developer) },
    csrf: csrfToken(deps.secret, session.token),
    generatedAt,
    workItems,
    pendingDecisions,
    ciHealth,
    knowledgeFeed,
    reviewQueue: queue.map((p) => ({
      id: p.id,
      kind: p.kind,
      title: p.draft.title,
      body: p.draft.body,
      proposer: p.developerId,
      proposerName: name(p.developerId),
      workItemKey: p.workItemKey,
      developerResponse: p.developerResponse,
      files: p.draft.applicability.files,
    })),
    calibration: calibrationTable(await calibration.records()),
  };
}
