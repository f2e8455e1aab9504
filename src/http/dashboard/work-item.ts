// One work item's page, where every Slack "Open" and "Details" link lands: its live state from the workflow
// (through the Orchestrator port), its audit trail from the decision log, and the plan controls as forms.
// Each control goes through Orchestrator.decide, as the Slack buttons do, with surface "dashboard"; the form
// carries a one-time id that becomes the decision's idempotency key, so a re-submitted form applies once.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { executionModes } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { decisionsFor, phasesOf } from '../../db/work-items.js';
import type { DecisionRequest, DecisionResult, Orchestrator, WorkItemDetail } from '../../orchestrator/port.js';
import { esc, pageShell, renderMessagePage } from './render.js';

export const workItemPathPattern = /^\/dashboard\/work-items\/([^/]+)$/;
const controlPathPattern = /^\/dashboard\/work-items\/([^/]+)\/decide$/;
/** Work item keys as Jira and `/sitroom plan` write them; anything else names nothing. */
const workItemKeyPattern = /^[A-Za-z][A-Za-z0-9_]*-\d{1,12}$/;
const formIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

export interface WorkItemPageDeps {
  db: Database;
  orchestrator: Orchestrator;
  isCurator(developerId: string): boolean;
  name(developerId: string): string;
  /** Reads a posted form through the dashboard's request guard (size, content type, Origin/Host). */
  readForm(req: IncomingMessage): Promise<URLSearchParams>;
  /** Settles the Slack prompts of a decision taken here (the gate's buttons go); never throws. */
  afterDecision?(request: DecisionRequest, result: DecisionResult): Promise<unknown>;
}

export interface Viewer {
  developer: string;
  csrf: string;
}

type Send = (res: ServerResponse, status: number, html: string) => void;

const modeLabels: Record<string, string> = { 'approval-required': 'approval required', collaborative: 'collaborative', autonomous: 'full auto' };

/** The work item's owner, a curator (tech lead or team approver) or an OWNERS approver of one of its phases. */
async function maySee(deps: WorkItemPageDeps, item: WorkItemDetail, developer: string): Promise<boolean> {
  if (item.ownerId === developer || deps.isCurator(developer)) return true;
  return (await phasesOf(deps.db, item.key)).some((p) => p.approvers?.includes(developer));
}

function keyFrom(path: string, pattern: RegExp): string | undefined {
  const match = pattern.exec(path);
  if (!match) return undefined;
  try {
    const key = decodeURIComponent(match[1]!);
    return workItemKeyPattern.test(key) ? key : '';
  } catch {
    return '';
  }
}

/** GET /dashboard/work-items/<KEY> and POST /dashboard/work-items/<KEY>/decide; false for other paths. */
export async function handleWorkItem(
  deps: WorkItemPageDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  viewer: Viewer,
  send: Send,
  csrfOk: (form: URLSearchParams) => boolean,
): Promise<boolean> {
  const pageKey = req.method === 'GET' || req.method === 'HEAD' ? keyFrom(url.pathname, workItemPathPattern) : undefined;
  const controlKey = req.method === 'POST' ? keyFrom(url.pathname, controlPathPattern) : undefined;
  const key = pageKey ?? controlKey;
  if (key === undefined) return false;
  const item = key ? await deps.orchestrator.workItem?.(key) : undefined;
  if (!item) {
    send(res, 404, renderMessagePage('No such work item', `There is no work item ${key || 'with that key'}.`));
    return true;
  }
  if (!(await maySee(deps, item, viewer.developer))) {
    send(
      res,
      403,
      renderMessagePage(
        'Not yours to see',
        `${item.key} belongs to ${deps.name(item.ownerId)}; only its owner, the team's approvers and the OWNERS approvers of its phases can open it.`,
      ),
    );
    return true;
  }

  if (controlKey !== undefined) {
    const form = await deps.readForm(req);
    if (!csrfOk(form)) {
      send(res, 403, renderMessagePage('Refused', 'The form token did not match this session. Reload the page and try again.'));
      return true;
    }
    const request = requestFrom(form, item, viewer.developer);
    if (typeof request === 'string') {
      send(res, 400, renderMessagePage('Bad request', request));
      return true;
    }
    const result = await deps.orchestrator.decide(request);
    // The gate in Slack says it was decided here before the page reloads, so no stale button invites a second tap.
    if (result.outcome === 'applied') await deps.afterDecision?.(request, result);
    const flash =
      result.outcome === 'refused' ? `Not applied: ${result.reason}` : result.outcome === 'duplicate' ? 'Already applied.' : `Done: ${result.summary}.`;
    // Post/redirect/get: a reload does not resubmit; the message travels in the query string.
    res.writeHead(303, {
      location: `/dashboard/work-items/${encodeURIComponent(item.key)}?done=${encodeURIComponent(flash.slice(0, 300))}`,
      'cache-control': 'no-store',
    });
    res.end();
    return true;
  }

  const audit = await decisionsFor(deps.db, item.key);
  const done = url.searchParams.get('done');
  send(
    res,
    200,
    renderWorkItemPage({ item, viewer, name: deps.name, audit, formId: randomBytes(12).toString('base64url'), ...(done ? { flash: done.slice(0, 300) } : {}) }),
  );
  return true;
}

