// Pure parsing and validation of the domain-model YAML. Takes file texts, returns a DomainModel or throws a
// UserError whose lines read `file:line path: message`, so a wrong value can be found without a debugger.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { toData } from '../yaml/validate.js';
import type { z } from 'zod';
import { UserError } from '../contracts/failures.js';
import { Ratchets } from './ratchet.js';
import {
  AbstractionMap,
  Lifecycle,
  PlatformMatrix,
  PropagationFlows,
  SnapshotIndex,
  parseRef,
  type DomainModel,
  type GlobSite,
  type RefSite,
} from './schema.js';

export interface ModelSource {
  file: string;
  text: string;
}

export interface ModelIssue {
  file: string;
  line: number;
  at: string;
  message: string;
}

type PathSeg = string | number;

/** A parsed YAML file that can answer "which line holds this path?". */
class SourceDoc {
  readonly data: unknown;
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {
    this.data = toData(file, doc, lines);
  }

  lineOf(path: readonly PathSeg[]): number {
    // Walk up until a node exists: a missing key is reported on its parent's line.
    for (let i = path.length; i >= 0; i--) {
      const node = i === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, i), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
    }
    return 1;
  }

  /** states[2].substates[3].next -> states.Upgrading.substates[3].next (top-level items by id read better). */
  format(path: readonly PathSeg[]): string {
    let out = '';
    let node: unknown = this.data;
    path.forEach((seg, depth) => {
      const child = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
      if (typeof seg === 'number') {
        const id = depth === 1 && child && typeof child === 'object' ? (child as { id?: unknown }).id : undefined;
        out += typeof id === 'string' ? `.${id}` : `[${seg}]`;
      } else {
        out += out ? `.${seg}` : seg;
      }
      node = child;
    });
    return out || '(root)';
  }
}

function issueAt(src: SourceDoc, path: readonly PathSeg[], message: string, displayPath: readonly PathSeg[] = path): ModelIssue {
  return { file: src.file, line: src.lineOf(path), at: src.format(displayPath), message };
}

export function formatIssue(i: ModelIssue): string {
  return `${i.file}:${i.line} ${i.at}: ${i.message}`;
}

function fail(issues: ModelIssue[]): never {
  const first = issues[0];
  throw new UserError(issues.map(formatIssue).join('\n'), first ? { file: first.file, line: first.line, field: first.at } : {});
}

function load(source: ModelSource): SourceDoc {
  const lines = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => ({
        file: source.file,
        line: e.linePos?.[0]?.line ?? 1,
        at: '(yaml)',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  return new SourceDoc(source.file, doc, lines);
}

function validate<S extends z.ZodType>(schema: S, src: SourceDoc): z.infer<S> {
  const result = schema.safeParse(src.data);
  if (result.success) return result.data;
  fail(result.error.issues.map((iss) => issueAt(src, iss.path as PathSeg[], iss.message)));
}

const REF_KEYS = new Set([
  'ref',
  'namedBy',
  'code',
  'enforcedBy',
  'via',
  'refs',
  'entry',
  'builder',
  'providerTypes',
  'constRef',
  'conditionSetter',
  'featureGateRef',
  'registeredAt',
]);
const GLOB_KEYS = new Set(['paths', 'files', 'recheckWhenTouching', 'covers', 'allowedExceptions', 'allPlatformFiles']);

function collect(src: SourceDoc, refs: RefSite[], globs: GlobSite[]): void {
  const walk = (node: unknown, path: PathSeg[], key: string | undefined): void => {
    if (typeof node === 'string') {
      if (key && REF_KEYS.has(key)) {
        const p = parseRef(node);
        const site: RefSite = { file: src.file, line: src.lineOf(path), at: src.format(path), ref: node, path: p.path };
        if (p.line !== undefined) site.lineNo = p.line;
        if (p.symbol !== undefined) site.symbol = p.symbol;
        refs.push(site);
      } else if (key && GLOB_KEYS.has(key)) {
        globs.push({ file: src.file, line: src.lineOf(path), at: src.format(path), glob: node });
      }
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i], key));
      return;
    }
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k], k);
    }
  };
  walk(src.data, [], undefined);
}

/**
 * Parses and validates the model files. Files are recognised by their `kind`, so names are free.
 * Throws UserError listing every problem as `file:line path: message`.
 */
