// The dashboard's CI health and calibration: each test's state read from the decision the CI watch took on
// it (src/knowledge/flake-decisions.ts) with that decision's inputs, a trend over its recent runs drawn as
// a small inline SVG on the server, and the confidence calibration as promised-against-observed bars.
// Laid out as stacked rows, not wide tables, so nothing is cut off on a 390 px phone.
import { levelCalibration, gradePromise, type CalibrationRow } from '../../confidence/calibration.js';
import { describeInputs, type CiHealthView, type TrendPoint } from '../../knowledge/flake-decisions.js';
import { escapeHtml as esc } from '../html.js';

const trendColour: Record<TrendPoint, string> = { pass: '#2f8f4e', flake: '#d9a400', fail: '#c4302b' };
const trendWord: Record<TrendPoint, string> = { pass: 'passed', flake: 'passed on retry', fail: 'failed' };

/** One bar per commit, oldest left; taller for a failure, so the eye finds them. Labelled for screen readers. */
export function trendSvg(trend: readonly TrendPoint[]): string {
  if (trend.length === 0) return '';
  const w = 6;
  const gap = 2;
  const width = trend.length * (w + gap);
  const counts = (p: TrendPoint) => trend.filter((t) => t === p).length;
  const label = `last ${trend.length} runs: ${counts('pass')} passed, ${counts('flake')} passed on retry, ${counts('fail')} failed`;
  const bars = trend
    .map((t, i) => {
      const h = t === 'pass' ? 8 : t === 'flake' ? 13 : 18;
      return `<rect x="${i * (w + gap)}" y="${18 - h}" width="${w}" height="${h}" rx="1" fill="${trendColour[t]}"><title>${trendWord[t]}</title></rect>`;
    })
    .join('');
  return `<svg class="trend" role="img" aria-label="${esc(label)}" width="${width}" height="18" viewBox="0 0 ${width} 18">${bars}</svg>`;
}

export function ciHealthSection(v: CiHealthView): string {
  const h = v.history;
  const importLine = !h
    ? '<p class="meta">No Sippy history imported: decisions use the runs watched here.</p>'
    : h.ok
      ? `<p class="meta">Sippy history: release ${esc(h.release)}, ${h.tests} tests, imported ${esc(h.at.toISOString().slice(0, 16).replace('T', ' '))} UTC.</p>`
      : `<p class="meta stale" role="status">Sippy import failed ${esc(h.at.toISOString().slice(0, 16).replace('T', ' '))} UTC: ${esc(h.error ?? 'unknown error')}. Decisions fall back to the runs watched here.</p>`;
  if (v.tests.length === 0) return `${importLine}<p class="empty">No CI results recorded yet.</p>`;
  const rows = v.tests
    .map(
      (
        t,
      ) => `<li class="ci-test" data-test="${esc(t.test)}"><div class="ci-head"><span class="chip s-${t.state}">${t.state}</span> <span class="ci-name">${esc(t.test)}</span></div>
<div class="ci-body">${trendSvg(t.trend)}<span class="meta">${esc(describeInputs(t))}</span></div>${t.reason ? `<div class="meta">${esc(t.reason)}</div>` : ''}</li>`,
    )
    .join('');
  return `${importLine}<ul class="ci-tests">${rows}</ul>`;
}

/** Per level and grade with a promise: the promised ceiling of fixes against the observed share, as bars. */
export function calibrationChart(rows: readonly CalibrationRow[]): string {
  if (rows.length === 0) return '<p class="empty">No merged changes with recorded confidence yet.</p>';
  const items = rows
    .map((r) => {
      const promise = gradePromise[r.grade];
      const observed = r.fixRate ?? 0;
      const cal = levelCalibration(rows, r.level, r.grade);
      const width = 200;
      const x = (share: number) => Math.round(Math.min(1, share) * width);
      const promiseMark =
        promise === undefined
          ? ''
          : `<line x1="${x(promise)}" y1="0" x2="${x(promise)}" y2="16" stroke="#1d2b3a" stroke-width="2"><title>promised at most ${Math.round(promise * 100)}%</title></line>`;
      const svg = `<svg class="cal" role="img" aria-label="${esc(`${r.level} ${r.grade}: ${Math.round(observed * 100)}% needed a fix${promise === undefined ? ', no promise' : `, promised at most ${Math.round(promise * 100)}%`}`)}" width="${width}" height="16" viewBox="0 0 ${width} 16"><rect x="0" y="3" width="${width}" height="10" fill="#eef0f3"/><rect x="0" y="3" width="${x(observed)}" height="10" fill="${cal.miscalibrated ? '#c4302b' : '#2f8f4e'}"/>${promiseMark}</svg>`;
      const promised = promise === undefined ? 'no promise' : `promised ≤ ${Math.round(promise * 100)}%`;
      const flag = cal.miscalibrated ? ` <strong class="stale">needed fixes more often than promised</strong>` : '';
      return `<li class="cal-row" data-level="${esc(r.level)}" data-grade="${esc(r.grade)}"><div><strong>${esc(r.level)}</strong> <span class="chip s-${esc(r.grade)}">${esc(r.grade)}</span>${flag}</div>
<div class="ci-body">${svg}<span class="meta">${r.neededFix} of ${r.merged} needed a fix (${Math.round(observed * 100)}%) · ${promised}</span></div></li>`;
    })
    .join('');
  return `<ul class="cal-rows">${items}</ul><p class="meta">Bar: share of merged changes that needed a fix (revert, follow-up bug, incident); line: what the grade promises.</p>`;
}

/** Styles for the two sections, appended to the dashboard's sheet. */
export const ciHealthStyles = `
.ci-head{display:flex;gap:6px;align-items:baseline;min-width:0}.ci-name{overflow-wrap:anywhere;word-break:break-word;min-width:0;font-weight:600}
.ci-body{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center;min-width:0}.ci-body .meta{overflow-wrap:anywhere;min-width:0}
svg.trend,svg.cal{flex:none;max-width:100%}
.s-regressed,.s-broken{background:#fde3e3}.s-healthy{background:#e2f5e8}
`;
