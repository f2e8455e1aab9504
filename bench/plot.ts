// Draws one SVG per suite from the figures that carry a growth series: one small panel per figure, the value
// against the size on log-log axes (a straight line's slope is the growth exponent), with a dashed line of
// slope 1 through the first point so linear growth is visible at a glance. A figure without a size axis gets
// a panel of its two medians (subject against baseline) and the reason it has no growth series, so every
// suite has its plot. Plain SVG text, no dependencies.
import type { BenchFigure } from './lib.js';

const PANEL_W = 320;
const PANEL_H = 220;
const PAD = { left: 58, right: 14, top: 34, bottom: 40 };
const COLUMNS = 2;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function short(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)}k`;
  if (v >= 10) return v.toFixed(0);
  if (v >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}

function panel(f: BenchFigure, x0: number, y0: number): string {
  const g = f.growth!;
  const lx = g.sizes.map((n) => Math.log10(Math.max(n, 1e-9)));
  const ly = g.values.map((v) => Math.log10(Math.max(v, 1e-9)));
  const slope1 = ly.map((_, i) => ly[0]! + (lx[i]! - lx[0]!)); // the linear reference through the first point
  const xMin = Math.min(...lx);
  const xMax = Math.max(...lx);
  const yMin = Math.min(...ly, ...slope1);
  const yMax = Math.max(...ly, ...slope1);
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const sx = (v: number) => x0 + PAD.left + (xMax === xMin ? w / 2 : ((v - xMin) / (xMax - xMin)) * w);
  const sy = (v: number) => y0 + PAD.top + h - (yMax === yMin ? h / 2 : ((v - yMin) / (yMax - yMin)) * h);
  const line = (ys: number[]) => ys.map((y, i) => `${sx(lx[i]!).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  parts.push(`<rect x="${x0 + PAD.left}" y="${y0 + PAD.top}" width="${w}" height="${h}" fill="none" stroke="#bbb"/>`);
  parts.push(`<text x="${x0 + 8}" y="${y0 + 14}" font-size="11" font-weight="bold">${escapeXml(f.name.slice(0, 52))}</text>`);
  parts.push(`<text x="${x0 + 8}" y="${y0 + 27}" font-size="10" fill="#555">${escapeXml(`${g.class}, exponent ${g.exponent.toFixed(2)}`)}</text>`);
  parts.push(`<polyline points="${line(slope1)}" fill="none" stroke="#999" stroke-dasharray="4 3"/>`);
  parts.push(`<polyline points="${line(ly)}" fill="none" stroke="#1f6feb" stroke-width="2"/>`);
  g.sizes.forEach((n, i) => {
    const cx = sx(lx[i]!);
    const cy = sy(ly[i]!);
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="3" fill="#1f6feb"/>`);
    parts.push(`<text x="${(cx + 4).toFixed(1)}" y="${(cy - 5).toFixed(1)}" font-size="9">${escapeXml(short(g.values[i]!))}</text>`);
    parts.push(`<text x="${cx.toFixed(1)}" y="${y0 + PAD.top + h + 13}" font-size="9" text-anchor="middle">${escapeXml(short(n))}</text>`);
  });
  parts.push(`<text x="${x0 + PAD.left + w / 2}" y="${y0 + PANEL_H - 8}" font-size="10" text-anchor="middle">${escapeXml(g.unit)} (log)</text>`);
  parts.push(
    `<text x="${x0 + 12}" y="${y0 + PAD.top + h / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 ${x0 + 12} ${y0 + PAD.top + h / 2})">${escapeXml(g.valueUnit)} (log)</text>`,
  );
  return parts.join('\n');
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A figure with no growth series: its subject and baseline medians as two bars on a linear axis. */
function ratioPanel(f: BenchFigure, x0: number, y0: number): string {
  const w = PANEL_W - PAD.left - PAD.right;
  const bars: [string, number][] = [
    ['subject', f.subject.medianMs],
    ['baseline', f.base.medianMs],
  ];
  const max = Math.max(...bars.map(([, v]) => v), 1e-9);
  const parts: string[] = [];
  parts.push(`<text x="${x0 + 8}" y="${y0 + 14}" font-size="11" font-weight="bold">${escapeXml(f.name.slice(0, 52))}</text>`);
  const verdict = f.met === undefined ? '' : f.met ? ', target met' : ', target missed';
  parts.push(`<text x="${x0 + 8}" y="${y0 + 27}" font-size="10" fill="#555">${escapeXml(`ratio ${f.ratio.toFixed(2)} (medians)${verdict}`)}</text>`);
  bars.forEach(([label, v], i) => {
    const y = y0 + PAD.top + 6 + i * 30;
    parts.push(`<text x="${x0 + PAD.left - 4}" y="${y + 13}" font-size="9" text-anchor="end">${label}</text>`);
    parts.push(
      `<rect x="${x0 + PAD.left}" y="${y}" width="${Math.max(1, (v / max) * (w - 40)).toFixed(1)}" height="18" fill="${i === 0 ? '#1f6feb' : '#999'}"/>`,
    );
    parts.push(
      `<text x="${(x0 + PAD.left + Math.max(1, (v / max) * (w - 40)) + 4).toFixed(1)}" y="${y + 13}" font-size="9">${escapeXml(`${short(v)} ms`)}</text>`,
    );
  });
  const why = `growth n/a: ${f.growthNotApplicable ?? 'no size axis measured'}`;
  wrap(why, 56)
    .slice(0, 5)
    .forEach((line, i) => parts.push(`<text x="${x0 + 8}" y="${y0 + PAD.top + 82 + i * 12}" font-size="9" fill="#555">${escapeXml(line)}</text>`));
  return parts.join('\n');
}

/** The SVG of one suite: a panel per figure, or null when the suite has no figure. */
export function suitePlot(suite: string, figures: readonly BenchFigure[]): string | null {
  const own = figures.filter((f) => f.suite === suite);
  if (own.length === 0) return null;
  const rows = Math.ceil(own.length / COLUMNS);
  const width = PANEL_W * COLUMNS;
  const height = PANEL_H * rows + 30;
  const body = own.map((f, i) => (f.growth ? panel : ratioPanel)(f, (i % COLUMNS) * PANEL_W, 30 + Math.floor(i / COLUMNS) * PANEL_H)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="13" font-weight="bold">${escapeXml(`bench suite "${suite}": cost against size (dashed: linear)`)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
