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

/** A suite is a module in bench/suites/ whose default export returns its figures. */
export type BenchSuite = () => Promise<BenchFigure[]>;
