// `npm run bench [suite...]`: runs every suite in bench/suites (or the named ones), prints a table of ratios
// against each suite's baseline and writes bench/results/latest.json, keeping the figures of suites not run
// this time (a partial run updates only its own suites).
import { existsSync, readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchSuite } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suiteFiles = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();

const all: BenchFigure[] = [];
for (const file of suiteFiles) {
  const mod = (await import(pathToFileURL(join(here, 'suites', file)).href)) as { default: BenchSuite };
  process.stderr.write(`bench: running ${file}\n`);
  const figures = await mod.default();
  for (const f of figures) {
    all.push(f);
    const met = f.met === undefined ? '' : f.met ? '  target met' : '  TARGET MISSED';
    console.log(
      `${f.suite.padEnd(10)} ${f.name.padEnd(44)} median ${f.subject.medianMs.toFixed(3)} ms  p99 ${f.subject.p99Ms.toFixed(3)} ms  ` +
        `ratio ${f.ratio.toFixed(2)} vs ${f.baseline}${f.target ? `  (${f.target})` : ''}${met}`,
    );
  }
}
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
const latest = join(out, 'latest.json');
const ran = new Set(all.map((f) => f.suite));
const earlier = existsSync(latest) ? ((JSON.parse(readFileSync(latest, 'utf8')) as { figures?: BenchFigure[] }).figures ?? []) : [];
const kept = earlier.filter((f) => !ran.has(f.suite));
writeFileSync(latest, JSON.stringify({ at: new Date().toISOString(), node: process.version, figures: [...kept, ...all] }, null, 2) + '\n');
console.log(`bench: ${all.length} figures written to bench/results/latest.json${kept.length ? ` (${kept.length} earlier figures of other suites kept)` : ''}`);
