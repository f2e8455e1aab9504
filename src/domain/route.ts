// Questions routed by the model's own vocabulary. A question is read for the names the model gives its
// nodes (concepts and their aliases, platforms, components, lifecycle states, strategies and sub-states,
// conditions, failure modes, invariants, rules) and for repository paths; what it names decides the kind of
// answer. Nothing here matches phrasings: a new alias in a model file is a new way to ask.
import { impactOf, renderImpact } from './impact.js';
import { explain, renderExplanation } from './explain.js';
import { findPath, renderPath, type PathResult } from './path.js';
import { newPlatformChecklist, platformVariations, renderChecklist, renderPlatform } from './platform.js';
import { isUserError } from '../contracts/failures.js';
import type { DomainModel, Platform, State } from './schema.js';

export type AnswerKind = 'new-platform-checklist' | 'impact' | 'path' | 'lifecycle' | 'platform' | 'explain' | 'needs-model';

export type MentionKind =
  'new-platform' | 'file' | 'concept' | 'platform' | 'component' | 'state' | 'strategy' | 'substate' | 'condition' | 'failure-mode' | 'invariant' | 'rule';

export interface Mention {
  kind: MentionKind;
  /** model id (for a strategy "Upgrading.Replace", for a sub-state "Upgrading.RollingOutTemplate"), or the path for a file */
  id: string;
  /** the words of the question that named it */
  text: string;
  at: number;
}

export interface RoutedCitation {
  node: string;
  ref?: string;
}

export interface RoutedAnswer {
  kind: AnswerKind;
  text: string;
  citations: RoutedCitation[];
  found: Mention[];
}

export interface RouteOptions {
  /** every path of the pinned tree, to tell a real file from a mistyped one; without it only the model's own files count */
  hasPath?: (path: string) => boolean;
}

interface Term {
  kind: MentionKind;
  id: string;
  re: RegExp;
}

const NEW_PLATFORM =
  /\b(?:(?:new|another|additional|next|a\s+new)\s+(?:cloud\s+|infrastructure\s+)?(?:platform|provider)s?|add(?:s|ed|ing)?\s+(?:a\s+|another\s+)?(?:new\s+)?(?:platform|provider)|new-platform|new[-\s]checklist)\b/i;
