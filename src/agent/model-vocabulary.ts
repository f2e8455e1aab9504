// The domain model's vocabulary for planning: every concrete file the model cites, with the stemmed words
// that name it (its path, the symbols and nodes citing it, concept aliases, platforms, declared names), and
// the word statistics the planner ranks files by. Built once per loaded model.
import { parseRef, type DomainModel } from '../domain/schema.js';
import { stopwords } from './tree-names.js';

/** One concept of the model the intention named, and the words that named it. */
export interface MatchedConcept {
  kind: 'platform' | 'state' | 'condition' | 'component' | 'concept' | 'invariant' | 'failure-mode' | 'file';
  id: string;
  matchedBy: string[];
}

/** Reduces a word to a crude stem so "upgrades", "upgrading" and "upgrade" meet. */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('es') && !w.endsWith('ses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Words of a text, of identifiers (camelCase, snake_case) and of paths, stemmed; compounds are kept whole too. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[^A-Za-z0-9]+/)) {
    if (!raw) continue;
    const parts = raw.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter(Boolean);
    for (const p of parts.length > 1 ? [raw, ...parts] : [raw]) {
      const lower = p.toLowerCase();
      if (lower.length < 2 || stopwords.has(lower) || /^\d+$/.test(lower)) continue;
      out.push(stem(lower));
    }
  }
  return out;
}

export const isConcreteFile = (p: string) => !p.includes('*') && !p.endsWith('/') && /\.[a-z]+$/.test(p) && !p.startsWith('vendor/');

export interface FileEntry {
  file: string;
  bag: Map<string, number>;
  /** words of the file's top-level declarations in the snapshot index (functions, types, methods) */
  declared: Set<string>;
  /** model nodes that cite the file, for the concepts report */
  nodes: Map<string, MatchedConcept['kind']>;
}

export interface Vocabulary {
  files: Map<string, FileEntry>;
  idf: Map<string, number>;
  /** how rare a word is among the declarations of the files the model cites */
  declaredIdf: Map<string, number>;
  avgBag: number;
  avgDeclared: number;
  /** platform id -> words that name it (its id, its provider's kinds, words only its rows use) */
  platformWords: Map<string, Set<string>>;
  known: Set<string>;
}

const cache = new WeakMap<DomainModel, Vocabulary>();

// How much a word counts, by where the model says it: a file's own name is its strongest handle.
export const weight = { basename: 3, dir: 2, symbol: 2, nodeId: 2, alias: 2.5, platform: 2.5, text: 0.6, declared: 0.8 } as const;

