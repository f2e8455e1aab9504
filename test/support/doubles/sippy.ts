// A loopback Sippy serving /api/tests the way Sippy does: a JSON array of test rows for ?release=, narrowed
// by the data-grid ?filter= (name equals/contains, variants has entry). Faults can be queued to exercise
// the client's error paths: a 500, a body that is not JSON, a 429 with Retry-After.
import type { SippyTest } from '../../../src/integrations/sippy.js';
import { startLoopback, type FakeResponse, type LoopbackServer } from './http.js';

export type FakeSippyFault = { kind: 'status'; status: number } | { kind: 'malformed' } | { kind: 'rate-limit'; retryAfter: string };

export interface FakeSippy extends LoopbackServer {
  requests: Array<{ release: string | null; filter: string | null }>;
  faults: FakeSippyFault[];
}

export function sippyRow(name: string, variants: string[], runs: number, failures: number, flakes: number): SippyTest & Record<string, unknown> {
  const successes = runs - failures - flakes;
  const pct = (n: number) => (runs === 0 ? 0 : (100 * n) / runs);
  return {
    name,
    suite_name: '',
    variants,
    jira_component: 'HyperShift',
    current_runs: runs,
    current_successes: successes,
    current_failures: failures,
    current_flakes: flakes,
    current_pass_percentage: pct(successes + flakes),
    current_failure_percentage: pct(failures),
    current_flake_percentage: pct(flakes),
    current_working_percentage: pct(successes + flakes),
    previous_runs: runs,
    previous_successes: successes,
    previous_failures: failures,
    previous_flakes: flakes,
    previous_pass_percentage: pct(successes + flakes),
    previous_failure_percentage: pct(failures),
    previous_flake_percentage: pct(flakes),
    previous_working_percentage: pct(successes + flakes),
    net_failure_improvement: 0,
    net_flake_improvement: 0,
    net_working_improvement: 0,
    net_improvement: 0,
  };
}

interface FilterItem {
  columnField: string;
  operatorValue: string;
  value: string;
  not?: boolean;
}

function matches(row: SippyTest, item: FilterItem): boolean {
  const field = (row as unknown as Record<string, unknown>)[item.columnField];
  let hit: boolean;
  if (Array.isArray(field)) {
    hit = item.operatorValue === 'has entry containing' ? field.some((v) => String(v).includes(item.value)) : field.includes(item.value);
  } else {
    const s = String(field ?? '');
    hit = item.operatorValue === 'equals' ? s === item.value : item.operatorValue === 'starts with' ? s.startsWith(item.value) : s.includes(item.value);
  }
  return item.not ? !hit : hit;
}

export async function startFakeSippy(byRelease: Record<string, SippyTest[]>): Promise<FakeSippy> {
  const requests: FakeSippy['requests'] = [];
  const faults: FakeSippyFault[] = [];
  const server = await startLoopback((req): FakeResponse => {
    requests.push({ release: req.query.get('release'), filter: req.query.get('filter') });
    const fault = faults.shift();
    if (fault?.kind === 'status') return { status: fault.status, body: { code: fault.status, message: 'internal error' } };
    if (fault?.kind === 'malformed') return { text: '<html>upstream timed out</html>', headers: { 'content-type': 'application/json' } };
    if (fault?.kind === 'rate-limit') return { status: 429, headers: { 'retry-after': fault.retryAfter }, body: { message: 'too many requests' } };
    if (req.path !== '/api/tests') return { status: 404, body: { code: 404, message: 'not found' } };
    const release = req.query.get('release');
    if (!release) return { status: 400, body: { code: 400, message: 'release is required' } };
    let rows = byRelease[release] ?? [];
    const filter = req.query.get('filter');
    if (filter) {
      let items: FilterItem[];
      try {
        items = (JSON.parse(filter) as { items: FilterItem[] }).items;
      } catch {
        return { status: 400, body: { code: 400, message: 'could not parse filter' } };
      }
      rows = rows.filter((r) => items.every((i) => matches(r, i)));
    }
    return { body: rows };
  });
  return { ...server, requests, faults };
}
