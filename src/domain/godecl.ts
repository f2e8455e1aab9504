// Top-level declarations of a Go file with their line numbers: functions, methods (as Receiver.Name), types,
// constants and variables, single or in parenthesised groups. gofmt'd source is assumed (declarations at
// column 0, group members one tab in), which is what HyperShift's CI enforces. Pure.

/** Declared name -> 1-based line. Methods are keyed "Receiver.Name"; the first declaration wins. */
export type GoDeclarations = Record<string, number>;

const FUNC = /^func\s+([A-Za-z_]\w*)\s*[[(]/;
// func (r *Recv) Name(   func (Recv) Name(   func (b *Recv[T]) Name[
const METHOD = /^func\s+\(\s*(?:[A-Za-z_]\w*\s+)?\*?\s*([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\)\s*([A-Za-z_]\w*)\s*[[(]/;
const SINGLE = /^(type|const|var)\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)/;
const GROUP_OPEN = /^(type|const|var)\s*\(\s*(?:\/\/.*)?$/;
const GROUP_MEMBER = /^\t([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)/;

/** Backticks outside comments and interpreted strings toggle a raw string literal. */
function rawStringToggles(line: string): number {
  let count = 0;
  let inQuote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === inQuote) inQuote = null;
      continue;
    }
    if (c === '/' && line[i + 1] === '/') break;
    if (c === '"' || c === "'") inQuote = c;
    else if (c === '`') count++;
  }
  return count;
}

export function goDeclarations(text: string): GoDeclarations {
  const out: GoDeclarations = {};
  const add = (name: string, line: number) => {
    if (name !== '_' && out[name] === undefined) out[name] = line;
  };
  const lines = text.split('\n');
  let group = false;
  let inRaw = false;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (inRaw) {
      // a raw string ends at its next backtick; the rest of the line is ordinary code again
      const close = line.indexOf('`');
      if (close < 0) continue;
      inRaw = rawStringToggles(line.slice(close + 1)) % 2 === 1;
      continue;
    }
    if (inComment) {
      if (line.includes('*/')) inComment = false;
      continue;
    }
    if (/^\s*\/\*/.test(line) && !line.includes('*/')) {
      inComment = true;
      continue;
    }
    if (group) {
      if (/^\)/.test(line)) group = false;
      else {
        const m = GROUP_MEMBER.exec(line);
        if (m?.[1]) for (const name of m[1].split(',')) add(name.trim(), lineNo);
      }
    } else {
      let m: RegExpExecArray | null;
      if ((m = METHOD.exec(line))) add(`${m[1]}.${m[2]}`, lineNo);
      else if ((m = FUNC.exec(line))) add(m[1]!, lineNo);
      else if (GROUP_OPEN.test(line)) group = true;
      else if ((m = SINGLE.exec(line))) for (const name of m[2]!.split(',')) add(name.trim(), lineNo);
    }
    if (rawStringToggles(line) % 2 === 1) inRaw = true;
  }
  return out;
}

/**
 * Where a symbol as a model writes it is declared: "Recv.Name" is a method or, for a type, a member; a bare
 * name is a top-level declaration or else a method of that name. With several methods of one name, the one at
 * `nearLine` wins when given. Undefined when nothing of that name is declared.
 */
export function findDeclaration(decls: GoDeclarations, symbol: string, nearLine?: number): number | undefined {
  const exact = decls[symbol];
  if (exact !== undefined) return exact;
  if (symbol.includes('.')) return undefined;
  const methods = Object.entries(decls).filter(([k]) => k.endsWith(`.${symbol}`) && k.indexOf('.') === k.length - symbol.length - 1);
  if (methods.length === 0) return undefined;
  if (nearLine !== undefined) {
    const at = methods.find(([, l]) => l === nearLine);
    if (at) return at[1];
  }
  return methods.map(([, l]) => l).sort((a, b) => a - b)[0];
}
