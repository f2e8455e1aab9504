// Sippy's test report API (OpenShift CI's history of every test per release): GET /api/tests?release=X&filter=…
// returns one row per test with its runs, successes, failures and flakes over the current and previous
// reporting periods. The field names are Sippy's (`Test` in pkg/apis/api/types.go of openshift/sippy);
// the filter is the data-grid filter Sippy's UI sends: {"items":[{"columnField","operatorValue","value"}]}.
import { z } from 'zod';
import type { HistoricalRate } from '../knowledge/flakes.js';

const SippyTest = z.object({
  name: z.string().min(1),
  variants: z.array(z.string()).nullable().optional(),
  current_runs: z.number().int().nonnegative(),
  current_successes: z.number().int().nonnegative(),
  current_failures: z.number().int().nonnegative(),
  current_flakes: z.number().int().nonnegative(),
  current_pass_percentage: z.number(),
  current_flake_percentage: z.number(),
  previous_runs: z.number().int().nonnegative().default(0),
  previous_pass_percentage: z.number().default(0),
  previous_flake_percentage: z.number().default(0),
  net_improvement: z.number().default(0),
});
export type SippyTest = z.output<typeof SippyTest>;

export interface SippyFilterItem {
  columnField: string;
  operatorValue: 'equals' | 'contains' | 'has entry' | 'has entry containing' | 'starts with';
  value: string;
  not?: boolean;
}

/** Sippy answered 429: wait `retryAfterMs` before asking again (Temporal's retry honours it). */
export class SippyRateLimited extends Error {
  override readonly name = 'SippyRateLimited';
  constructor(readonly retryAfterMs: number) {
    super(`Sippy rate limit: retry after ${Math.round(retryAfterMs / 1000)} s`);
  }
}

/** Sippy answered something that is not its test report: retrying the same request will not fix it. */
export class SippyResponseInvalid extends Error {
  override readonly name = 'SippyResponseInvalid';
}

/** A 5xx or a network error: worth retrying. */
export class SippyUnavailable extends Error {
  override readonly name = 'SippyUnavailable';
}

export interface SippyClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function createSippyClient(options: SippyClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    /** The test report of a release, optionally narrowed by Sippy's filter (e.g. to the repository's variants). */
    async tests(args: { release: string; filter?: SippyFilterItem[] }): Promise<SippyTest[]> {
      const url = new URL(`${base}/api/tests`);
      url.searchParams.set('release', args.release);
      if (args.filter && args.filter.length > 0) url.searchParams.set('filter', JSON.stringify({ items: args.filter, linkOperator: 'and' }));
      let res: Response;
      try {
        res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      } catch (err) {
        throw new SippyUnavailable(`Sippy at ${base} unreachable: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (res.status === 429) throw new SippyRateLimited(retryAfterMs(res.headers.get('retry-after')));
      if (res.status >= 500) throw new SippyUnavailable(`Sippy answered ${res.status} for ${url.pathname}`);
      if (!res.ok) throw new SippyResponseInvalid(`Sippy answered ${res.status} for ${url.pathname}?release=${args.release}`);
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new SippyResponseInvalid(`Sippy's /api/tests for release ${args.release} is not JSON (starts "${text.slice(0, 40)}")`);
      }
      const parsed = z.array(SippyTest).safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new SippyResponseInvalid(`Sippy's /api/tests for release ${args.release}: field ${issue.path.join('.')} ${issue.message}`);
      }
      return parsed.data;
    },
  };
}
export type SippyClient = ReturnType<typeof createSippyClient>;

/** Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3); a missing or odd value waits a minute. */
export function retryAfterMs(header: string | null, now: Date = new Date()): number {
  if (!header) return 60_000;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 60_000 : Math.max(0, at - now.getTime());
}

/** Rows of one test over several variants summed into one rate, weighting each by its runs. */
export function historicalRates(rows: readonly SippyTest[]): Map<string, HistoricalRate> {
  const sums = new Map<string, { runs: number; passes: number; flakes: number }>();
  for (const r of rows) {
    const s = sums.get(r.name) ?? { runs: 0, passes: 0, flakes: 0 };
    s.runs += r.current_runs;
    // Sippy counts a flake as a success in the pass percentage; keep that meaning.
    s.passes += (r.current_pass_percentage / 100) * r.current_runs;
    s.flakes += r.current_flakes;
    sums.set(r.name, s);
  }
  const out = new Map<string, HistoricalRate>();
  for (const [name, s] of sums) {
    out.set(name, {
      runs: s.runs,
      passPercentage: s.runs === 0 ? 0 : (100 * s.passes) / s.runs,
      flakePercentage: s.runs === 0 ? 0 : (100 * s.flakes) / s.runs,
    });
  }
  return out;
}