export function parseModels(sources: readonly ModelSource[]): DomainModel {
  const byKind = new Map<string, SourceDoc>();
  for (const s of sources) {
    const doc = load(s);
    const kind = (doc.data as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string')
      fail([issueAt(doc, ['kind'], 'missing "kind" (NodePoolLifecycle, CapiAbstractionMap, PlatformMatrix, PropagationFlows or SnapshotIndex)')]);
    if (byKind.has(kind)) fail([issueAt(doc, ['kind'], `a second file of kind ${kind} (first: ${byKind.get(kind)?.file})`)]);
    byKind.set(kind, doc);
  }
  const need = (kind: string): SourceDoc => {
    const d = byKind.get(kind);
    if (!d) throw new UserError(`domain model incomplete: no file of kind ${kind} among ${sources.map((s) => s.file).join(', ') || '(none)'}`);
    return d;
  };
  const lcSrc = need('NodePoolLifecycle');
  const mapSrc = need('CapiAbstractionMap');
  const mxSrc = need('PlatformMatrix');
  const flSrc = need('PropagationFlows');
  const snapSrc = byKind.get('SnapshotIndex');

  const lifecycle = validate(Lifecycle, lcSrc);
  const map = validate(AbstractionMap, mapSrc);
  const matrix = validate(PlatformMatrix, mxSrc);
  const flows = validate(PropagationFlows, flSrc);
  const snapshot = snapSrc ? validate(SnapshotIndex, snapSrc) : null;
  const ratchetSrc = byKind.get('Ratchets');
  const ratchets = ratchetSrc ? validate(Ratchets, ratchetSrc).ratchets : [];

  const issues: ModelIssue[] = [];
  const unique = (src: SourceDoc, items: readonly { id: string }[], path: PathSeg[], what: string): Set<string> => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.id)) issues.push(issueAt(src, [...path, i, 'id'], `duplicate ${what} id "${it.id}"`));
      seen.add(it.id);
    });
    return seen;
  };
  const refsTo = (src: SourceDoc, path: PathSeg[], values: readonly string[], known: Set<string>, what: string): void => {
    values.forEach((v, i) => {
      if (!known.has(v)) issues.push(issueAt(src, [...path, i], `unknown ${what} "${v}"`, path));
    });
  };

  // lifecycle
  const stateIds = unique(lcSrc, lifecycle.states, ['states'], 'state');
  const platformIds = unique(mxSrc, matrix.platforms, ['platforms'], 'platform');
  const componentIds = unique(mapSrc, map.components, ['components'], 'component');
  const conditionConsts = new Set(lifecycle.conditionCatalog.map((c) => c.const));
  lifecycle.states.forEach((st, si) => {
    const subIds = unique(lcSrc, st.substates, ['states', si, 'substates'], 'sub-state');
    const targets = new Set([...subIds, ...stateIds]);
    refsTo(lcSrc, ['states', si, 'next'], st.next, stateIds, 'state');
    refsTo(lcSrc, ['states', si, 'conditions'], st.conditions, conditionConsts, 'condition constant');
    st.substates.forEach((sub, ui) => {
      refsTo(lcSrc, ['states', si, 'substates', ui, 'next'], sub.next, targets, 'state');
      refsTo(lcSrc, ['states', si, 'substates', ui, 'conditions'], sub.conditions, conditionConsts, 'condition constant');
      if (sub.strategy && sub.strategy !== 'both' && st.strategies.length > 0 && !st.strategies.some((s) => s.id === sub.strategy)) {
        issues.push(issueAt(lcSrc, ['states', si, 'substates', ui, 'strategy'], `strategy "${sub.strategy}" is not declared on state ${st.id}`));
      }
    });
    if (!st.terminal && st.next.length === 0 && st.substates.length === 0) {
      issues.push(issueAt(lcSrc, ['states', si], `state ${st.id} has no way out: add next, substates or terminal: true`));
    }
  });
  const subsOf = (state: string): Set<string> => new Set(lifecycle.states.find((s) => s.id === state)?.substates.map((s) => s.id) ?? []);
  lifecycle.platformVariations.forEach((pv, i) => {
    refsTo(lcSrc, ['platformVariations', i, 'platform'], pv.platform, platformIds, 'platform');
    if (!stateIds.has(pv.state)) issues.push(issueAt(lcSrc, ['platformVariations', i, 'state'], `unknown state "${pv.state}"`));
    else refsTo(lcSrc, ['platformVariations', i, 'substates'], pv.substates, subsOf(pv.state), `sub-state of ${pv.state}`);
    refsTo(lcSrc, ['platformVariations', i, 'conditions'], pv.conditions, conditionConsts, 'condition constant');
  });
  unique(lcSrc, lifecycle.failureModes, ['failureModes'], 'failure mode');
  lifecycle.failureModes.forEach((fm, i) => {
    if (!stateIds.has(fm.state)) issues.push(issueAt(lcSrc, ['failureModes', i, 'state'], `unknown state "${fm.state}"`));
    else if (fm.substate && !subsOf(fm.state).has(fm.substate))
      issues.push(issueAt(lcSrc, ['failureModes', i, 'substate'], `unknown sub-state "${fm.substate}" of ${fm.state}`));
    refsTo(lcSrc, ['failureModes', i, 'platforms'], fm.platforms, platformIds, 'platform');
    if (!conditionConsts.has(fm.surfacedAs.condition))
      issues.push(issueAt(lcSrc, ['failureModes', i, 'surfacedAs', 'condition'], `unknown condition constant "${fm.surfacedAs.condition}"`));
    if (fm.surfacedAs.reason && !conditionConsts.has(fm.surfacedAs.reason))
      issues.push(issueAt(lcSrc, ['failureModes', i, 'surfacedAs', 'reason'], `unknown condition constant "${fm.surfacedAs.reason}"`));
  });
  unique(lcSrc, lifecycle.invariants, ['invariants'], 'invariant');
  lifecycle.invariants.forEach((inv, i) => {
    refsTo(lcSrc, ['invariants', i, 'appliesTo'], inv.appliesTo, stateIds, 'state');
    refsTo(lcSrc, ['invariants', i, 'conditions'], inv.conditions, conditionConsts, 'condition constant');
  });

  // abstraction map
  unique(mapSrc, map.boundaryRules, ['boundaryRules'], 'boundary rule');
  unique(mapSrc, map.conventions, ['conventions'], 'convention');
  map.communication.channels.forEach((c, i) => {
    if (!componentIds.has(c.from)) issues.push(issueAt(mapSrc, ['communication', 'channels', i, 'from'], `unknown component "${c.from}"`));
    if (!componentIds.has(c.to)) issues.push(issueAt(mapSrc, ['communication', 'channels', i, 'to'], `unknown component "${c.to}"`));
    const from = map.components.find((x) => x.id === c.from);
    if (from?.side === 'dataPlane')
      issues.push(
        issueAt(mapSrc, ['communication', 'channels', i, 'from'], `channel starts on the data plane (${c.from}); communication is one-way from management`),
      );
  });

  // matrix
  const suiteIds = unique(mxSrc, matrix.e2eSuites, ['e2eSuites'], 'e2e suite');
  matrix.e2eSuites.forEach((s, i) => refsTo(mxSrc, ['e2eSuites', i, 'platforms'], s.platforms, platformIds, 'platform'));
  matrix.platforms.forEach((p, i) => refsTo(mxSrc, ['platforms', i, 'e2eSuites'], p.e2eSuites, suiteIds, 'e2e suite'));
  unique(mxSrc, matrix.newPlatformSteps, ['newPlatformSteps'], 'step');
  matrix.newPlatformSteps.forEach((s, i) => {
    if (!componentIds.has(s.component)) issues.push(issueAt(mxSrc, ['newPlatformSteps', i, 'component'], `unknown component "${s.component}"`));
  });

  // flows
  const conceptIds = unique(flSrc, flows.concepts, ['concepts'], 'concept');
  const aliasOwner = new Map<string, string>();
  flows.concepts.forEach((c, i) => {
    if (!componentIds.has(c.component)) issues.push(issueAt(flSrc, ['concepts', i, 'component'], `unknown component "${c.component}"`));
    if (c.platform && !platformIds.has(c.platform)) issues.push(issueAt(flSrc, ['concepts', i, 'platform'], `unknown platform "${c.platform}"`));
    for (const name of [c.id, c.name, ...c.aliases]) {
      const key = normaliseName(name);
      const owner = aliasOwner.get(key);
      if (owner && owner !== c.id) issues.push(issueAt(flSrc, ['concepts', i, 'aliases'], `alias "${name}" already names concept ${owner}`));
      aliasOwner.set(key, c.id);
    }
  });
  const edgeKeys = new Set<string>();
  flows.edges.forEach((e, i) => {
    if (!conceptIds.has(e.from)) issues.push(issueAt(flSrc, ['edges', i, 'from'], `unknown concept "${e.from}"`));
    if (!conceptIds.has(e.to)) issues.push(issueAt(flSrc, ['edges', i, 'to'], `unknown concept "${e.to}"`));
    if (!componentIds.has(e.actor)) issues.push(issueAt(flSrc, ['edges', i, 'actor'], `unknown component "${e.actor}"`));
    edgeKeys.add(`${e.from}>${e.to}`);
  });
  flows.flows.forEach((f, i) => {
    f.chain.forEach((c, k) => {
      if (!conceptIds.has(c)) issues.push(issueAt(flSrc, ['flows', i, 'chain', k], `unknown concept "${c}"`, ['flows', i, 'chain']));
      const prev = f.chain[k - 1];
      if (k > 0 && prev !== undefined && !edgeKeys.has(`${prev}>${c}`))
        issues.push(issueAt(flSrc, ['flows', i, 'chain', k], `no edge from ${prev} to ${c}`, ['flows', i, 'chain']));
    });
  });

  if (issues.length > 0) fail(issues.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file.localeCompare(b.file))));

  const refs: RefSite[] = [];
  const globs: GlobSite[] = [];
  for (const src of [lcSrc, mapSrc, mxSrc, flSrc]) collect(src, refs, globs);

  return {
    lifecycle,
    map,
    matrix,
    flows,
    snapshot,
    ratchets,
    refs,
    globs,
    files: { lifecycle: lcSrc.file, map: mapSrc.file, matrix: mxSrc.file, flows: flSrc.file, ...(ratchetSrc ? { ratchets: ratchetSrc.file } : {}) },
  };
}

/** "Azure Machine", "azure-machine" and "AzureMachine" all become "azuremachine". */
export function normaliseName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}
