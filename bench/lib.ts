// Shared benchmark harness: every figure is reported as a ratio against a baseline measured in the same run,
// so results compare across machines of different speed.
import { performance } from 'node:perf_hooks';

export interface Stats {
  samples: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
}

export interface BenchFigure {
  suite: string;
  name: string;
  baseline: string;
  subject: Stats;
  base: Stats;
  /** subject median / baseline median */
  ratio: number;
  /** optional absolute target on the subject (e.g. "median < 5 ms") and whether it was met */
  target?: string;
  met?: boolean;
  extra?: Record<string, number | string>;
  /** what the median and p99 columns count; ms unless it says otherwise (a memory figure counts KiB) */
  unit?: string;
  /** the same figure measured at several sizes of the work (issue 18 item 7) */
  growth?: Growth;
  /** why the figure has no size axis worth measuring, printed as `growth: n/a (why)` instead of a series */
  growthNotApplicable?: string;
}

export type GrowthClass = 'flat' | 'linear' | 'worse';

export interface Growth {
  /** what the size counts, e.g. "Go files", "developers" */
  unit: string;
  sizes: number[];
  /** the figure's value at each size (ms unless `valueUnit` says otherwise) */
  values: number[];
  valueUnit: string;
  /** log-log slope between the smallest and the largest size: 0 is flat, 1 is linear */
  exponent: number;
  class: GrowthClass;
}

export function summarise(durationsMs: number[]): Stats {
  if (durationsMs.length === 0) throw new Error('summarise: no samples');
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    samples: sorted.length,
    medianMs: at(0.5),
    p99Ms: at(0.99),
    meanMs: sorted.reduce((s, x) => s + x, 0) / sorted.length,
  };
}

/** Runs fn `iterations` times after `warmup` unmeasured runs and returns the per-run durations. */
export async function measure(fn: () => unknown | Promise<unknown>, iterations: number, warmup = Math.min(5, iterations)): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const durations: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await fn();
    durations.push(performance.now() - start);
  }
  return summarise(durations);
}

export function figure(args: Omit<BenchFigure, 'ratio'>): BenchFigure {
  return { ...args, ratio: args.subject.medianMs / Math.max(args.base.medianMs, 1e-6) };
}

/**
 * Classifies how a cost grows from its values at increasing sizes. The exponent is the slope of log(value)
 * against log(size) between the first and the last size; on 2 shared cores a single sample is noisy, so the
 * bands are wide: under 0.3 flat, up to 1.3 linear, above that worse than linear.
 */
export function growthOf(unit: string, sizes: number[], values: number[], valueUnit = 'ms'): Growth {
  if (sizes.length < 2 || sizes.length !== values.length) throw new Error('growthOf: needs at least two sizes, one value each');
  const n0 = sizes[0]!;
  const n1 = sizes[sizes.length - 1]!;
  const v0 = Math.max(values[0]!, 1e-9);
  const v1 = Math.max(values[values.length - 1]!, 1e-9);
  const exponent = n1 === n0 ? 0 : Math.log(v1 / v0) / Math.log(n1 / n0);
  const cls: GrowthClass = exponent < 0.3 ? 'flat' : exponent <= 1.3 ? 'linear' : 'worse';
  return { unit, sizes, values, valueUnit, exponent, class: cls };
}

export function describeGrowth(g: Growth): string {
  const pairs = g.sizes.map((n, i) => `${n}: ${formatValue(g.values[i]!)}`).join(', ');
  return `growth ${g.class} (exponent ${g.exponent.toFixed(2)}; ${g.unit} → ${g.valueUnit}: ${pairs})`;
}

function formatValue(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Options every suite receives from `npm run bench -- --sizes a,b,c`; a suite picks its defaults when absent. */
export interface SuiteOptions {
  sizes?: number[];
}

/** A suite is a module in bench/suites/ whose default export returns its figures. */
export type BenchSuite = (opts?: SuiteOptions) => Promise<BenchFigure[]>;

/** The three sizes a suite measures at: the ones given on the command line, else its defaults. */
export function sizesFor(opts: SuiteOptions | undefined, defaults: number[]): number[] {
  const sizes = opts?.sizes && opts.sizes.length > 0 ? opts.sizes : defaults;
  return [...sizes].sort((a, b) => a - b);
}
