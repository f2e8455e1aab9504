// Server-rendered HTML for the team dashboard. Pure: a view model in, a string out. Every value from the
// database goes through esc(); the page works without JavaScript and lays out as one column on a phone.
import type { CalibrationRow } from '../../confidence/calibration.js';
import { escapeHtml } from '../html.js';
import { calibrationChart, ciHealthSection, ciHealthStyles } from './ci-health.js';
import type { CiHealthView } from '../../knowledge/flake-decisions.js';

/** The product's one HTML escaping function (src/http/html.ts), under the short name the templates use. */
export const esc = escapeHtml;

export interface DashboardView {
  viewer: { id: string; displayName: string; isCurator: boolean };
  csrf: string;
  generatedAt: Date;
  flash?: { kind: 'ok' | 'error'; text: string };
  workItems: Array<{
    key: string;
    title: string;
    owner: string;
    status: string;
    phases: Array<{ id: string; title: string; status: string; mode: string; prUrl: string | null; confidence?: Array<{ level: string; grade: string }> }>;
  }>;
  pendingDecisions: Array<{ workItemKey: string; what: string; owner: string; since?: Date }>;
  /** Each test's state from the decision the CI watch took on it, with its inputs and trend (ci-health.ts). */
  ciHealth: CiHealthView;
  knowledgeFeed: Array<{ tierLabel: string; title: string; source: string; when: Date; stale: boolean }>;
  reviewQueue: Array<{
    id: number;
    kind: string;
    title: string;
    body: string;
    proposer: string;
    proposerName: string;
    workItemKey: string | null;
    developerResponse: string | null;
    files: string[];
  }>;
  calibration: CalibrationRow[];
}

const when = (d: Date | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '');

