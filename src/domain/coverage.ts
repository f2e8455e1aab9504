// Coverage: every platform in the matrix is modelled to the same depth. For each platform the model must
// hold each kind of entry that applies to it (propagation hops, a round-trip flow, lifecycle variations,
// failure modes, e2e suites); `model verify` reports every missing cell next to the broken references.
import type { Concept, DomainModel, Platform } from './schema.js';

export type CoverageKind =
  | 'template-concept'
  | 'machine-concept'
  | 'spec-to-template'
  | 'template-to-machine'
  | 'machine-to-capi'
  | 'back-to-nodepool'
  | 'roundtrip-flow'
  | 'lifecycle-variation'
  | 'failure-mode'
  | 'e2e-suite';

interface KindSpec {
  kind: CoverageKind;
  /** automated: only platforms with CAPI machines (a machine template); all: every platform */
  appliesTo: 'automated' | 'all';
  what: string;
}

export const COVERAGE_KINDS: readonly KindSpec[] = [
  { kind: 'template-concept', appliesTo: 'automated', what: 'a concept for its machine template (platform set, owned by the NodePool controller)' },
  { kind: 'machine-concept', appliesTo: 'automated', what: 'a concept for its provider machine (platform set, owned by the provider controllers)' },
  { kind: 'spec-to-template', appliesTo: 'automated', what: 'an edge from nodepool-spec to its machine template' },
  { kind: 'template-to-machine', appliesTo: 'automated', what: 'an edge from its machine template to its provider machine' },
  { kind: 'machine-to-capi', appliesTo: 'automated', what: 'an edge from its provider machine to the CAPI Machine' },
  { kind: 'back-to-nodepool', appliesTo: 'automated', what: 'a chain of edges from its provider machine to nodepool-conditions' },
  { kind: 'roundtrip-flow', appliesTo: 'automated', what: 'a flow from nodepool-spec through its provider machine to nodepool-conditions' },
  { kind: 'lifecycle-variation', appliesTo: 'all', what: 'a lifecycle platformVariation naming it' },
  { kind: 'failure-mode', appliesTo: 'automated', what: 'a failure mode naming it' },
  { kind: 'e2e-suite', appliesTo: 'automated', what: 'an e2e suite listing it' },
];

export interface CoverageCell {
  platform: string;
  kind: CoverageKind;
  /** what satisfies the cell (concept ids, edge "from>to", flow ids, failure-mode ids, suite ids) */
  by: string[];
}

export interface CoverageGap {
  platform: string;
  kind: CoverageKind;
  message: string;
}

export interface CoverageReport {
  platforms: string[];
  kinds: CoverageKind[];
  cells: CoverageCell[];
  gaps: CoverageGap[];
  /** places where HyperShift code reads or writes a provider object itself (edges marked direct) */
  directReads: { platform: string; from: string; to: string; via: string[] }[];
}

function platformConcepts(model: DomainModel, p: Platform): { templates: Concept[]; machines: Concept[] } {
  const own = model.flows.concepts.filter((c) => c.platform === p.id);
  return {
    templates: own.filter((c) => c.component === 'nodepool-controller'),
    machines: own.filter((c) => c.component === 'provider-controllers'),
  };
}

/** Concepts reachable from `from` along edges. */
function reachable(model: DomainModel, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of model.flows.edges) {
      if (e.from === at && !seen.has(e.to)) {
        seen.add(e.to);
        queue.push(e.to);
      }
    }
  }
  return seen;
}

export function platformCoverage(model: DomainModel): CoverageReport {
  const cells: CoverageCell[] = [];
  const gaps: CoverageGap[] = [];
  const directReads: CoverageReport['directReads'] = [];
  for (const p of model.matrix.platforms) {
    const automated = p.machineTemplate !== null;
    const { templates, machines } = platformConcepts(model, p);
    const tIds = new Set(templates.map((c) => c.id));
    const mIds = new Set(machines.map((c) => c.id));
    const edges = (test: (from: string, to: string) => boolean) => model.flows.edges.filter((e) => test(e.from, e.to)).map((e) => `${e.from}>${e.to}`);
    const found: Record<CoverageKind, () => string[]> = {
      'template-concept': () => [...tIds],
      'machine-concept': () => [...mIds],
      'spec-to-template': () => edges((f, t) => f === 'nodepool-spec' && tIds.has(t)),
      'template-to-machine': () => edges((f, t) => tIds.has(f) && mIds.has(t)),
      'machine-to-capi': () => edges((f, t) => mIds.has(f) && t === 'capi-machine'),
      'back-to-nodepool': () => [...mIds].filter((m) => reachable(model, m).has('nodepool-conditions')),
      'roundtrip-flow': () =>
        model.flows.flows
          .filter((f) => f.chain[0] === 'nodepool-spec' && f.chain.at(-1) === 'nodepool-conditions' && f.chain.some((c) => mIds.has(c)))
          .map((f) => f.id),
      'lifecycle-variation': () =>
        model.lifecycle.platformVariations
          .filter((v) => v.platform.includes(p.id))
          .map((v) => `${v.state}${v.substates.length ? `/${v.substates.join(',')}` : ''}`),
      'failure-mode': () => model.lifecycle.failureModes.filter((f) => f.platforms.includes(p.id)).map((f) => f.id),
      'e2e-suite': () => model.matrix.e2eSuites.filter((s) => s.platforms.includes(p.id)).map((s) => s.id),
    };
    for (const spec of COVERAGE_KINDS) {
      if (spec.appliesTo === 'automated' && !automated) continue;
      const by = found[spec.kind]();
      if (by.length > 0) cells.push({ platform: p.id, kind: spec.kind, by });
      else gaps.push({ platform: p.id, kind: spec.kind, message: `platform ${p.id} has no ${spec.kind} entry: add ${spec.what}` });
    }
    for (const e of model.flows.edges) {
      if (e.direct && (mIds.has(e.from) || mIds.has(e.to))) directReads.push({ platform: p.id, from: e.from, to: e.to, via: [...e.via] });
    }
  }
  return { platforms: model.matrix.platforms.map((p) => p.id), kinds: COVERAGE_KINDS.map((k) => k.kind), cells, gaps, directReads };
}

/** "7 automated platforms × 10 kinds + 2 others × 1 kind = 72 cells, 72 covered". */
export function renderCoverage(r: CoverageReport): string {
  const total = r.cells.length + r.gaps.length;
  const lines = [`coverage: ${r.cells.length}/${total} platform × entry-kind cells (${r.platforms.length} platforms, ${r.kinds.length} kinds)`];
  for (const g of r.gaps) lines.push(`  missing: ${g.message}`);
  if (r.directReads.length) lines.push(`direct provider reads: ${r.directReads.map((d) => `${d.platform} ${d.from} -> ${d.to} (${d.via[0]})`).join('; ')}`);
  return lines.join('\n');
}
