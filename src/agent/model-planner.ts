// Plans from the domain model alone: the concepts an intention names (platforms, lifecycle states,
// conditions, components, API fields, the model's concept aliases, file and identifier names) are resolved
// to the files the model associates with them, with the invariants, platforms, validation steps and OWNERS
// that come with those files, and ordered by the model's layering: API surface, then generic controller
// code, then platform-specific code, then docs. What the model cannot decide is listed as open.
// Pure: the model, the OWNERS index and the commands come in as data.
import { matchAny } from '../domain/glob.js';
import { impactOf } from '../domain/impact.js';
import { suggestReviewers, type OwnersIndex } from '../domain/owners.js';
import { findMentions } from '../domain/route.js';
import { parseRef, type DomainModel } from '../domain/schema.js';
import type { PlannedPhase } from '../plan/schema.js';
import { filesNamedIn } from './tree-names.js';
import { isConcreteFile, stem, vocabulary, weight, words, type MatchedConcept } from './model-vocabulary.js';

export interface PlannerCommands {
  /** regenerates API code (team codegen.api), e.g. "make api" */
  api: string;
  /** repository-wide checks (team codegen.verify), e.g. "make verify" */
  verify: string;
  /** unit tests (team codegen.test), e.g. "make test" */
  test: string;
}

export interface ModelPlan {
  summary: string;
  phases: PlannedPhase[];
  concepts: MatchedConcept[];
  platforms: string[];
  components: string[];
  invariants: string[];
  /** what the model cannot fill: for the developer or for Claude */
  open: string[];
  /** intention words the model has no vocabulary for */
  unknownWords: string[];
}

// ------------------------------------------------------------------------------------------- layering

/** Words that put an intention on the API surface: the api component's own vocabulary plus the words of a type change. */
const apiCue = new Set(
  [
    'api',
    'field',
    'spec',
    'cel',
    'validation',
    'enum',
    'marker',
    'crd',
    'immutable',
    'mutable',
    'expose',
    'type',
    'specify',
    'configurable',
    'option',
    'default',
    'required',
    'optional',
  ].map(stem),
);
const featureCue = /\b(add(s|ing)?|support(s|ing)?|allow(s|ing)?|enabl(e|es|ing)|abilit(y|ies)|capabilit(y|ies)|introduc(e|es|ing)|implement(s|ing)?)\b/i;
const docsCue = new Set(['doc', 'docs', 'documentation', 'readme'].map(stem));

type Layer = 'api' | 'generic' | 'platform' | 'docs';

type FileLayer = { layer: Layer; platforms: string[]; component?: string };
const layerCache = new WeakMap<DomainModel, Map<string, FileLayer>>();

// Every plan asks this of every file the model cites; the answer depends on the model alone.
function layerOf(model: DomainModel, file: string): FileLayer {
  let known = layerCache.get(model);
  if (!known) layerCache.set(model, (known = new Map()));
  const hit = known.get(file);
  if (hit) return hit;
  const layer = computeLayer(model, file);
  known.set(file, layer);
  return layer;
}

function computeLayer(model: DomainModel, file: string): FileLayer {
  const impact = impactOf(model, [file]);
  const f = impact.files[0]!;
  const component = f.components.find((c) => c !== 'capi-core') ?? f.components[0];
  if (file.startsWith('docs/') || file.endsWith('.md')) return { layer: 'docs', platforms: [], ...(component ? { component } : {}) };
  if (component === 'api') return { layer: 'api', platforms: f.platformSpecific, component };
  if (f.platformSpecific.length > 0) return { layer: 'platform', platforms: f.platformSpecific, ...(component ? { component } : {}) };
  return { layer: 'generic', platforms: [], ...(component ? { component } : {}) };
}

function reconcilerOf(component: DomainModel['map']['components'][number]): string {
  const entry = parseRef(component.entry).path;
  if (!/(^|\/)main\.go$/.test(entry)) return entry;
  return component.code.map((r) => parseRef(r).path).find((p) => p.endsWith('_controller.go')) ?? entry;
}

