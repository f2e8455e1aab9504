// `npm run bench [suite...] [-- --suite NAME ... --sizes a,b,c]`: runs every suite in bench/suites (or the
// named ones), prints a table of ratios against each suite's baseline, the growth of the figures measured at
// several sizes (or why a figure has none), writes bench/results/latest.json (keeping the figures of suites
// not run this time) and one SVG plot per suite (bench/results/<suite>.svg).
import { existsSync, readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeGrowth, type BenchFigure, type BenchSuite, type SuiteOptions } from './lib.js';
import { suitePlot } from './plot.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: flags, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { suite: { type: 'string', multiple: true }, sizes: { type: 'string' } },
});
const wanted = [...positionals, ...(flags.suite ?? [])];
const options: SuiteOptions = {};
if (flags.sizes !== undefined) {
  const sizes = flags.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error(`bench: --sizes "${flags.sizes}": give at least two positive whole numbers separated by commas, e.g. --sizes 10,100,1000`);
    process.exit(2);
  }
  options.sizes = sizes;
}
const available = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`bench: no suite named ${unknown.join(', ')} (suites: ${available.join(', ')})`);
  process.exit(2);
}
const suiteFiles = available
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .map((name) => `${name}.ts`)
  .sort();

const all: BenchFigure[] = [];
for (const file of suiteFiles) {
  const mod = (await import(pathToFileURL(join(here, 'suites', file)).href)) as { default: BenchSuite };
  process.stderr.write(`bench: running ${file}\n`);
  const figures = await mod.default(options);
  for (const f of figures) {
    all.push(f);
    const met = f.met === undefined ? '' : f.met ? '  target met' : '  TARGET MISSED';
    console.log(
      `${f.suite.padEnd(10)} ${f.name.padEnd(44)} median ${f.subject.medianMs.toFixed(3)} ${f.unit ?? 'ms'}  p99 ${f.subject.p99Ms.toFixed(3)} ${f.unit ?? 'ms'}  ` +
        `ratio ${f.ratio.toFixed(2)} vs ${f.baseline}${f.target ? `  (${f.target})` : ''}${met}`,
    );
    if (f.growth) console.log(`${''.padEnd(10)} ${''.padEnd(44)} ${describeGrowth(f.growth)}`);
    else console.log(`${''.padEnd(10)} ${''.padEnd(44)} growth: n/a (${f.growthNotApplicable ?? 'no size axis measured'})`);
    if (f.extra)
      console.log(
        `${''.padEnd(10)} ${''.padEnd(44)} ${Object.entries(f.extra)
          .map(([k, v]) => `${k}=${v}`)
          .join('  ')}`,
      );
  }
}
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
const latest = join(out, 'latest.json');
const ran = new Set(all.map((f) => f.suite));
const earlier = existsSync(latest) ? ((JSON.parse(readFileSync(latest, 'utf8')) as { figures?: BenchFigure[] }).figures ?? []) : [];
const kept = earlier.filter((f) => !ran.has(f.suite));
for (const suite of ran) {
  const svg = suitePlot(suite, all);
  if (svg) {
    writeFileSync(join(out, `${suite}.svg`), svg);
    console.log(`bench: plot written to bench/results/${suite}.svg`);
  }
}
writeFileSync(latest, JSON.stringify({ at: new Date().toISOString(), node: process.version, figures: [...kept, ...all] }, null, 2) + '\n');
console.log(`bench: ${all.length} figures written to bench/results/latest.json${kept.length ? ` (${kept.length} earlier figures of other suites kept)` : ''}`);
