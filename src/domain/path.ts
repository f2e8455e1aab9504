// Propagation paths between concepts ("AzureMachine" -> "NodePool conditions"), with lossy hops flagged.
import { UserError } from '../contracts/failures.js';
import { normaliseName } from './parse.js';
import type { Concept, DomainModel, Edge } from './schema.js';

export interface ConceptRef {
  id: string;
  name: string;
  component: string;
  ref: string;
}

export interface PathStep {
  from: ConceptRef;
  to: ConceptRef;
  actor: { id: string; name: string };
  via: string[];
  carries: string;
  lossy: boolean;
  loss?: string;
  /** HyperShift code reads or writes the provider object here itself, not through Cluster API */
  direct?: boolean;
}

export interface PathResult {
  from: ConceptRef;
  to: ConceptRef;
  /** "reverse" when only to -> from exists (e.g. asking for the spec-to-status direction backwards) */
  direction: 'forward' | 'reverse';
  steps: PathStep[];
  lossyCount: number;
  /** other simple paths, shortest first (at most three) */
  alternatives: PathStep[][];
}

const conceptCache = new WeakMap<DomainModel, Map<string, Concept>>();

function conceptIndex(model: DomainModel): Map<string, Concept> {
  let idx = conceptCache.get(model);
  if (!idx) {
    idx = new Map();
    for (const c of model.flows.concepts) for (const n of [c.id, c.name, ...c.aliases]) idx.set(normaliseName(n), c);
    conceptCache.set(model, idx);
  }
  return idx;
}

function ref(c: Concept): ConceptRef {
  return { id: c.id, name: c.name, component: c.component, ref: c.ref };
}

/** Resolves a name, id or alias ("azure machine", "AzureMachine", "nodepool conditions"). */
export function resolveConcept(model: DomainModel, name: string): Concept {
  const idx = conceptIndex(model);
  const key = normaliseName(name);
  const hit = idx.get(key) ?? idx.get(key.replace(/s$/, '')) ?? idx.get(key.replace(/(status|object)$/, ''));
  if (hit) return hit;
  const close = model.flows.concepts
    .filter((c) => [c.id, c.name, ...c.aliases].some((n) => normaliseName(n).includes(key) || key.includes(normaliseName(n))))
    .map((c) => c.name);
  throw new UserError(
    `unknown concept "${name}"${close.length ? `; did you mean: ${close.slice(0, 5).join(', ')}` : `; known: ${model.flows.concepts.map((c) => c.name).join(', ')}`}`,
    { field: 'concept' },
  );
}

function simplePaths(edges: readonly Edge[], from: string, to: string, maxExtra: number, limit: number): Edge[][] {
  const out: Edge[][] = [];
  const adj = new Map<string, Edge[]>();
  for (const e of edges) adj.set(e.from, [...(adj.get(e.from) ?? []), e]);
  // breadth-first for the shortest length, then depth-first for alternatives up to that length + maxExtra
  const dist = new Map<string, number>([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const e of adj.get(n) ?? [])
      if (!dist.has(e.to)) {
        dist.set(e.to, dist.get(n)! + 1);
        queue.push(e.to);
      }
  }
  const shortest = dist.get(to);
  if (shortest === undefined) return out;
  const maxLen = shortest + maxExtra;
  const stack: Edge[] = [];
  const seen = new Set([from]);
  const dfs = (n: string): void => {
    if (out.length >= limit * 4) return;
    if (n === to) {
      out.push([...stack]);
      return;
    }
    if (stack.length >= maxLen) return;
    for (const e of adj.get(n) ?? []) {
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      stack.push(e);
      dfs(e.to);
      stack.pop();
      seen.delete(e.to);
    }
  };
  dfs(from);
  return out.sort((a, b) => a.length - b.length || lossCount(a) - lossCount(b)).slice(0, limit);
}

function lossCount(p: readonly Edge[]): number {
  return p.filter((e) => e.lossy).length;
}

export function findPath(model: DomainModel, fromName: string, toName: string): PathResult {
  const from = resolveConcept(model, fromName);
  const to = resolveConcept(model, toName);
  if (from.id === to.id) throw new UserError(`"${fromName}" and "${toName}" are the same concept (${from.name})`);
  const byId = new Map(model.flows.concepts.map((c) => [c.id, c]));
  const comps = new Map(model.map.components.map((c) => [c.id, c]));
  const toStep = (e: Edge): PathStep => {
    const s: PathStep = {
      from: ref(byId.get(e.from)!),
      to: ref(byId.get(e.to)!),
      actor: { id: e.actor, name: comps.get(e.actor)?.name ?? e.actor },
      via: [...e.via],
      carries: e.carries,
      lossy: e.lossy,
    };
    if (e.loss !== undefined) s.loss = e.loss;
    if (e.direct) s.direct = true;
    return s;
  };
  // a path between two concepts never runs through another platform's objects (Machine -> KubevirtMachine is
  // not a step of an OpenStack machine's story)
  const ends = new Set([from.platform, to.platform].filter((p): p is string => p !== undefined));
  const samePlatform = (e: Edge): boolean =>
    [e.from, e.to].every((id) => {
      const p = byId.get(id)?.platform;
      return p === undefined || ends.has(p);
    });
  const edges = model.flows.edges.filter(samePlatform);
  let direction: PathResult['direction'] = 'forward';
  let paths = simplePaths(edges, from.id, to.id, 3, 4);
  if (paths.length === 0) {
    paths = simplePaths(edges, to.id, from.id, 3, 4);
    direction = 'reverse';
  }
  const best = paths[0];
  if (!best) throw new UserError(`no propagation path between ${from.name} and ${to.name} in ${model.files.flows}`);
  const steps = best.map(toStep);
  return {
    from: ref(from),
    to: ref(to),
    direction,
    steps,
    lossyCount: steps.filter((s) => s.lossy).length,
    alternatives: paths.slice(1).map((p) => p.map(toStep)),
  };
}

export function renderPath(p: PathResult): string {
  const out: string[] = [];
  out.push(`${p.from.name} -> ${p.to.name}${p.direction === 'reverse' ? ' (state flows the other way: shown from ' + p.to.name + ')' : ''}`);
  const chain = (steps: readonly PathStep[]): string => [steps[0]?.from.name ?? '', ...steps.map((s) => s.to.name)].join(' -> ');
  out.push(`  ${chain(p.steps)}   (${p.steps.length} hop${p.steps.length === 1 ? '' : 's'}, ${p.lossyCount} lossy)`);
  p.steps.forEach((s, i) => {
    out.push(
      `  ${i + 1}. ${s.from.name} -> ${s.to.name}  [${s.actor.name}]${s.lossy ? '  LOSSY' : ''}${s.direct ? '  DIRECT (HyperShift code touches the provider object itself)' : ''}`,
    );
    out.push(`     carries: ${s.carries}`);
    if (s.loss) out.push(`     loses:   ${s.loss}`);
    for (const v of s.via) out.push(`     code:    ${v}`);
  });
  if (p.alternatives.length > 0) {
    out.push('  also:');
    for (const a of p.alternatives) out.push(`    ${chain(a)}   (${a.filter((s) => s.lossy).length} lossy)`);
  }
  return out.join('\n');
}
