// A minimal reader of the domain-models/*.yaml files (components, boundary rules, failure modes): what the
// agent falls back to when the domain model engine cannot load them, so a model being edited does not take
// the agent down with it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { overlap, tokenize, type DomainModelPort, type ModelAnswer, type ModelCitation, type ModelFinding } from './model-port.js';
import { globToRegExp } from './scope.js';

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

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

