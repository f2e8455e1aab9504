// What several suites do the same way: open the store the product would use, run work a few at a time, wait
// for something to become visible, and stand in for the ports a measured path must never reach.
import { openStore, type OpenStore } from '../../src/db/client.js';
import { environmentFrom } from '../../src/config/environment.js';

/** PostgreSQL when DATABASE_URL is set (read through the config room), else a fresh in-memory PGlite. */
export function openBenchStore(): Promise<OpenStore> {
  const { url } = environmentFrom(process.env).database;
  return openStore(url ? { url } : { dataDir: 'memory://' });
}

/** Runs `fn` over `items` with at most `width` calls in flight, in order of the items. */
export async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Polls `check` until it holds; how many failed checks came first. Past `withinMs` the bench is broken, not slow. */
export async function waitUntil(what: string, check: () => Promise<boolean>, opts: { withinMs: number; everyMs: number; suite: string }): Promise<number> {
  const deadline = Date.now() + opts.withinMs;
  for (let tries = 0; ; tries++) {
    if (await check()) return tries;
    if (Date.now() > deadline) throw new Error(`${opts.suite} bench: ${what} not reached within ${opts.withinMs} ms`);
    await new Promise((r) => setTimeout(r, opts.everyMs));
  }
}

/** A port the measured path must not reach before plan approval: any call to it fails loudly. */
export function unreachedBeforeApproval<T>(port: string): T {
  return new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)} is not reached before plan approval`)) }) as T;
}
