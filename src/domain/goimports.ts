// Extracts the import specs of a Go file with their line numbers. Enough of Go's grammar for import
// declarations: `import "x"`, `import alias "x"` and parenthesised blocks, skipping comments.
export interface GoImport {
  path: string;
  alias?: string;
  line: number;
}

export interface GoFileImports {
  file: string;
  imports: GoImport[];
}

const SPEC = /^\s*(?:([\w.]+)\s+)?"([^"]+)"\s*(?:\/\/.*)?$/;
const SINGLE = /^\s*import\s+(?:([\w.]+)\s+)?"([^"]+)"/;

function spec(line: string, lineNo: number, re: RegExp): GoImport | null {
  const m = re.exec(line);
  if (!m?.[2]) return null;
  const out: GoImport = { path: m[2], line: lineNo };
  if (m[1]) out.alias = m[1];
  return out;
}

/** Line numbers (1-based) of import specs, plus the imports. Stops at the first top-level non-import decl. */
export function parseGoImports(file: string, text: string): GoFileImports {
  const imports: GoImport[] = [];
  const lines = text.split('\n');
  let inBlock = false;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (inComment) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      line = line.slice(end + 2);
      inComment = false;
    }
    const open = line.indexOf('/*');
    if (open >= 0 && line.indexOf('*/', open) < 0) {
      inComment = true;
      line = line.slice(0, open);
    }
    if (inBlock) {
      if (/^\s*\)/.test(line)) {
        inBlock = false;
        continue;
      }
      const s = spec(line, i + 1, SPEC);
      if (s) imports.push(s);
      continue;
    }
    if (/^\s*import\s*\(\s*(?:\/\/.*)?$/.test(line)) {
      inBlock = true;
      continue;
    }
    const single = spec(line, i + 1, SINGLE);
    if (single) {
      imports.push(single);
      continue;
    }
    if (/^(func|type|var|const)\b/.test(line)) break;
  }
  return { file, imports };
}

/** True when a single line looks like an import spec inside an import block (used on diff hunks). */
export function importSpecOf(line: string): { path: string; alias?: string } | null {
  const s = spec(line, 0, SINGLE) ?? spec(line, 0, SPEC);
  if (!s) return null;
  return s.alias ? { path: s.path, alias: s.alias } : { path: s.path };
}