const styles = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1f24;background:#f4f5f7}
header{background:#1d2b3a;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:baseline;gap:8px;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header small{opacity:.8}
nav{display:flex;gap:6px;overflow-x:auto;padding:8px 12px;background:#fff;border-bottom:1px solid #dde1e6;position:sticky;top:0}
nav a{white-space:nowrap;text-decoration:none;color:#1d4f91;padding:6px 10px;border-radius:14px;background:#eef3fb;font-size:14px}
main{max-width:1100px;margin:0 auto;padding:12px;display:grid;gap:12px;grid-template-columns:1fr}
@media(min-width:900px){main{grid-template-columns:1fr 1fr}section.wide{grid-column:1/-1}}
section{background:#fff;border:1px solid #dde1e6;border-radius:10px;padding:12px 14px;min-width:0}
h2{font-size:16px;margin:0 0 8px}ul{list-style:none;margin:0;padding:0}li{padding:8px 0;border-top:1px solid #eef0f3}li:first-child{border-top:0}
.chip{display:inline-block;font-size:12px;padding:2px 8px;border-radius:10px;background:#eef0f3;margin:2px 4px 2px 0}
.s-awaiting-approval,.s-awaiting-plan-approval,.s-awaiting-ci-decision,.s-awaiting-budget,.s-flaky,.s-medium{background:#fff4d6}.s-executing,.s-running,.s-approved,.s-merged,.s-stable,.s-high{background:#e2f5e8}
.s-failed,.s-blocked,.s-failing,.s-rejected,.s-low{background:#fde3e3}.stale{color:#a33;font-weight:600}
.meta{color:#5b6470;font-size:13px}.empty{color:#5b6470;font-style:italic}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-top:1px solid #eef0f3;white-space:nowrap}th{color:#5b6470;font-weight:600}
form.review{display:flex;gap:8px;flex-wrap:wrap;margin-top:8px}form.review input[type=text]{flex:1 1 160px;min-width:0;padding:8px;border:1px solid #c9ced6;border-radius:6px;font-size:15px}
button{font-size:15px;padding:9px 14px;border-radius:6px;border:0;cursor:pointer;min-height:40px}button.approve{background:#1f7a3d;color:#fff}button.reject{background:#fff;color:#a33;border:1px solid #a33}
.flash{padding:10px 12px;border-radius:8px;margin:12px 12px 0}.flash.ok{background:#e2f5e8}.flash.error{background:#fde3e3}
details summary{cursor:pointer;color:#1d4f91}pre{white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;background:#f6f8fa;padding:8px;border-radius:6px;margin:6px 0}
${ciHealthStyles}`;

function chip(text: string, cls = text): string {
  return `<span class="chip s-${esc(cls.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}">${esc(text)}</span>`;
}

function empty(text: string): string {
  return `<p class="empty">${esc(text)}</p>`;
}

function workItemsSection(v: DashboardView): string {
  if (v.workItems.length === 0) return empty('No active work items.');
  return `<ul>${v.workItems
    .map(
      (w) => `<li><strong>${esc(w.key)}</strong> ${esc(w.title)} ${chip(w.status)}<div class="meta">owner ${esc(w.owner)}</div>
<div>${w.phases
        .map((p) => {
          const conf = p.confidence?.map((c) => chip(`${c.level} ${c.grade}`, c.grade)).join('') ?? '';
          const pr = p.prUrl ? ` <a href="${esc(p.prUrl)}" rel="noreferrer">PR</a>` : '';
          return `<div>${chip(p.status)}<span>${esc(p.id)}: ${esc(p.title)}</span> <span class="meta">(${esc(p.mode)})</span>${pr} ${conf}</div>`;
        })
        .join('')}</div></li>`,
    )
    .join('')}</ul>`;
}

function decisionsSection(v: DashboardView): string {
  if (v.pendingDecisions.length === 0) return empty('Nothing is waiting for a person.');
  return `<ul>${v.pendingDecisions.map((d) => `<li><strong>${esc(d.workItemKey)}</strong> ${esc(d.what)}<div class="meta">waiting on ${esc(d.owner)}${d.since ? ` since ${esc(when(d.since))}` : ''}</div></li>`).join('')}</ul>`;
}

function feedSection(v: DashboardView): string {
  if (v.knowledgeFeed.length === 0) return empty('No knowledge entries yet.');
  return `<ul>${v.knowledgeFeed
    .map(
      (k) =>
        `<li>${chip(k.tierLabel, 'tier')}${esc(k.title)}${k.stale ? ' <span class="stale">stale: references missing code</span>' : ''}<div class="meta">${esc(k.source)} · ${esc(when(k.when))}</div></li>`,
    )
    .join('')}</ul>`;
}

function reviewSection(v: DashboardView): string {
  if (v.reviewQueue.length === 0) return empty('The review queue is empty.');
  return `<ul>${v.reviewQueue
    .map((p) => {
      const form =
        v.viewer.isCurator && p.proposer !== v.viewer.id
          ? `<form class="review" method="post" action="/dashboard/proposals/${p.id}/review">
<input type="hidden" name="csrf" value="${esc(v.csrf)}"><input type="text" name="note" placeholder="Note (optional)" aria-label="Review note">
<button class="approve" name="decision" value="approve">Approve</button><button class="reject" name="decision" value="reject">Reject</button></form>`
          : `<div class="meta">${v.viewer.isCurator ? 'You proposed this; another curator reviews it.' : 'Only a curator (tech lead or team approver) can review.'}</div>`;
      const origin =
        p.kind === 'new-pattern'
          ? `from ${p.workItemKey ?? 'a work item'}, developer said "${p.developerResponse === 'edit' ? 'edit first' : (p.developerResponse ?? '')}"`
          : p.kind;
      return `<li><strong>${esc(p.title)}</strong> ${chip(p.kind)}<div class="meta">proposed by ${esc(p.proposerName)} · ${esc(origin)}${p.files.length ? ` · ${esc(p.files.join(', '))}` : ''}</div>
<details><summary>Read the entry</summary><pre>${esc(p.body)}</pre></details>${form}</li>`;
    })
    .join('')}</ul>`;
}

export function renderDashboard(v: DashboardView): string {
  const sections: Array<[string, string, string, boolean]> = [
    ['work', 'Active work', workItemsSection(v), true],
    ['decisions', `Pending decisions (${v.pendingDecisions.length})`, decisionsSection(v), false],
    ['review', `Review queue (${v.reviewQueue.length})`, reviewSection(v), false],
    ['ci', 'CI health', ciHealthSection(v.ciHealth), true],
    ['knowledge', 'Knowledge feed', feedSection(v), false],
    ['calibration', 'Confidence calibration', calibrationChart(v.calibration), false],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Situation Room · dashboard</title><style>${styles}</style></head>
<body><header><h1>Situation Room</h1><small>${esc(v.viewer.displayName)} · ${esc(when(v.generatedAt))}</small></header>
<nav>${sections.map(([id, title]) => `<a href="#${id}">${esc(title)}</a>`).join('')}</nav>
${v.flash ? `<div class="flash ${v.flash.kind}" role="status">${esc(v.flash.text)}</div>` : ''}
<main>${sections.map(([id, title, html, wide]) => `<section id="${id}"${wide ? ' class="wide"' : ''}><h2>${esc(title)}</h2>${html}</section>`).join('\n')}</main>
</body></html>`;
}

export function renderMessagePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${styles}</style></head>
<body><header><h1>Situation Room</h1></header><main><section><h2>${esc(title)}</h2><p>${esc(text)}</p></section></main></body></html>`;
}

/** A page in the dashboard's frame; `headingHtml` and `bodyHtml` are already escaped by the caller. */
export function pageShell(title: string, headingHtml: string, viewerName: string, bodyHtml: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${styles}</style></head>
<body><header><h1>${headingHtml}</h1><small>${esc(viewerName)}</small></header>${bodyHtml}</body></html>`;
}
