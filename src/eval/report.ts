// The evaluation's outputs: a text table for the terminal, an SVG bar chart drawn here (no chart
// library), and the JSON report.
import { targets, targetsMet, type EvalReport } from './run.js';

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const two = (x: number) => x.toFixed(2);

export function renderTable(report: EvalReport, opts: { maxRows?: number } = {}): string {
  const rows = report.cases.slice(0, opts.maxRows ?? report.cases.length);
  const head = ['PR', 'planned', 'recall', 'prec', 'folder', 'comp', 'platf', 'valid', 'cost $', 'title'];
  const body = rows.map((r) => [
    `#${r.pr}`,
    r.planned ? 'yes' : 'no',
    two(r.score.fileRecall),
    two(r.score.filePrecision),
    two(r.score.folderRecall),
    two(r.score.componentRecall),
    two(r.score.platformRecall),
    two(r.score.validation.score),
    r.costUsd.toFixed(4),
    r.title.length > 60 ? `${r.title.slice(0, 57)}...` : r.title,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const s = report.summary;
  const met = targetsMet(s);
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return [
    line(head),
    ...body.map(line),
    ...(rows.length < report.cases.length ? [`… ${report.cases.length - rows.length} more in the JSON report`] : []),
    '',
    `${report.agent} planner on ${s.cases} merges (${report.since} to ${report.until}):`,
    `  plans       ${s.planned}/${s.cases} = ${pct(s.planRate)}   (target ≥ ${pct(targets.planRate)}: ${mark(met.planRate)})`,
    `  file recall ${two(s.fileRecall)}   (target ≥ ${targets.fileRecall}: ${mark(met.fileRecall)})   precision ${two(s.filePrecision)}`,
    `  folder recall ${two(s.folderRecall)}   (target ≥ ${targets.folderRecall}: ${mark(met.folderRecall)})`,
    `  components ${two(s.componentRecall)}   platforms ${two(s.platformRecall)}   validation ${two(s.validation)}`,
    `  usage ${s.inputTokens} input / ${s.outputTokens} output tokens, cost $${s.costUsd.toFixed(4)}`,
  ].join('\n');
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A horizontal bar per measure, with the target drawn as a tick where one exists. */
export function renderSvg(report: EvalReport): string {
  const s = report.summary;
  const bars: Array<{ label: string; value: number; target?: number }> = [
    { label: 'plans', value: s.planRate, target: targets.planRate },
    { label: 'file recall', value: s.fileRecall, target: targets.fileRecall },
    { label: 'file precision', value: s.filePrecision },
    { label: 'folder recall', value: s.folderRecall, target: targets.folderRecall },
    { label: 'components', value: s.componentRecall },
    { label: 'platforms', value: s.platformRecall },
    { label: 'validation', value: s.validation },
  ];
  const left = 130;
  const width = 420;
  const rowH = 28;
  const top = 40;
  const h = top + bars.length * rowH + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 70}" height="${h}" viewBox="0 0 ${left + width + 70} ${h}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`${report.agent} plans scored against ${s.cases} merges`)}</title>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(`${report.agent} planner, ${s.cases} merges ${report.since} to ${report.until}`)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(0, Math.min(1, b.value)) * width;
    const ok = b.target === undefined || b.value >= b.target;
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeXml(b.label)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${width}" height="18" fill="#eee"/>`,
      `<rect class="bar" data-measure="${escapeXml(b.label)}" x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="18" fill="${ok ? '#3a7d44' : '#c0392b'}"/>`,
      `<text x="${left + width + 6}" y="${y + 16}">${b.value.toFixed(2)}</text>`,
    );
    if (b.target !== undefined) {
      const x = left + b.target * width;
      parts.push(`<line class="target" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y}" y2="${y + 24}" stroke="#000" stroke-width="2"/>`);
    }
  });
  parts.push(`<text x="${left}" y="${h - 8}" fill="#555">black tick: target; red: below target</text>`, '</svg>');
  return parts.join('\n') + '\n';
}
