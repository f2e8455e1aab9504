// What the agent needs from the domain model, as a small port. The engine in src/domain/ implements
// the real thing; `loadModelPort` prefers it and falls back to a minimal reader of the same YAML files
// (components, boundary rules, failure modes) so the agent keeps working while that engine evolves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDomainEnginePort } from './domain-port.js';
import { globToRegExp } from './scope.js';

/** A pointer into the model (node id) and, where the model has one, the real file it stands for. */
export interface ModelCitation {
  node: string;
  ref?: string;
}

export interface ModelAnswer {
  text: string;
  citations: ModelCitation[];
}

export interface ModelFinding {
  rule: string;
  file: string;
  line?: number;
  message: string;
  insteadDo?: string;
}

export interface DomainModelPort {
  /** Stable text for the cached part of a prompt: changes only when the model files change. */
  summary(): string;
  /** An answer with citations when the model can answer the question, otherwise undefined. */
  answer(question: string): ModelAnswer | undefined;
  /** Boundary and convention findings on the added lines of a unified diff. */
  checkDiff(diff: string): ModelFinding[];
  /** The model node that owns a repository path, when one does. */
  componentFor(path: string): string | undefined;
}

interface LooseComponent {
  id: string;
  name?: string;
  paths?: string[];
  owns?: string[];
  reads?: string[];
  mustNot?: string[];
  entry?: string;
  code?: string[];
}
interface LooseRule {
  id: string;
  reason?: string;
  paths?: string[];
  forbidImports?: string[];
  forbidIdentifiers?: string[];
  allowedExceptions?: string[];
  insteadDo?: string;
}
interface LooseFailureMode {
  id: string;
  summary?: string;
  description?: string;
  refs?: string[];
  ref?: string;
  [k: string]: unknown;
}

function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** Minimal reader of domain-models/*.yaml: enough for citations and import-boundary checks. */
export class YamlModelPort implements DomainModelPort {
  private readonly components: LooseComponent[] = [];
  private readonly rules: LooseRule[] = [];
  private readonly failureModes: LooseFailureMode[] = [];
  private readonly invariants: LooseFailureMode[] = [];
  private readonly sourceText: string[] = [];