const REPO_PATH =
  /(?<![\w./-])((?:api|hypershift-operator|control-plane-operator|support|cmd|ignition-server|karpenter-operator|test|docs|vendor)\/[\w./-]*[\w/])(?::\d+)?(?:#[\w.]+)?/g;

/** "AzureMachine", "azure machine", "azure-machine" → words; CamelCase and acronyms split ("IBMPowerVS" → IBM Power VS). */
function words(term: string): string[] {
  return term
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function termRegExp(term: string, caseSensitive: boolean): RegExp {
  const parts = words(term);
  // a plural name also names one ("in-place annotations" / "the in-place annotation")
  const last = parts.length - 1;
  const body = parts.map((w, i) => (i === last && w.length > 3 && /[^s]s$/.test(w) ? `${w.slice(0, -1)}s?` : w)).join('[\\s_.-]*');
  // an English ending is allowed ("upgrades", "scaled"), a longer word is not ("Ready" is not "ReadyReplicas")
  return new RegExp(`(?<![A-Za-z0-9])${body}(?:s|es|d|ed|ing)?(?![A-Za-z0-9])`, caseSensitive ? 'g' : 'gi');
}

const vocabularyCache = new WeakMap<DomainModel, Term[]>();

function vocabulary(model: DomainModel): Term[] {
  const cached = vocabularyCache.get(model);
  if (cached) return cached;
  const terms: Term[] = [];
  const add = (kind: MentionKind, id: string, names: readonly (string | undefined)[], caseSensitive = false, minLength = 3): void => {
    for (const n of names) if (n && n.length >= minLength) terms.push({ kind, id, re: termRegExp(n, caseSensitive) });
  };
  for (const c of model.flows.concepts) add('concept', c.id, [c.id, c.name, ...c.aliases]);
  for (const p of model.matrix.platforms) {
    add('platform', p.id, [p.id], true, 2);
    add('platform', p.id, p.aliases, false, 2);
  }
  for (const c of model.map.components) {
    // "control-plane-operator (CPO)": the name without its parenthesis, and a single-word parenthesis on its own
    const short = /^(.*?)\s*\(([^(),]+)\)\s*$/.exec(c.name);
    add('component', c.id, [c.id, short ? short[1] : c.name, short && !/\s/.test(short[2]!) ? short[2] : undefined], false, 3);
  }
  for (const st of model.lifecycle.states) {
    add('state', st.id, [st.id], true);
    add('state', st.id, st.aliases);
    for (const s of st.strategies) add('strategy', `${st.id}.${s.id}`, [s.id, ...s.aliases], false);
    for (const u of st.substates) add('substate', `${st.id}.${u.id}`, [u.id]);
  }
  for (const c of model.lifecycle.conditionCatalog) {
    // single-word values ("Ready", "NotFound") are ordinary words; the constant names them unambiguously
    const value = words(c.value).length > 1 && c.value.length >= (c.kind === 'reason' ? 12 : 8) ? c.value : undefined;
    add('condition', c.const, [c.const, value, ...c.aliases]);
  }
  for (const f of model.lifecycle.failureModes) add('failure-mode', f.id, [f.id]);
  for (const i of model.lifecycle.invariants) add('invariant', i.id, [i.id]);
  for (const r of model.map.boundaryRules) add('rule', r.id, [r.id]);
  vocabularyCache.set(model, terms);
  return terms;
}

/** Every model name and repository path in the question, longest first where they overlap, in question order. */
export function findMentions(model: DomainModel, question: string): Mention[] {
  const raw: (Mention & { end: number })[] = [];
  for (const m of question.matchAll(REPO_PATH)) raw.push({ kind: 'file', id: m[1]!, text: m[0], at: m.index, end: m.index + m[0].length });
  const np = NEW_PLATFORM.exec(question);
  if (np) raw.push({ kind: 'new-platform', id: 'new-platform', text: np[0], at: np.index, end: np.index + np[0].length });
  for (const t of vocabulary(model)) {
    t.re.lastIndex = 0;
    for (const m of question.matchAll(t.re)) raw.push({ kind: t.kind, id: t.id, text: m[0], at: m.index, end: m.index + m[0].length });
  }
  raw.sort((a, b) => a.at - b.at || b.end - a.end);
  const kept: (Mention & { end: number })[] = [];
  for (const m of raw) {
    const inside = kept.some((k) => m.at >= k.at && m.end <= k.end && (m.end - m.at < k.end - k.at || m.kind !== k.kind || m.id !== k.id));
    const same = kept.some((k) => k.kind === m.kind && k.id === m.id);
    if (!inside && !same) kept.push(m);
  }
  return kept.map(({ kind, id, text, at }) => ({ kind, id, text, at }));
}

const uniqueCitations = (list: RoutedCitation[]): RoutedCitation[] => {
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = `${c.node} ${c.ref ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

function describeFound(found: readonly Mention[]): string {
  if (found.length === 0) return 'nothing the domain model names';
  return found.map((m) => `${m.kind} ${m.id}${m.text.toLowerCase() !== m.id.toLowerCase() ? ` ("${m.text}")` : ''}`).join(', ');
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (isUserError(err)) return undefined;
    throw err;
  }
}

function pathCitations(p: PathResult): RoutedCitation[] {
  return [
    { node: `concept:${p.from.id}`, ref: p.from.ref },
    ...p.steps.flatMap((s) => [{ node: `concept:${s.to.id}`, ref: s.to.ref }, ...s.via.map((ref) => ({ node: `edge:${s.from.id}>${s.to.id}`, ref }))]),
  ];
}

/** Platform card plus how state travels for it: its round trips, the places HyperShift reads provider objects itself, the template rollout rule. */
function platformAnswer(model: DomainModel, platform: Platform): { text: string; citations: RoutedCitation[] } {
  const report = platformVariations(model, platform.id);
  const node = `platform:${platform.id}`;
  const citations: RoutedCitation[] = [
    { node, ref: platform.constRef },
    ...(platform.machineTemplate
      ? [
          { node, ref: platform.machineTemplate.builder },
          { node, ref: platform.machineTemplate.providerTypes },
        ]
      : []),
    ...(platform.conditionSetter ? [{ node, ref: platform.conditionSetter }] : []),
    ...(platform.featureGateRef ? [{ node, ref: platform.featureGateRef }] : []),
    ...report.variations.flatMap((v) => v.code.map((ref) => ({ node: `variation:${platform.id}:${v.state}`, ref }))),
  ];
  const lines = [renderPlatform(report)];
  const own = new Set(model.flows.concepts.filter((c) => c.platform === platform.id).map((c) => c.id));
  const flows = model.flows.flows.filter((f) => f.chain.some((c) => own.has(c)));
  const name = (id: string): string => model.flows.concepts.find((c) => c.id === id)?.name ?? id;
  if (flows.length) {
    lines.push('how state travels:');
    for (const f of flows) {
      lines.push(`  ${f.title}: ${f.chain.map(name).join(' -> ')}`);
      f.chain.slice(1).forEach((to, i) => {
        const from = f.chain[i]!;
        const edge = model.flows.edges.find((e) => e.from === from && e.to === to);
        if (!edge) return;
        if (edge.lossy || edge.direct)
          lines.push(`    ${name(from)} -> ${name(to)}${edge.direct ? ' [direct read/write by HyperShift]' : ''}${edge.lossy ? ` [lossy: ${edge.loss}]` : ''}`);
        citations.push(...edge.via.map((ref) => ({ node: `edge:${from}>${to}`, ref })));
      });
    }
  }
  if (platform.machineTemplate && model.matrix.templateRollout) {
    lines.push(
      `template rollout: a change to what ${platform.machineTemplate.builder} returns rolls every ${platform.id} NodePool (${model.matrix.templateRollout.statement}).`,
    );
    citations.push({ node: 'templateRollout', ref: model.matrix.templateRollout.namedBy });
  }
  return { text: lines.join('\n'), citations };
}

/** One lifecycle state, narrowed to a strategy or sub-state when the question names one, for the platforms it names. */
function lifecycleAnswer(
  model: DomainModel,
  state: State,
  strategy: string | undefined,
  substate: string | undefined,
  platforms: readonly string[],
): { text: string; citations: RoutedCitation[] } {
  const strat = state.strategies.find((s) => s.id === strategy);
  const steps = state.substates.filter((u) => (substate ? u.id === substate : !strat || !u.strategy || u.strategy === 'both' || u.strategy === strat.id));
  const stepIds = new Set(steps.map((u) => u.id));
  const node = `state:${state.id}`;
  const citations: RoutedCitation[] = [
    ...state.code.map((ref) => ({ node, ref })),
    ...(strat ? strat.code.map((ref) => ({ node: `strategy:${state.id}.${strat.id}`, ref })) : []),
  ];
  const lines = [
    `NodePool lifecycle: ${state.id}${strat ? ` with the ${strat.id} strategy (${strat.capiObject})` : ''}${substate ? ` / ${substate}` : ''}`,
    state.summary,
  ];
  if (strat) lines.push(strat.summary);
  if (steps.length) {
    lines.push('', substate ? 'Sub-state:' : 'Steps:');
    steps.forEach((u, i) => {
      lines.push(`  ${i + 1}. ${u.id}: ${u.summary}${u.conditions.length ? ` [conditions: ${u.conditions.join(', ')}]` : ''} -> ${u.next.join(' | ')}`);
      citations.push(...u.code.map((ref) => ({ node: `substate:${state.id}.${u.id}`, ref })));
    });
  }
  const touches = (v: { state: string; substates: string[] }): boolean =>
    v.state === state.id && (v.substates.length === 0 || v.substates.some((s) => stepIds.has(s)) || steps.length === 0);
  const variations = model.lifecycle.platformVariations.filter(touches);
  lines.push('');
  if (platforms.length) {
    for (const p of platforms) {
      const own = variations.filter((v) => v.platform.includes(p));
      if (own.length === 0) lines.push(`${p}: follows these steps as written (no ${p} variation of ${state.id} at the pin).`);
      for (const v of own) {
        lines.push(
          `On ${p}${v.platform.length > 1 ? ` (as on ${v.platform.filter((x) => x !== p).join(', ')})` : ''}${v.substates.length ? `, ${v.substates.join(', ')}` : ''}: ${v.behaviour}`,
        );
        citations.push(...v.code.map((ref) => ({ node: `variation:${p}:${v.state}`, ref })));
      }
    }
  } else if (variations.length) {
    lines.push('Platforms that differ here:');
    for (const v of variations) {
      lines.push(`  ${v.platform.join('/')}${v.substates.length ? ` (${v.substates.join(', ')})` : ''}: ${v.behaviour}`);
      citations.push(...v.code.map((ref) => ({ node: `variation:${v.platform.join('/')}:${v.state}`, ref })));
    }
  }
  const failures = model.lifecycle.failureModes.filter(
    (f) =>
      f.state === state.id &&
      (!f.substate || stepIds.has(f.substate) || steps.length === 0) &&
      (f.platforms.length === 0 || platforms.length === 0 || f.platforms.some((p) => platforms.includes(p))),
  );
  if (failures.length) {
    lines.push('What can go wrong:');
    for (const f of failures)
      lines.push(
        `  ${f.id}${f.platforms.length ? ` [${f.platforms.join(', ')}]` : ''}: ${f.symptom} -> ${f.surfacedAs.condition}${f.surfacedAs.reason ? `/${f.surfacedAs.reason}` : ''}${f.lossy ? ' (lossy)' : ''}`,
      );
  }
  const invariants = model.lifecycle.invariants.filter((i) => i.appliesTo.includes(state.id));
  if (invariants.length) {
    lines.push('Invariants:');
    for (const i of invariants) {
      lines.push(`  ${i.id}: ${i.statement}`);
      citations.push(...i.enforcedBy.map((ref) => ({ node: `invariant:${i.id}`, ref })));
    }
  }
  return { text: lines.join('\n'), citations };
}

const GENERIC_CONCEPTS = new Set(['nodepool-spec', 'nodepool-conditions', 'nodepool-status', 'capi-machine']);

/** Answers a question from the model alone, choosing the kind of answer from what the question names. */
export function answerFromModel(model: DomainModel, question: string, opts: RouteOptions = {}): RoutedAnswer {
  const found = findMentions(model, question);
  const of = (kind: MentionKind): Mention[] => found.filter((m) => m.kind === kind);
  const conceptPlatform = (id: string): string | undefined => model.flows.concepts.find((c) => c.id === id)?.platform;
  const platforms = [
    ...new Set([
      ...of('platform').map((m) => m.id),
      ...of('concept')
        .map((m) => conceptPlatform(m.id))
        .filter((p): p is string => p !== undefined),
    ]),
  ];
  const done = (kind: AnswerKind, body: { text: string; citations: RoutedCitation[] }): RoutedAnswer => ({
    kind,
    text: body.text,
    citations: uniqueCitations(body.citations),
    found,
  });

  if (of('new-platform').length) {
    const checklist = newPlatformChecklist(model);
    return done('new-platform-checklist', {
      text: `What a new platform must implement for NodePools (from ${model.files.matrix} and the lifecycle's platform variations):\n${renderChecklist(checklist)}`,
      citations: checklist.items.flatMap((i) => i.refs.map((ref) => ({ node: `checklist:${i.id}`, ref }))),
    });
  }

  const files = of('file').map((m) => m.id);
  if (files.length) {
    const known = (f: string): boolean => (opts.hasPath ? opts.hasPath(f) : model.snapshot?.lineCounts[f] !== undefined);
    const real = files.filter(known);
    const unknown = files.filter((f) => !known(f));
    if (real.length) {
      const r = impactOf(model, real);
      const text = [renderImpact(r), ...(unknown.length ? [`not in HyperShift at the pinned commit: ${unknown.join(', ')}`] : [])].join('\n');
      const components = model.map.components.filter((c) => r.components.some((x) => x.id === c.id));
      return done('impact', {
        text,
        citations: [
          ...real.map((ref) => ({ node: 'file', ref })),
          ...components.map((c) => ({ node: `component:${c.id}`, ref: c.entry })),
          ...r.rollouts.flatMap((x) => x.code.map((ref) => ({ node: `rollout:${x.platform}`, ref }))),
          ...model.lifecycle.invariants
            .filter((i) => r.invariants.some((x) => x.id === i.id))
            .map((i) => ({ node: `invariant:${i.id}`, ref: i.enforcedBy[0]! })),
        ],
      });
    }
  }

  const concepts = [...new Set(of('concept').map((m) => m.id))];
  if (concepts.length >= 2) {
    const [a, b] = concepts as [string, string];
    // "the NodePool" names the spec, but state coming up from a machine lands on its conditions
    const path = (b === 'nodepool-spec' ? attempt(() => findPath(model, a, 'nodepool-conditions')) : undefined) ?? attempt(() => findPath(model, a, b));
    if (path) return done('path', { text: renderPath(path), citations: pathCitations(path) });
  }

  const strategy = of('strategy')[0];
  const substate = of('substate')[0];
  const stateId = strategy?.id.split('.')[0] ?? substate?.id.split('.')[0] ?? of('state')[0]?.id;
  const state = model.lifecycle.states.find((s) => s.id === stateId);
  if (state && (state.substates.length > 0 || state.strategies.length > 0 || platforms.length > 0)) {
    return done('lifecycle', lifecycleAnswer(model, state, strategy?.id.split('.')[1], substate?.id.split('.')[1], platforms));
  }

  const specific = found.find(
    (m) =>
      ['component', 'condition', 'failure-mode', 'invariant', 'rule'].includes(m.kind) ||
      (m.kind === 'concept' && !(platforms.length && GENERIC_CONCEPTS.has(m.id))),
  );
  if (specific) {
    const e = attempt(() => explain(model, specific.id));
    if (e) return done('explain', { text: renderExplanation(e), citations: e.refs.map((ref) => ({ node: `${e.kind}:${e.id}`, ref })) });
  }

  const platform = model.matrix.platforms.find((p) => p.id === platforms[0]);
  if (platform) return done('platform', platformAnswer(model, platform));

  if (state) {
    const e = attempt(() => explain(model, state.id));
    if (e) return done('explain', { text: renderExplanation(e), citations: e.refs.map((ref) => ({ node: `state:${state.id}`, ref })) });
  }

  const unknownFiles = files.length
    ? ` The path${files.length === 1 ? '' : 's'} ${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} not in HyperShift at the pinned commit.`
    : '';
  return {
    kind: 'needs-model',
    text: `The domain model has no answer to this. In the question it found ${describeFound(found)}.${unknownFiles} It knows concepts (${model.flows.concepts.length}), platforms (${model.matrix.platforms.map((p) => p.id).join(', ')}), lifecycle states (${model.lifecycle.states.map((s) => s.id).join(', ')}), conditions, failure modes, invariants and boundary rules by name.`,
    citations: [],
    found,
  };
}
