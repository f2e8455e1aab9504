// Rule checks on a unified diff (added lines only) and on a checkout's Go imports. The rules are data from
// capi-abstraction-map.yaml; this module only knows how to find imports, identifiers and condition code.
import { parseUnifiedDiff, type DiffFile } from './diff.js';
import { matchAny } from './glob.js';
import { importSpecOf, parseGoImports, type GoFileImports } from './goimports.js';
import { forbiddenBy, inBaseline, ratchetCovers } from './ratchet.js';
import type { BoundaryRule, Convention, DomainModel } from './schema.js';

export interface Violation {
  ruleId: string;
  kind: 'boundary' | 'convention' | 'ratchet';
  file: string;
  line: number;
  /** what was found: the import path, identifier or offending code */
  found: string;
  message: string;
  reason: string;
  insteadDo: string;
}

/** A ratcheted violation the change removes: the baseline can shrink by this entry. */
export interface RatchetPraise {
  ratchetId: string;
  file: string;
  import: string;
  message: string;
}

export interface CheckResult {
  ok: boolean;
  violations: Violation[];
  praise: RatchetPraise[];
  filesChecked: number;
  addedLines: number;
}

export interface CheckOptions {
  /** post-image of changed files (from --repo): makes import-block and condition-literal detection exact */
  fileContents?: Readonly<Record<string, string>>;
}

interface Line {
  text: string;
  newLine: number;
  added: boolean;
}

export function rulesForFile(rules: readonly BoundaryRule[], file: string): BoundaryRule[] {
  return rules.filter((r) => matchAny(r.paths, file) && !matchAny(r.allowedExceptions, file));
}

function importViolation(rule: BoundaryRule, file: string, line: number, importPath: string): Violation | null {
  const hit = rule.forbidImports.find((p) => importPath === p || importPath.startsWith(p));
  if (!hit) return null;
  return {
    ruleId: rule.id,
    kind: 'boundary',
    file,
    line,
    found: importPath,
    message: `import of "${importPath}" is not allowed here (forbidden prefix "${hit}")`,
    reason: rule.reason,
    insteadDo: rule.insteadDo,
  };
}