  constructor(readonly dir: string) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      const doc = (parse(text) ?? {}) as Record<string, unknown>;
      this.components.push(...asArray<LooseComponent>(doc.components).filter((c) => typeof c?.id === 'string'));
      this.rules.push(...asArray<LooseRule>(doc.boundaryRules).filter((r) => typeof r?.id === 'string'));
      this.failureModes.push(...asArray<LooseFailureMode>(doc.failureModes).filter((m) => typeof m?.id === 'string'));
      this.invariants.push(...asArray<LooseFailureMode>(doc.invariants).filter((m) => typeof m?.id === 'string'));
      this.sourceText.push(`# ${f}\n${text}`);
    }
  }

  summary(): string {
    const lines = ['Domain model (components, owners, boundaries):'];
    for (const c of this.components) {
      lines.push(`- ${c.id} (${c.name ?? c.id}) paths ${asArray<string>(c.paths).join(', ')}; owns: ${asArray<string>(c.owns).join('; ')}; must not: ${asArray<string>(c.mustNot).join('; ')}`);
    }
    lines.push('Boundary rules:');
    for (const r of this.rules) lines.push(`- ${r.id}: ${r.reason ?? ''} Instead: ${r.insteadDo ?? ''}`);
    if (this.invariants.length) lines.push('Invariants:', ...this.invariants.map((i) => `- ${i.id}: ${String(i.statement ?? i.summary ?? i.description ?? '')}`));
    return lines.join('\n');
  }

  answer(question: string): ModelAnswer | undefined {
    const words = tokenize(question);
    const scored = [
      ...this.components.map((c) => ({ kind: 'component' as const, c, score: overlap(words, tokenize(`${c.id} ${c.name ?? ''} ${asArray<string>(c.owns).join(' ')}`)) })),
    ].filter((s) => s.score > 0);
    const modes = this.failureModes
      .map((m) => ({ m, score: overlap(words, tokenize(`${m.id} ${JSON.stringify(m)}`)) }))
      .filter((s) => s.score > 1)
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    scored.sort((a, b) => b.score - a.score);
    const top = scored.slice(0, 3);
    if (top.length === 0 && modes.length === 0) return undefined;
    const citations: ModelCitation[] = [];
    const parts: string[] = [];
    for (const { c } of top) {
      parts.push(`${c.name ?? c.id} (model node ${c.id}) owns ${asArray<string>(c.owns).join('; ') || 'nothing recorded'}; it must not ${asArray<string>(c.mustNot).join('; ') || '—'}.`);
      citations.push({ node: `component:${c.id}`, ...(c.entry ? { ref: c.entry } : {}) });
      for (const ref of asArray<string>(c.code).slice(0, 2)) citations.push({ node: `component:${c.id}`, ref });
    }
    for (const { m } of modes) {
      const refs = [...asArray<string>(m.refs), ...(typeof m.ref === 'string' ? [m.ref] : [])];
      parts.push(`Failure mode ${m.id}: ${String(m.summary ?? m.description ?? m.symptom ?? '')}`.trim());
      citations.push({ node: `failureMode:${m.id}`, ...(refs[0] ? { ref: refs[0] } : {}) });
    }
    return { text: parts.join('\n'), citations };
  }

  checkDiff(diff: string): ModelFinding[] {
    const findings: ModelFinding[] = [];
    for (const { file, line, text } of addedLines(diff)) {
      for (const rule of this.rules) {
        const inPaths = asArray<string>(rule.paths).some((g) => globToRegExp(g).test(file));
        const excepted = asArray<string>(rule.allowedExceptions).some((g) => globToRegExp(g).test(file));
        if (!inPaths || excepted) continue;
        const hit = [...asArray<string>(rule.forbidImports).filter((imp) => new RegExp(`"${escapeRe(imp)}`).test(text)), ...asArray<string>(rule.forbidIdentifiers).filter((id) => text.includes(id))];
        if (hit.length > 0) {
          findings.push({ rule: rule.id, file, line, message: `${hit[0]} is not allowed here: ${rule.reason ?? ''}`.trim(), ...(rule.insteadDo ? { insteadDo: rule.insteadDo } : {}) });
        }
      }
    }
    return findings;
  }

  componentFor(path: string): string | undefined {
    return this.components.find((c) => asArray<string>(c.paths).some((g) => globToRegExp(g).test(path)))?.id;
  }
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

/** Added lines of a unified diff, with their new-file path and line number. */
export function addedLines(diff: string): Array<{ file: string; line: number; text: string }> {
  const out: Array<{ file: string; line: number; text: string }> = [];
  let file = '';
  let line = 0;
  for (const raw of diff.split('\n')) {
    if (raw.startsWith('+++ ')) {
      file = raw.slice(4).trim().replace(/^b\//, '');
      continue;
    }
    if (raw.startsWith('--- ')) continue;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (!file) continue;
    if (raw.startsWith('+')) {
      out.push({ file, line, text: raw.slice(1) });
      line++;
    } else if (!raw.startsWith('-') && !raw.startsWith('\\')) line++;
  }
  return out;
}

const stop = new Set(['the', 'a', 'an', 'of', 'to', 'from', 'and', 'or', 'is', 'are', 'what', 'which', 'who', 'how', 'me', 'show', 'in', 'on', 'for', 'does', 'do', 'it', 'with']);
function tokenize(s: string): Set<string> {
  return new Set(s.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2 && !stop.has(w)));
}
function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}
function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------
// Knowledge the agent may look up: the pattern library (tier 1) first, then whatever else is injected.

export interface KnowledgeHit {
  id: string;
  title: string;
  body: string;
  source: string;
}

export interface KnowledgePort {
  lookup(query: string, limit?: number): KnowledgeHit[];
}

/** Ranks entries by word overlap with the query; curated patterns are the only source offline. */
export function staticKnowledge(entries: KnowledgeHit[]): KnowledgePort {
  return {
    lookup(query, limit = 3) {
      const words = tokenize(query);
      return entries
        .map((e) => ({ e, score: overlap(words, tokenize(`${e.id} ${e.title} ${e.body}`)) }))
        .filter((s) => s.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map((s) => s.e);
    },
  };
}