export function vocabulary(model: DomainModel): Vocabulary {
  const hit = cache.get(model);
  if (hit) return hit;
  const files = new Map<string, FileEntry>();
  const entry = (path: string): FileEntry | undefined => {
    if (!isConcreteFile(path)) return undefined;
    let e = files.get(path);
    if (!e) {
      e = { file: path, bag: new Map(), declared: new Set(), nodes: new Map() };
      const segments = path.replace(/\.[a-z]+$/, '').split('/');
      add(e, segments.at(-1)!, weight.basename);
      if (segments.length > 1) add(e, segments.at(-2)!, weight.dir);
      for (const s of segments.slice(0, -2)) add(e, s, 0.3);
      files.set(path, e);
    }
    return e;
  };
  const add = (e: FileEntry, text: string, w: number) => {
    for (const t of new Set(words(text))) e.bag.set(t, Math.max(e.bag.get(t) ?? 0, w));
  };
  const cite = (refs: readonly string[], kind: MatchedConcept['kind'], id: string, texts: Array<[string, number]>) => {
    for (const r of refs) {
      const { path, symbol } = parseRef(r);
      const e = entry(path);
      if (!e) continue;
      e.nodes.set(id, kind);
      if (symbol) add(e, symbol, weight.symbol);
      for (const [t, w] of texts) add(e, t, w);
    }
  };

  const conditionText = (c: string) => model.lifecycle.conditionCatalog.find((e) => e.const === c)?.value ?? c;
  for (const c of model.lifecycle.conditionCatalog) cite([c.ref], 'condition', c.const, [[c.value, weight.nodeId]]);
  for (const st of model.lifecycle.states) {
    cite(st.code, 'state', st.id, [
      [st.id, weight.nodeId],
      [st.summary, weight.text],
      ...st.conditions.map((c): [string, number] => [conditionText(c), weight.text]),
    ]);
    for (const s of st.strategies)
      cite(s.code, 'state', `${st.id}.${s.id}`, [
        [s.id, weight.nodeId],
        [s.capiObject, weight.nodeId],
        [s.summary, weight.text],
      ]);
    for (const sub of st.substates)
      cite(sub.code, 'state', `${st.id}.${sub.id}`, [
        [sub.id, weight.nodeId],
        [sub.summary, weight.text],
        ...sub.conditions.map((c): [string, number] => [conditionText(c), weight.nodeId]),
      ]);
  }
  for (const pv of model.lifecycle.platformVariations)
    cite(pv.code, 'state', `${pv.state}@${pv.platform.join('+')}`, [
      [pv.behaviour, weight.text],
      ...pv.platform.map((p): [string, number] => [p, weight.platform]),
    ]);
  for (const inv of model.lifecycle.invariants)
    cite([...inv.enforcedBy, ...inv.recheckWhenTouching], 'invariant', inv.id, [
      [inv.id, weight.nodeId],
      [inv.statement, weight.text],
    ]);
  for (const c of model.map.components) {
    cite([c.entry, ...c.code, ...c.allPlatformFiles, ...(c.registeredAt ? [c.registeredAt] : [])], 'component', c.id, [
      [c.id, weight.nodeId],
      [c.name, weight.text],
      ...c.owns.map((o): [string, number] => [o, weight.text]),
    ]);
  }
  for (const ch of model.map.communication.channels) cite([ch.ref], 'component', ch.from, [[ch.how, weight.text]]);
  for (const ep of model.map.communication.dataPlaneMayReach) cite([ep.ref], 'component', 'data-plane', [[ep.endpoint, weight.text]]);
  for (const concept of model.flows.concepts)
    cite([concept.ref], 'concept', concept.id, [[concept.name, weight.alias], ...concept.aliases.map((a): [string, number] => [a, weight.alias])]);
  for (const edge of model.flows.edges) cite(edge.via, 'concept', `${edge.from}->${edge.to}`, [[edge.carries, weight.text]]);
  for (const step of model.matrix.newPlatformSteps) cite(step.refs, 'component', step.component, [[step.step, weight.text]]);

  // Platform rows: the files each platform owns, named by the platform's id, its aliases (EC2, CAPZ, Nova …)
  // and its machine kinds. Words a row merely happens to use (image, subnet) name no platform.
  const platformWords = new Map<string, Set<string>>();
  for (const p of model.matrix.platforms) {
    const names = new Set([
      p.id.toLowerCase(),
      ...words(p.id),
      ...p.aliases.filter((a) => !/\s/.test(a) && a.length > 2).flatMap((a) => words(a)),
      ...(p.machineTemplate ? [p.machineTemplate.kind, p.machineTemplate.providerMachineKind].map((k) => k.toLowerCase()) : []),
    ]);
    platformWords.set(p.id, names);
    const refs = [...p.files, p.constRef, ...(p.conditionSetter ? [p.conditionSetter] : []), ...(p.machineTemplate ? [p.machineTemplate.builder] : [])];
    for (const r of refs) {
      const e = entry(parseRef(r).path);
      if (!e) continue;
      e.nodes.set(p.id, 'platform');
      for (const w of names) e.bag.set(w, Math.max(e.bag.get(w) ?? 0, w === p.id.toLowerCase() ? weight.platform : weight.text));
    }
  }

  // The code's own names: what the snapshot index declares in each cited file (fetchAdditionalTrustBundle,
  // reconcileMachineHealthCheck) reach a file by the words its functions are named with.
  const declaredDf = new Map<string, number>();
  let declaringFiles = 0;
  for (const e of files.values()) {
    const decls = model.snapshot?.declarations[e.file];
    if (!decls) continue;
    declaringFiles++;
    for (const name of Object.keys(decls)) for (const t of words(name)) e.declared.add(t);
    for (const t of e.declared) declaredDf.set(t, (declaredDf.get(t) ?? 0) + 1);
  }
  const declaredIdf = new Map<string, number>();
  for (const [t, n] of declaredDf) if (n / Math.max(1, declaringFiles) < 0.2) declaredIdf.set(t, Math.log(1 + declaringFiles / n));

  const df = new Map<string, number>();
  for (const e of files.values()) for (const t of e.bag.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  // A word a fifth of the model's files carry (nodepool, controller, node) tells the files apart no better than chance.
  for (const [t, n] of df) if (n / files.size < 0.2) idf.set(t, Math.log(1 + files.size / n));
  const avgBag = [...files.values()].reduce((n, e) => n + e.bag.size, 0) / Math.max(1, files.size);
  const declaring = [...files.values()].filter((e) => e.declared.size > 0);
  const avgDeclared = declaring.reduce((n, e) => n + e.declared.size, 0) / Math.max(1, declaring.length);
  const vocab: Vocabulary = { files, idf, declaredIdf, avgBag, avgDeclared, platformWords, known: new Set([...df.keys(), ...declaredDf.keys()]) };
  cache.set(model, vocab);
  return vocab;
}