/** Code part of a Go line: comments and string contents removed, so identifiers in them do not count. */
function codeOf(text: string): string {
  return text
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/`[^`]*`/g, '``')
    .replace(/\/\/.*$/, '');
}

const CAMEL = /^(?:[a-z0-9.-]+\/)?[A-Z][A-Za-z0-9]*$/;
// The name must end in ConditionType, Condition or Reason (`endOfReasons = ",…"` is not a reason).
const CONST_DECL = /^\s*(?:const\s+)?([A-Za-z_]\w*(?:ConditionType|Condition|Reason))\b\s*(?:[\w.]+\s*)?=\s*"([^"]*)"/;
const LITERAL_FIELD = /^\s*(Type|Reason):\s*"([^"]*)"/;
const COND_OPEN = /Condition\{\s*$/;

/**
 * True when the slice a message joins is filled, in the lines we can see, inside a \`range\` over something that
 * is not machines (components, deployments): the rule is about listing every machine. Unknown filling counts as machines.
 */
function joinsNonMachines(text: string, lines: readonly Line[]): boolean {
  const joined = /strings\.Join\(\s*(\w+)\s*,/.exec(text)?.[1];
  if (!joined) return false;
  const appendAt = lines.findIndex((l) => new RegExp(`\\b${joined}\\s*=\\s*append\\(\\s*${joined}\\b`).test(l.text));
  if (appendAt < 0) return false;
  const indentOf = (t: string) => t.length - t.trimStart().length;
  for (let i = appendAt - 1; i >= 0; i--) {
    const range = /\bfor\b.*\brange\s+(.+?)\s*\{\s*$/.exec(lines[i]!.text);
    if (range && indentOf(lines[i]!.text) < indentOf(lines[appendAt]!.text)) return !/machine/i.test(range[1]!);
  }
  return false;
}

function conventionViolations(conv: Convention, file: string, lines: readonly Line[]): Violation[] {
  const out: Violation[] = [];
  const v = (line: number, found: string, message: string): Violation => ({
    ruleId: conv.id,
    kind: 'convention',
    file,
    line,
    found: found.trim(),
    message,
    reason: conv.reason,
    insteadDo: conv.insteadDo,
  });
  if (conv.detector === 'conditionConstValue') {
    for (const l of lines) {
      if (!l.added) continue;
      const m = CONST_DECL.exec(l.text);
      if (m?.[2] !== undefined && !CAMEL.test(m[2])) out.push(v(l.newLine, l.text, `${m[1]} = "${m[2]}": condition types and reasons must be CamelCase`));
    }
  } else if (conv.detector === 'conditionLiteral') {
    // Track whether we are inside a `...Condition{` composite literal, by indentation of its opening line.
    let openIndent = -1;
    for (const l of lines) {
      const indent = l.text.length - l.text.trimStart().length;
      if (openIndent < 0 && COND_OPEN.test(l.text)) {
        openIndent = indent;
        continue;
      }
      if (openIndent >= 0 && /^\s*}/.test(l.text) && indent <= openIndent) {
        openIndent = -1;
        continue;
      }
      if (openIndent >= 0 && l.added) {
        const m = LITERAL_FIELD.exec(l.text);
        if (m) out.push(v(l.newLine, l.text, `condition ${m[1]} set from the string literal "${m[2]}" instead of a constant`));
      }
    }
  } else {
    for (const l of lines) {
      if (!l.added) continue;
      const t = l.text;
      const joinsIntoMessage =
        (/\bMessage:\s*strings\.Join\(/.test(t) || (/\b[mM]essages?\s*(?:=|\+=)/.test(t) && /strings\.Join\(/.test(t))) && !joinsNonMachines(t, lines);
      const appendsPerMachine = /\b[mM]essages?\s*(?:=\s*(?:[mM]essages?\s*\+|append\([mM]essages?,)|\+=)/.test(t) && /\b\w*[mM]achine\w*\.Name\b/.test(t);
      if (joinsIntoMessage || appendsPerMachine) out.push(v(l.newLine, t, 'condition message lists every machine instead of summarising'));
    }
  }
  return out;
}

/** A line with every space and tab removed: two lines equal under it differ only in whitespace (`git diff -w`). */
const withoutWhitespace = (text: string): string => text.replace(/\s+/g, '');

/** How many times the diff deletes each line, whitespace aside, across all its files. */
export function deletedLines(files: readonly DiffFile[]): Map<string, number> {
  const deleted = new Map<string, number>();
  for (const f of files)
    for (const h of f.hunks)
      for (const l of h.lines) {
        if (l.kind !== 'del') continue;
        const key = withoutWhitespace(l.text);
        deleted.set(key, (deleted.get(key) ?? 0) + 1);
      }
  return deleted;
}

/**
 * New-file line numbers of the lines a file's hunks really add. An added line that equals a line the diff
 * deletes, whitespace aside, was only re-indented, re-spaced or moved (a block moved into an \`if\` or into a
 * new function, gofmt realigning a const block): the rules judged it when it was written, so it is not judged
 * again. \`deleted\` is consumed, so a line deleted once excuses one added copy only; once it is empty (always,
 * for a diff that deletes nothing) the added lines are taken as they are, without building their keys. A
 * hunk that deletes nothing is not skipped on its own: its lines may be a block another hunk deleted (a move).
 */
export function changedLines(file: DiffFile, deleted: Map<string, number>): Set<number> {
  const added = new Set<number>();
  for (const h of file.hunks) {
    for (const l of h.lines) {
      if (l.kind !== 'add' || l.newLine === undefined) continue;
      if (deleted.size === 0) {
        added.add(l.newLine);
        continue;
      }
      const key = withoutWhitespace(l.text);
      const left = deleted.get(key);
      if (left === undefined) added.add(l.newLine);
      else if (left > 1) deleted.set(key, left - 1);
      else deleted.delete(key);
    }
  }
  return added;
}

/** The lines a file's hunks delete, as lines to judge (numbered in the old file). */
function deletedLinesOf(file: DiffFile): Line[] {
  return file.hunks.flatMap((h) => h.lines.flatMap((l) => (l.kind === 'del' ? [{ text: l.text, newLine: l.oldLine ?? 0, added: true }] : [])));
}

function linesOf(file: DiffFile, contents: string | undefined, deleted: Map<string, number>): { lines: Line[][]; added: Set<number> } {
  const added = changedLines(file, deleted);
  if (contents !== undefined) {
    // With the post-image, scan the whole file once so context outside the hunks is known.
    const all = contents.split('\n').map((text, i) => ({ text, newLine: i + 1, added: added.has(i + 1) }));
    return { lines: [all], added };
  }
  const lines = file.hunks.map((h) =>
    h.lines.filter((l) => l.kind !== 'del').map((l) => ({ text: l.text, newLine: l.newLine ?? 0, added: l.newLine !== undefined && added.has(l.newLine) })),
  );
  return { lines, added };
}

/** Boundary and convention violations introduced by the added lines of a diff. */
export function checkDiff(model: DomainModel, diff: string | readonly DiffFile[], opts: CheckOptions = {}): CheckResult {
  const files = typeof diff === 'string' ? parseUnifiedDiff(diff) : diff;
  const violations: Violation[] = [];
  let filesChecked = 0;
  let addedLines = 0;
  const deleted = deletedLines(files);
  for (const f of files) {
    if (!f.newPath || !f.newPath.endsWith('.go')) continue;
    filesChecked++;
    const path = f.newPath;
    const contents = opts.fileContents?.[path];
    const { lines, added } = linesOf(f, contents, deleted);
    addedLines += added.size;
    if (added.size === 0) continue;
    const rules = rulesForFile(model.map.boundaryRules, path);

    // imports: exact from the post-image when we have it, else any added line shaped like an import spec
    const importLines = new Map<number, string>();
    if (contents !== undefined) {
      for (const imp of parseGoImports(path, contents).imports) if (added.has(imp.line)) importLines.set(imp.line, imp.path);
    } else {
      for (const chunk of lines)
        for (const l of chunk) {
          if (!l.added || !l.text.includes('"')) continue;
          const s = importSpecOf(l.text);
          if (s) importLines.set(l.newLine, s.path);
        }
    }
    for (const rule of rules) {
      for (const [line, imp] of importLines) {
        const v = importViolation(rule, path, line, imp);
        if (v) violations.push(v);
      }
      if (rule.forbidIdentifiers.length === 0) continue;
      for (const chunk of lines)
        for (const l of chunk) {
          if (!l.added || importLines.has(l.newLine)) continue;
          const code = codeOf(l.text);
          for (const ident of rule.forbidIdentifiers) {
            if (code.includes(ident)) {
              violations.push({
                ruleId: rule.id,
                kind: 'boundary',
                file: path,
                line: l.newLine,
                found: ident,
                message: `use of ${ident} is not allowed here`,
                reason: rule.reason,
                insteadDo: rule.insteadDo,
              });
            }
          }
        }
    }
    for (const r of model.ratchets) {
      if (!ratchetCovers(r, path)) continue;
      for (const [line, imp] of importLines) {
        if (!forbiddenBy(r, imp) || inBaseline(r, path, imp)) continue;
        violations.push({
          ruleId: r.id,
          kind: 'ratchet',
          file: path,
          line,
          found: imp,
          message: `import of "${imp}" adds a violation of ratchet ${r.id} (${r.baseline.length} recorded in its baseline; none may be added)`,
          reason: r.reason,
          insteadDo: r.insteadDo,
        });
      }
    }
    for (const conv of model.map.conventions) {
      if (!matchAny(conv.paths, path) || matchAny(conv.except, path)) continue;
      const found = lines.flatMap((chunk) => conventionViolations(conv, path, chunk));
      // An edited line that already broke a line-local convention (a per-machine message whose arguments
      // changed) adds no violation: as many hits as the deleted lines of this file had are excused.
      const already = found.length > 0 && conv.detector !== 'conditionLiteral' ? conventionViolations(conv, path, deletedLinesOf(f)).length : 0;
      violations.push(...found.slice(already));
    }
  }
  violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.ruleId.localeCompare(b.ruleId));
  return { ok: violations.length === 0, violations, praise: ratchetPraise(model, files), filesChecked, addedLines };
}

/** Baseline entries whose import line the diff deletes without adding it back in the same file (or deletes the file). */
function ratchetPraise(model: DomainModel, files: readonly DiffFile[]): RatchetPraise[] {
  const out: RatchetPraise[] = [];
  for (const f of files) {
    const file = f.oldPath;
    if (!file || !file.endsWith('.go')) continue;
    const importsOf = (kind: 'add' | 'del') =>
      new Set(
        f.hunks.flatMap((h) =>
          h.lines
            .filter((l) => l.kind === kind)
            .map((l) => importSpecOf(l.text)?.path)
            .filter((p): p is string => p !== undefined),
        ),
      );
    const deleted = f.status === 'deleted' ? undefined : importsOf('del');
    const added = f.newPath === file ? importsOf('add') : new Set<string>();
    for (const r of model.ratchets) {
      for (const e of r.baseline) {
        if (e.file !== file || added.has(e.import) || (deleted && !deleted.has(e.import))) continue;
        out.push({
          ratchetId: r.id,
          file,
          import: e.import,
          message: `${file} no longer imports "${e.import}": one fewer violation of ratchet ${r.id}; shrink its baseline with \`sitroom model ratchet --repo <checkout> --update\``,
        });
      }
    }
  }
  return out;
}

/** Boundary-rule violations among the imports of whole Go files (used by `model verify --repo`). */
export function checkGoImports(model: DomainModel, files: readonly GoFileImports[]): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    const rules = rulesForFile(model.map.boundaryRules, f.file);
    for (const rule of rules) {
      for (const imp of f.imports) {
        const v = importViolation(rule, f.file, imp.line, imp.path);
        if (v) out.push(v);
      }
    }
  }
  return out;
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} [${v.ruleId}] ${v.message}\n    why: ${v.reason}\n    instead: ${v.insteadDo}`;
}
