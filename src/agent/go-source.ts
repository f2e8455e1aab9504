// Small, pure helpers for the offline recipes that edit or read Go source written by gofmt: the import
// block, top-level functions and string-slice variables. They do not parse Go; they rely on gofmt's layout
// (one import spec per line, a function's closing brace alone at column 0), which `make verify` enforces.

export interface GoImport {
  path: string;
  alias?: string;
}

/** Standard-library paths have no dot in their first element ("strings", "net/http"). */
const isStdlib = (path: string): boolean => !path.split('/')[0]!.includes('.');

const specLine = (i: GoImport): string => `\t${i.alias ? `${i.alias} ` : ''}"${i.path}"`;
const pathOf = (line: string): string | undefined => /"([^"]+)"/.exec(line)?.[1];

/**
 * Adds the imports the source lacks, the way goimports would: standard library into the first group of
 * standard-library imports, the rest into the last group of other imports, each group sorted by path.
 */
export function ensureImports(source: string, wanted: GoImport[]): string {
  const lines = source.split('\n');
  let open = lines.findIndex((l) => l === 'import (');
  if (open < 0) {
    // `import "x"` on one line becomes a block; a file without imports gets one after the package clause.
    const single = lines.findIndex((l) => /^import\s+(\w+\s+)?"[^"]+"$/.test(l));
    if (single >= 0) {
      lines.splice(single, 1, 'import (', `\t${lines[single]!.replace(/^import\s+/, '')}`, ')');
      open = single;
    } else {
      const pkg = lines.findIndex((l) => /^package \w+/.test(l));
      if (pkg < 0) throw new Error('not a Go file: no package clause');
      lines.splice(pkg + 1, 0, '', 'import (', ')');
      open = pkg + 2;
    }
  }
  const close = lines.findIndex((l, i) => i > open && l === ')');
  const present = new Set(
    lines
      .slice(open + 1, close)
      .map(pathOf)
      .filter(Boolean),
  );
  const missing = wanted.filter((w) => !present.has(w.path));
  if (missing.length === 0) return source;

  // Groups of spec lines, split at blank lines (comments stay with the line below them).
  const groups: string[][] = [[]];
  for (const l of lines.slice(open + 1, close)) {
    if (l.trim() === '') groups.push([]);
    else groups.at(-1)!.push(l);
  }
  const nonEmpty = groups.filter((g) => g.length > 0);
  const groupIsStd = (g: string[]) => g.every((l) => !pathOf(l) || isStdlib(pathOf(l)!));
  for (const m of missing) {
    const std = isStdlib(m.path);
    let target = std ? nonEmpty.find(groupIsStd) : [...nonEmpty].reverse().find((g) => !groupIsStd(g));
    if (!target) {
      target = [];
      if (std) nonEmpty.unshift(target);
      else nonEmpty.push(target);
    }
    target.push(specLine(m));
    target.sort((a, b) => (pathOf(a) ?? '').localeCompare(pathOf(b) ?? ''));
  }
  const block = nonEmpty.flatMap((g, i) => (i === 0 ? g : ['', ...g]));
  lines.splice(open + 1, close - open - 1, ...block);
  return lines.join('\n');
}

/** Appends top-level declarations at the end of the file, one blank line apart, with one final newline. */
export function appendDeclarations(source: string, declarations: string): string {
  return `${source.replace(/\s*$/, '')}\n\n${declarations.replace(/\s*$/, '')}\n`;
}

export interface GoFunction {
  name: string;
  /** The receiver type for methods, e.g. "*NodePoolReconciler". */
  receiver?: string;
  /** The whole declaration, signature to closing brace. */
  text: string;
}

/** Top-level functions and methods of a gofmt-formatted file. */
export function goFunctions(source: string): GoFunction[] {
  const lines = source.split('\n');
  const out: GoFunction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^func\s+(?:\(\s*\w*\s*([^)]*)\)\s*)?(\w+)\s*[[(]/.exec(lines[i]!);
    if (!head) continue;
    let end = i;
    if (!lines[i]!.endsWith('}')) {
      end = lines.findIndex((l, j) => j > i && l === '}');
      if (end < 0) break;
    }
    out.push({ name: head[2]!, ...(head[1] ? { receiver: head[1].trim() } : {}), text: lines.slice(i, end + 1).join('\n') });
    i = end;
  }
  return out;
}