/** The decision a control form asks for, or why it is not one. */
function requestFrom(form: URLSearchParams, item: WorkItemDetail, actor: string): DecisionRequest | string {
  const formId = form.get('form') ?? '';
  if (!formIdPattern.test(formId)) return 'The form has no valid one-time id; reload the page.';
  const action = form.get('action') ?? '';
  const phaseId = form.get('phase') ?? undefined;
  if (phaseId !== undefined && !item.phases.some((p) => p.id === phaseId)) return `${item.key} has no phase "${phaseId}".`;
  // The key names the person and the form: one rendered form applies once, whoever re-submits it.
  const base = {
    workItemKey: item.key,
    actor,
    surface: 'dashboard' as const,
    idempotencyKey: `dashboard:${actor}:${formId}:${action}${phaseId ? `:${phaseId}` : ''}`,
  };
  const reason = (form.get('reason') ?? '').trim().slice(0, 2000);
  switch (action) {
    case 'pause':
    case 'resume':
      return { ...base, kind: action };
    case 'cancel':
      if (!reason) return 'Say why the work item is cancelled.';
      return { ...base, kind: 'cancel', reason };
    case 'set-mode': {
      const mode = form.get('mode') ?? '';
      if (!phaseId) return 'A mode change names its phase.';
      if (!(executionModes as readonly string[]).includes(mode)) return `mode must be one of ${executionModes.join(', ')}.`;
      return { ...base, kind: 'set-mode', phaseId, mode: mode as DecisionRequest['mode'] & string };
    }
    case 'approve':
      return phaseId ? { ...base, kind: 'approve-phase', phaseId } : { ...base, kind: 'approve-plan' };
    case 'reject':
      if (!reason) return 'Say why it is rejected.';
      return { ...base, kind: 'reject-phase', reason, ...(phaseId ? { phaseId } : {}) };
    default:
      return 'action must be pause, resume, cancel, set-mode, approve or reject.';
  }
}

interface PageView {
  item: WorkItemDetail;
  viewer: Viewer;
  name(developerId: string): string;
  audit: Array<{ kind: string; actor: string; surface: string; phaseId: string | null; decidedAt: Date; detail: unknown }>;
  formId: string;
  flash?: string;
}

const ciStates: Record<string, string> = {
  ci: 'running',
  'awaiting-ci-decision': 'failed — waiting for a decision',
  'ready-to-merge': 'green',
  merged: 'green',
};
const when = (d: Date | string) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '');
const chip = (text: string) => `<span class="chip s-${esc(text.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}">${esc(text)}</span>`;

function control(v: PageView, action: string, label: string, extra: { phase?: string; mode?: string; reason?: boolean; cls?: string } = {}): string {
  return `<form class="review" method="post" action="/dashboard/work-items/${esc(encodeURIComponent(v.item.key))}/decide">
<input type="hidden" name="csrf" value="${esc(v.viewer.csrf)}"><input type="hidden" name="form" value="${esc(v.formId)}"><input type="hidden" name="action" value="${esc(action)}">${extra.phase ? `<input type="hidden" name="phase" value="${esc(extra.phase)}">` : ''}${extra.mode ? `<input type="hidden" name="mode" value="${esc(extra.mode)}">` : ''}${extra.reason ? `<input type="text" name="reason" required placeholder="Why?" aria-label="Reason">` : ''}<button class="${esc(extra.cls ?? 'approve')}">${esc(label)}</button></form>`;
}