const testFileOf = (file: string) => (file.endsWith('.go') && !file.endsWith('_test.go') ? file.replace(/\.go$/, '_test.go') : undefined);

// ------------------------------------------------------------------------------------------- planning

export interface PlanFromModelOptions {
  owners?: OwnersIndex;
  commands: PlannerCommands;
  /** the most matched files the skeleton names (a named platform's row and the anchor come on top) */
  maxFiles?: number;
  /** every path of the pinned snapshot (domain-models/snapshot/tree.txt.gz): resolves package and file names the model does not cite */
  tree?: readonly string[];
}

export function planFromModel(model: DomainModel, intention: string, opts: PlanFromModelOptions): ModelPlan {
  const vocab = vocabulary(model);
  const cleaned = intention.replace(/\b(NO-JIRA|[A-Z][A-Z0-9]+-\d+)\b[:,]?/g, ' ');
  const asked = [...new Set(words(cleaned))];
  const askedSet = new Set(asked);

  // Platforms as the model's router finds them: the id as written, or one of the row's aliases (EC2, CAPZ, Nova …).
  const mentions = findMentions(model, cleaned);
  const platforms = [...new Set(mentions.filter((m) => m.kind === 'platform').map((m) => m.id))];

  // A new capability for a platform or a NodePool ("add support for X on Azure", "allow … in NodePools") is
  // user-facing, so it reaches the API as a field or an enum value.
  const newCapability = featureCue.test(cleaned) && (platforms.length > 0 || /\b(node ?pools?|hosted ?clusters?)\b/i.test(cleaned));
  const wantsApi = newCapability || asked.some((w) => apiCue.has(w));
  // Components the intention names by their own id or name ("NodePool controller", "ignition server", "HCCO"):
  // their files win ties, and the first one anchors the skeleton.
  const generic = new Set(['controller', 'operator', 'cluster', 'server', 'core', 'api'].map(stem));
  const namedComponents: string[] = model.map.components
    .filter((c) =>
      [...words(`${c.id} ${c.name.replace(/\(.*\)/, '')}`), ...(/\(([A-Z]+)\)/.exec(c.name)?.[1] ? [stem(/\(([A-Z]+)\)/.exec(c.name)![1]!)] : [])].some(
        (w) => !generic.has(w) && askedSet.has(w),
      ),
    )
    .map((c) => c.id);
  // What the model's router recognises by name: components, and the concepts and lifecycle states whose code
  // the model cites. A concept that lives upstream (MachineSet, MachineHealthCheck) is reached through the
  // hops HyperShift's own components perform on it.
  const upstream = new Set(['capi-core', 'provider-controllers']);
  const mentionedFiles = new Map<string, string>();
  const cites = (refs: readonly string[], by: string) => {
    for (const r of refs) {
      const path = parseRef(r).path;
      if (isConcreteFile(path) && vocab.files.has(path) && (wantsApi || !path.startsWith('api/')) && !mentionedFiles.has(path)) mentionedFiles.set(path, by);
    }
  };
  for (const m of mentions) {
    if (m.kind === 'component' && !namedComponents.includes(m.id)) namedComponents.push(m.id);
    if (m.kind === 'concept') {
      const concept = model.flows.concepts.find((c) => c.id === m.id);
      if (!concept) continue;
      if (!upstream.has(concept.component) && concept.component !== 'api' && !namedComponents.includes(concept.component))
        namedComponents.push(concept.component);
      cites([concept.ref], m.text);
      cites(
        model.flows.edges.filter((e) => (e.from === m.id || e.to === m.id) && !upstream.has(e.actor)).flatMap((e) => e.via),
        m.text,
      );
    }
    if (m.kind === 'state' || m.kind === 'strategy' || m.kind === 'substate') {
      const [stateId, subId] = m.id.split('.');
      const state = model.lifecycle.states.find((x) => x.id === stateId);
      const sub = subId ? [...(state?.strategies ?? []), ...(state?.substates ?? [])].find((x) => x.id === subId) : undefined;
      cites((sub ?? state)?.code ?? [], m.text);
    }
  }
  const componentOf = (f: string) => layerOf(model, f).component;
  const platformsOf = (f: string) => layerOf(model, f).platforms;

  // The API surface is planned only when the intention asks for a type change; otherwise the condition and
  // type files, which the model cites for nearly every concept, would ride along with every plan.
  const scored = [...vocab.files.values()]
    .filter((e) => wantsApi || !e.file.startsWith('api/'))
    .map((e) => {
      let score = 0;
      const by: string[] = [];
      // Code for platforms the intention does not name is reached by its path alone, not by the words the
      // model wrote about it or the names of its functions ("image" in reconcileOpenStackImageCR).
      const own = platformsOf(e.file);
      const strongOnly = own.length > 0 && !own.some((p) => platforms.includes(p));
      for (const t of asked) {
        const w = e.bag.get(t);
        const idf = vocab.idf.get(t);
        if (w && idf && !(strongOnly && !new Set(words(e.file.replace(/\.[a-z]+$/, ''))).has(t))) {
          score += w * idf;
          by.push(t);
        }
      }
      // A file the model cites everywhere (the condition list) matches everything a little: damp long bags.
      score /= 0.5 + (0.5 * e.bag.size) / vocab.avgBag;
      if (!strongOnly) {
        for (const t of asked) {
          const idf = vocab.declaredIdf.get(t);
          if (idf && e.declared.has(t) && !by.includes(t)) {
            // a file that declares hundreds of names (hostedcluster_controller.go) shares a word with any intention
            score += (weight.declared * idf) / (0.5 + (0.5 * e.declared.size) / vocab.avgDeclared);
            by.push(t);
          }
        }
      }
      if (score > 0 && namedComponents.includes(componentOf(e.file) ?? '')) score *= 1.5;
      return { e, score, by };
    })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.e.file.localeCompare(b.e.file));

  const maxFiles = opts.maxFiles ?? 8;
  const top = scored[0]?.score ?? 0;
  const chosen = scored.filter((s) => s.score >= top * 0.3 && s.score >= 2).slice(0, maxFiles);
  // Each named concept or state brings its best-matching cited files, even when other words scored higher.
  const perMention = 2;
  const byMention = new Map<string, string[]>();
  for (const [file, by] of mentionedFiles) byMention.set(by, [...(byMention.get(by) ?? []), file]);
  for (const [by, list] of byMention) {
    const rank = (f: string) => scored.find((x) => x.e.file === f)?.score ?? 0;
    for (const f of [...list].sort((a, b) => rank(b) - rank(a)).slice(0, perMention)) {
      if (!chosen.some((c) => c.e.file === f)) chosen.push({ e: vocab.files.get(f)!, score: rank(f), by: [by] });
    }
  }
  // A platform change spans the layers of the platform's row in the matrix (NodePool builder, HostedCluster
  // platform, CLI, cloud config): a named platform brings its row's files, best matches first, builder next.
  const perPlatform = 5;
  for (const p of platforms) {
    const row = model.matrix.platforms.find((x) => x.id === p)!;
    const builder = row.machineTemplate ? parseRef(row.machineTemplate.builder).path : undefined;
    const rowFiles = [...new Set([...(builder ? [builder] : []), ...row.files.filter(isConcreteFile)])].filter((f) => !f.startsWith('api/'));
    const rank = (f: string) => scored.find((s) => s.e.file === f)?.score ?? 0;
    const have = chosen.filter((c) => rowFiles.includes(c.e.file)).length;
    const ordered = rowFiles.filter((f) => !chosen.some((c) => c.e.file === f)).sort((a, b) => rank(b) - rank(a) || rowFiles.indexOf(a) - rowFiles.indexOf(b));
    for (const f of ordered.slice(0, Math.max(0, perPlatform - have))) {
      const e = vocab.files.get(f);
      if (e) chosen.push({ e, score: rank(f), by: [] });
    }
  }

  const wantsDocs = asked.some((w) => docsCue.has(w));
  const files = new Set(chosen.map((c) => c.e.file));
  const named = opts.tree ? filesNamedIn(cleaned, opts.tree) : [];
  for (const n of named) files.add(n.file);
  const open: string[] = [];

  // A named component anchors the skeleton, else the one the matches point at, else the NodePool controller.
  const components = [...new Set([...namedComponents, ...[...files].map(componentOf).filter((c): c is string => !!c)])];
  const anchor = model.map.components.find((c) => c.id === (components.find((id) => id !== 'api' && id !== 'capi-core') ?? 'nodepool-controller'));
  // The anchor's entry point is where its reconcile loop starts: most changes to a component pass through it.
  // When the entry is the process's main.go, which only wires controllers up, the loop is the reconciler it cites.
  if (anchor) files.add(reconcilerOf(anchor));
  if (wantsApi) {
    const platformApi = platforms.flatMap((p) =>
      model.matrix.platforms.find((x) => x.id === p)!.files.filter((f) => f.startsWith('api/') && isConcreteFile(f)),
    );
    for (const f of platformApi.length ? platformApi : [parseRef(model.map.components.find((c) => c.id === 'api')!.entry).path]) files.add(f);
  }

  // Generic before platform-specific: platform code is called from its component's reconciler, which
  // dispatches on the platform type, so the generic phase names that reconciler.
  for (const f of [...files]) {
    const impact = impactOf(model, [f]).files[0]!;
    if (impact.platformSpecific.length === 0 || f.startsWith('api/')) continue;
    for (const id of impact.components) {
      const c = model.map.components.find((x) => x.id === id);
      if (c && !['api', 'capi-core', 'provider-controllers', 'cpo-v2-framework'].includes(id)) files.add(reconcilerOf(c));
    }
  }

  const byLayer = new Map<string, { layer: Layer; platform?: string; files: string[] }>();
  for (const f of files) {
    const l = layerOf(model, f);
    const key = l.layer === 'platform' ? `platform-${l.platforms[0]!.toLowerCase()}` : l.layer;
    const g = byLayer.get(key) ?? { layer: l.layer, ...(l.layer === 'platform' ? { platform: l.platforms[0]! } : {}), files: [] };
    g.files.push(f);
    byLayer.set(key, g);
  }
  if (wantsDocs && !byLayer.has('docs')) open.push('which page under docs/ explains this: the model does not map documentation');

  const order: Layer[] = ['api', 'generic', 'platform', 'docs'];
  const groups = [...byLayer.entries()].sort((a, b) => order.indexOf(a[1].layer) - order.indexOf(b[1].layer) || a[0].localeCompare(b[0]));
  const allFiles = groups.flatMap(([, g]) => g.files);
  const impact = impactOf(model, allFiles, opts.owners ? { owners: opts.owners } : {});

  const phases: PlannedPhase[] = [];
  for (const [key, g] of groups) {
    const id = key === 'api' ? 'api-surface' : key === 'generic' ? 'controller' : key;
    const sourceFiles = [...g.files].sort();
    const tests = g.layer === 'api' || g.layer === 'docs' ? [] : sourceFiles.map(testFileOf).filter((t): t is string => !!t);
    const phaseImpact = impactOf(model, sourceFiles, opts.owners ? { owners: opts.owners } : {});
    const constraints = [
      ...phaseImpact.invariants.map((i) => `re-check invariant ${i.id}: ${i.statement}`),
      ...phaseImpact.boundaryRules.map((r) => `boundary rule ${r}: ${model.map.boundaryRules.find((b) => b.id === r)?.insteadDo ?? ''}`),
      ...(phaseImpact.reviewers && phaseImpact.reviewers.approvers.length
        ? [`approvers from OWNERS: ${phaseImpact.reviewers.approvers.slice(0, 4).join(', ')}`]
        : []),
      ...(g.layer === 'platform' && g.platform
        ? [`platform-specific: ${g.platform} only; e2e ${model.matrix.platforms.find((p) => p.id === g.platform)?.e2eSuites.join(', ') || 'none modelled'}`]
        : []),
    ];
    const validation =
      g.layer === 'api'
        ? [
            { command: opts.commands.api, why: 'API types changed: regenerate deepcopy, CRDs and the API reference' },
            { command: opts.commands.verify, why: 'generated code and markers must be in sync' },
          ]
        : g.layer === 'docs'
          ? [{ command: opts.commands.verify, why: 'docs build and links' }]
          : [
              { command: opts.commands.test, why: `unit tests beside ${sourceFiles.map((f) => f.split('/').pop()).join(', ')}` },
              { command: opts.commands.verify, why: 'lint and generated code' },
            ];
    const previous = phases.at(-1);
    const title =
      g.layer === 'api'
        ? 'API surface: types, markers and generated code'
        : g.layer === 'docs'
          ? 'Docs: describe the change'
          : g.layer === 'platform'
            ? `${g.platform}: platform-specific code`
            : `Generic code: ${[...new Set(sourceFiles.map((f) => componentOf(f) ?? 'unmodelled'))].join(', ')}`;
    phases.push({
      id,
      title,
      activity: g.layer === 'api' ? 'api_changes' : g.layer === 'generic' ? 'core_logic' : 'implementation',
      files: sourceFiles,
      constraints: [...constraints, ...(tests.length ? [`extend or add the unit tests beside the code: ${tests.join(', ')}`] : [])],
      validation,
      dependsOn: previous ? [previous.id] : [],
      mergeOrder: phases.length + 1,
    });
  }

  const concepts = new Map<string, MatchedConcept>();
  for (const c of chosen) {
    for (const [id, kind] of c.e.nodes) {
      const known = concepts.get(id) ?? { kind, id, matchedBy: [] };
      known.matchedBy = [...new Set([...known.matchedBy, ...c.by])];
      concepts.set(id, known);
    }
  }
  for (const n of named) concepts.set(n.file, { kind: 'file', id: n.file, matchedBy: [n.name] });
  for (const p of platforms) concepts.set(p, { kind: 'platform', id: p, matchedBy: [...vocab.platformWords.get(p)!].filter((w) => askedSet.has(w)) });

  const unknownWords = asked.filter((w) => !vocab.known.has(w));
  if (chosen.length === 0)
    open.push(
      `the model maps none of the intention's words to code: ${anchor ? `the skeleton starts at ${anchor.name}'s entry point;` : ''} confirm the files`,
    );
  if (unknownWords.length) open.push(`not in the model's vocabulary: ${unknownWords.slice(0, 8).join(', ')} (find the code that handles them)`);
  open.push('which functions change inside the named files, and the test cases that prove it');
  if (!platforms.length && impact.platforms.scope === 'generic')
    open.push(`generic change: decide whether every platform (${impact.platforms.affected.join(', ')}) needs an e2e run`);

  const reviewers = opts.owners ? suggestReviewers(opts.owners, allFiles) : undefined;
  const summary = [
    `Grounded skeleton from the domain model: ${
      [...concepts.values()]
        .slice(0, 8)
        .map((c) => `${c.kind} ${c.id}`)
        .join('; ') || 'no concept named; anchored on the NodePool controller'
    }.`,
    impact.platforms.scope === 'none'
      ? ''
      : `Platforms: ${impact.platforms.scope === 'generic' ? `generic (${impact.platforms.affected.join(', ')})` : impact.platforms.specific.join(', ')}.`,
    reviewers && reviewers.approvers.length ? `Approvers (OWNERS): ${reviewers.approvers.slice(0, 5).join(', ')}.` : '',
    `Open for the developer or Claude: ${open.join('; ')}.`,
  ]
    .filter(Boolean)
    .join(' ');

  return {
    summary,
    phases,
    concepts: [...concepts.values()],
    platforms: impact.platforms.specific.length ? impact.platforms.specific : platforms,
    components: impact.components.map((c) => c.id),
    invariants: impact.invariants.map((i) => i.id),
    open,
    unknownWords,
  };
}

/** Whether a path is one the model maps (a concrete file it cites), for callers that check plans. */
export function modelKnowsFile(model: DomainModel, file: string): boolean {
  return vocabulary(model).files.has(file) || model.map.components.some((c) => matchAny(c.paths, file));
}