/** The string literals of `var name = []string{...}` in the file, or undefined when it is not declared. */
export function stringSliceVar(source: string, name: string): string[] | undefined {
  const m = new RegExp(`^var ${name} = \\[\\]string\\{([^}]*)\\}`, 'm').exec(source);
  if (!m) return undefined;
  return [...m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => JSON.parse(`"${s[1]!}"`) as string);
}

/** A Go interpreted string literal for plain text (JSON's escapes are a subset Go accepts for ASCII). */
export function goString(text: string): string {
  return JSON.stringify(text);
}

/** The module path declared in go.mod. */
export function goModulePath(goMod: string): string | undefined {
  return /^module\s+(\S+)/m.exec(goMod)?.[1];
}

/** The doc comment directly above line `index` (without the `//` markers), or undefined. */
export function docCommentAbove(lines: string[], index: number): string | undefined {
  const comment: string[] = [];
  for (let i = index - 1; i >= 0 && /^\s*\/\//.test(lines[i]!); i--) comment.unshift(lines[i]!.replace(/^\s*\/\/\s?/, ''));
  return comment.length ? comment.join(' ') : undefined;
}

export interface GoConstSpec {
  name: string;
  /** The declared type ("ConditionType"), absent for an untyped constant. */
  type?: string;
  /** The value's text as written: `"Ready"`, `Prefix + "/Available"`, or absent (iota continuation). */
  value?: string;
  /** The string value when the value is one interpreted string literal. */
  stringValue?: string;
  /** 0-based line index of the spec. */
  line: number;
  doc?: string;
}

export interface GoConstBlock {
  /** 0-based line of `const (`, or of the single-line `const X = ...`. */
  open: number;
  /** 0-based line of the closing `)`; equal to `open` for a single-line declaration. */
  close: number;
  specs: GoConstSpec[];
}

const constSpec = /^\t(\w+)(?:\s+([\w.]+))?(?:\s*=\s*(.+?))?\s*(?:\/\/.*)?$/;

function specOf(lines: readonly string[], i: number, text: string): GoConstSpec | undefined {
  const m = constSpec.exec(text);
  if (!m) return undefined;
  const value = m[3];
  const literal = value !== undefined ? /^"((?:[^"\\]|\\.)*)"$/.exec(value)?.[1] : undefined;
  const doc = docCommentAbove(lines as string[], i);
  return {
    name: m[1]!,
    ...(m[2] ? { type: m[2] } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(literal !== undefined ? { stringValue: JSON.parse(`"${literal}"`) as string } : {}),
    line: i,
    ...(doc ? { doc } : {}),
  };
}

/** Top-level const declarations of a gofmt-formatted file, with each constant's name, type, value and doc comment. */
export function goConstBlocks(source: string): GoConstBlock[] {
  const lines = source.split('\n');
  const out: GoConstBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'const (') {
      const close = lines.findIndex((l, j) => j > i && l === ')');
      if (close < 0) break;
      const specs: GoConstSpec[] = [];
      for (let j = i + 1; j < close; j++) {
        const l = lines[j]!;
        if (/^\s*(\/\/.*)?$/.test(l)) continue;
        const spec = specOf(lines, j, l);
        if (spec) specs.push(spec);
      }
      out.push({ open: i, close, specs });
      i = close;
    } else if (line.startsWith('const ')) {
      const spec = specOf(lines, i, `\t${line.slice('const '.length)}`);
      if (spec) out.push({ open: i, close: i, specs: [spec] });
    }
  }
  return out;
}

/** Every top-level constant of the file. */
export function goConstants(source: string): GoConstSpec[] {
  return goConstBlocks(source).flatMap((b) => b.specs);
}