export function renderWorkItemPage(v: PageView): string {
  const { item } = v;
  const closed = ['cancelled', 'done', 'completed', 'merged'].includes(item.status);
  const failure = item.draftFailure
    ? `<p class="flash error">Drafting the plan failed (${esc(item.draftFailure.attempts)} attempt${item.draftFailure.attempts === 1 ? '' : 's'}): ${esc(item.draftFailure.reason)}</p>`
    : '';
  const controls = closed
    ? ''
    : [
        item.status === 'paused' ? control(v, 'resume', 'Resume') : control(v, 'pause', 'Pause', { cls: 'reject' }),
        control(v, 'cancel', 'Cancel work item', { reason: true, cls: 'reject' }),
      ].join('');
  const planGate = item.pendingDecisions.some((d) => d.kind === 'approve-plan')
    ? `<div>${control(v, 'approve', `Approve plan v${item.planVersion}`)}${control(v, 'reject', 'Reject plan', { reason: true, cls: 'reject' })}</div>`
    : '';

  // The Jira story each phase delivers, when the plan was drawn from an epic (src/plan/stories.ts).
  const storyOf = new Map((item.plan?.phases ?? []).flatMap((p) => (p.story ? [[p.id, p.story] as const] : [])));
  const phases = item.phases
    .map((p) => {
      const gateOpen = item.pendingDecisions.some((d) => d.kind === 'approve-phase' && d.phaseId === p.id);
      const modes = closed
        ? ''
        : executionModes
            .filter((m) => m !== p.mode)
            .map((m) => control(v, 'set-mode', `Make ${modeLabels[m] ?? m}`, { phase: p.id, mode: m, cls: 'reject' }))
            .join('');
      const gate = gateOpen
        ? control(v, 'approve', 'Approve phase', { phase: p.id }) + control(v, 'reject', 'Reject phase', { phase: p.id, reason: true, cls: 'reject' })
        : '';
      return `<li id="phase-${esc(p.id)}"><strong>${esc(p.id)}</strong> ${esc(p.title)}<div>${chip(p.status)}${chip(modeLabels[p.mode] ?? p.mode)}</div>
<div class="meta">${storyOf.get(p.id) ? `delivers ${esc(storyOf.get(p.id)!)} · ` : ''}${p.dependsOn.length ? `after ${esc(p.dependsOn.join(', '))}` : 'no dependencies'} · CI ${esc(ciStates[p.status] ?? 'not started')}${p.prUrl ? ` · <a href="${esc(p.prUrl)}" rel="noreferrer">PR</a>` : ''}</div>${gate}${modes}</li>`;
    })
    .join('');
  const pending = item.pendingDecisions.length
    ? `<ul>${item.pendingDecisions.map((d) => `<li>${esc(d.title)}${d.since ? `<div class="meta">since ${esc(when(d.since))}</div>` : ''}</li>`).join('')}</ul>`
    : '<p class="empty">Nothing is waiting for a person.</p>';
  const audit = v.audit.length
    ? `<ol class="audit">${v.audit
        .map((d) => {
          const summary = (d.detail as { summary?: unknown } | null)?.summary;
          return `<li><strong>${esc(v.name(d.actor))}</strong> ${esc(summary ?? d.kind)}<div class="meta">${esc(d.kind)}${d.phaseId ? ` · ${esc(d.phaseId)}` : ''} · via ${esc(d.surface)} · ${esc(when(d.decidedAt))}</div></li>`;
        })
        .join('')}</ol>`
    : '<p class="empty">No decisions yet.</p>';

  const body = `${v.flash ? `<div class="flash ok" role="status">${esc(v.flash)}</div>` : ''}
<main><section class="wide"><h2>${esc(item.key)} · ${esc(item.title)}</h2><div>${chip(item.status)}${item.statusBeforePause ? `<span class="meta">(was ${esc(item.statusBeforePause)})</span>` : ''}</div>
<div class="meta">owner ${esc(v.name(item.ownerId))} · plan v${esc(item.planVersion)}</div>${failure}${planGate}${controls}</section>
<section class="wide" id="plan"><h2>Plan v${esc(item.planVersion)} (${item.phases.length} phases)</h2>${item.phases.length ? `<ul>${phases}</ul>` : '<p class="empty">No plan yet.</p>'}</section>
<section id="pending"><h2>Pending decisions (${item.pendingDecisions.length})</h2>${pending}</section>
<section id="audit"><h2>Audit trail</h2>${audit}</section></main>`;
  return pageShell(`${item.key} · Situation Room`, `<a href="/dashboard" style="color:#fff">Situation Room</a>`, `${v.name(v.viewer.developer)}`, body);
}
