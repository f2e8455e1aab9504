// The domain model engine (src/domain/) behind the agent's port: answers come from findPath, impactOf,
// platformVariations and explain, and rule checks from checkDiff, each with the model nodes and real
// files they rest on.
import {
  checkDiff, explain, findPath, impactOf, loadDomainModel, matchAny, platformVariations, renderExplanation, renderImpact, renderPath, renderPlatform, type DomainModel,
} from '../domain/index.js';
import { isUserError } from '../contracts/failures.js';
import type { DomainModelPort, ModelAnswer, ModelCitation, ModelFinding } from './model-port.js';
import { YamlModelPort } from './yaml-model.js';

const refLike = /\b((?:api|hypershift-operator|control-plane-operator|support|cmd|ignition-server|karpenter-operator|test|docs)\/[\w./-]+(?::\d+)?(?:#[\w.]+)?)/g;

function refsIn(value: unknown): string[] {
  return [...new Set([...JSON.stringify(value).matchAll(refLike)].map((m) => m[1]!))];
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (isUserError(err)) return undefined;
    throw err;
  }
}

export class DomainEnginePort implements DomainModelPort {
  private summaryText?: string;
  constructor(readonly model: DomainModel) {}

  summary(): string {
    this.summaryText ??= [
      'Components (who owns what, what each must not do):',
      ...this.model.map.components.map((c) => `- ${c.id} (${c.name}); paths ${c.paths.join(', ')}; owns ${c.owns.join('; ')}; must not ${c.mustNot.join('; ')}`),
      'Boundary rules:',
      ...this.model.map.boundaryRules.map((r) => `- ${r.id}: ${r.reason} Instead: ${r.insteadDo}`),
      'Lifecycle invariants:',
      ...this.model.lifecycle.invariants.map((i) => `- ${i.id}: ${JSON.stringify(i).slice(0, 300)}`),
      'Platforms:',
      ...this.model.matrix.platforms.map((p) => `- ${p.id}`),
    ].join('\n');
    return this.summaryText;
  }

  answer(question: string): ModelAnswer | undefined {
    const q = question.trim();
    const path = /\bfrom\s+(?:an?\s+|the\s+)?(.+?)\s+to\s+(?:the\s+)?(.+?)[?.!]*$/i.exec(q);
    if (path) {
      const result = attempt(() => findPath(this.model, path[1]!, path[2]!));
      if (result) return { text: renderPath(result), citations: [...new Set(result.steps.flatMap((s) => [s.from, s.to]).map((c) => c.id))].map((id) => ({ node: `concept:${id}`, ref: [result.from, result.to, ...result.steps.flatMap((s) => [s.from, s.to])].find((c) => c.id === id)!.ref })) };
    }
    const files = [...q.matchAll(refLike)].map((m) => m[1]!.replace(/[:#].*$/, ''));
    if (/\b(impact|blast radius|affect|touch)/i.test(q) && files.length) {
      const result = impactOf(this.model, files);
      return { text: renderImpact(result), citations: [...result.components.map((c) => ({ node: `component:${c.id}` })), ...result.invariants.map((i) => ({ node: `invariant:${JSON.stringify(i).match(/"id":"([^"]+)"/)?.[1] ?? 'invariant'}` })), ...files.map((f) => ({ node: 'file', ref: f }))] };
    }
    const platform = this.model.matrix.platforms.find((p) => new RegExp(`\\b${p.id}\\b`, 'i').test(q));
    if (platform && /\bplatform|differ|variation|on\s+\w+\b/i.test(q)) {
      const result = attempt(() => platformVariations(this.model, platform.id));
      if (result) return { text: renderPlatform(result), citations: [{ node: `platform:${platform.id}` }, ...refsIn(result).slice(0, 8).map((ref) => ({ node: `platform:${platform.id}`, ref }))] };
    }
    // explain() takes one name; try the longest phrases of the question first.
    const words = q.replace(/[?.!,]/g, ' ').split(/\s+/).filter(Boolean);
    for (let n = Math.min(4, words.length); n >= 1; n--) {
      for (let i = 0; i + n <= words.length; i++) {
        const phrase = words.slice(i, i + n).join(' ');
        if (phrase.length < 3) continue;
        const e = attempt(() => explain(this.model, phrase));
        if (e) {
          const citations: ModelCitation[] = [{ node: `${e.kind}:${e.id}` }, ...e.refs.slice(0, 8).map((ref) => ({ node: `${e.kind}:${e.id}`, ref }))];
          return { text: renderExplanation(e), citations };
        }
      }
    }
    return undefined;
  }

  checkDiff(diff: string): ModelFinding[] {
    return checkDiff(this.model, diff).violations.map((v) => ({ rule: v.ruleId, file: v.file, line: v.line, message: `${v.message}${v.reason ? ` (${v.reason})` : ''}`, insteadDo: v.insteadDo }));
  }

  componentFor(path: string): string | undefined {
    return this.model.map.components.find((c) => matchAny(c.paths, path))?.id;
  }
}

export function loadDomainEnginePort(dir?: string): DomainEnginePort {
  return new DomainEnginePort(loadDomainModel(dir));
}

/**
 * The domain model engine when the models load; the minimal reader when they do not (a model being
 * edited must not take the agent down with it). `onFallback` hears why.
 */
export function loadModelPort(domainModelsDir: string, onFallback: (err: unknown) => void = () => {}): DomainModelPort {
  try {
    return loadDomainEnginePort(domainModelsDir);
  } catch (err) {
    onFallback(err);
    return new YamlModelPort(domainModelsDir);
  }
}
