// Memory over a run of decisions on one worker: timed decisions with a GC'd snapshot every so many, the
// bytes per decision those snapshots climb by, and how far the heap moves with nothing running at all.
import { performance } from 'node:perf_hooks';
import { memoryAfterGc, type MemorySnapshot } from './temporal.js';

/** Runs the decisions one after another, timing each and taking a GC'd memory snapshot every `snapshotEvery`. */
export async function decisionsWithSnapshots(
  gc: (() => void) | undefined,
  counts: { decisions: number; snapshotEvery: number },
  decide: () => Promise<unknown>,
): Promise<{ times: number[]; snapshots: Array<MemorySnapshot & { after: number }> }> {
  const times: number[] = [];
  const snapshots = [{ after: 0, ...(await memoryAfterGc(gc)) }];
  for (let i = 1; i <= counts.decisions; i++) {
    const t0 = performance.now();
    await decide();
    times.push(performance.now() - t0);
    if (i % counts.snapshotEvery === 0) snapshots.push({ after: i, ...(await memoryAfterGc(gc)) });
  }
  return { times, snapshots };
}

/** Least-squares slope of heapUsed and rss against the number of decisions: bytes per decision. */
export function growthPerDecision(snapshots: Array<MemorySnapshot & { after: number }>): { heap: number; rss: number } {
  const slope = (y: (s: MemorySnapshot) => number) => {
    const n = snapshots.length;
    const mx = snapshots.reduce((a, s) => a + s.after, 0) / n;
    const my = snapshots.reduce((a, s) => a + y(s), 0) / n;
    const num = snapshots.reduce((a, s) => a + (s.after - mx) * (y(s) - my), 0);
    const den = snapshots.reduce((a, s) => a + (s.after - mx) ** 2, 0);
    return num / den;
  };
  return { heap: slope((s) => s.heapUsed), rss: slope((s) => s.rss) };
}

/** How far heapUsed moves between two GC'd snapshots a second apart with nothing running. */
export async function idleJitter(gc: (() => void) | undefined): Promise<number> {
  const a = await memoryAfterGc(gc);
  await new Promise((r) => setTimeout(r, 1_000));
  const b = await memoryAfterGc(gc);
  return b.heapUsed - a.heapUsed;
}
