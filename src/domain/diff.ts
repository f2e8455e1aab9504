// Unified diff parsing (git diff / diff -u). Pure: text in, files with numbered hunk lines out.
import { UserError } from '../contracts/failures.js';

export interface DiffLine {
  kind: 'add' | 'del' | 'ctx';
  text: string;
  /** line in the new file (add/ctx) */
  newLine?: number;
  /** line in the old file (del/ctx) */
  oldLine?: number;
}

export interface DiffHunk {
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

export interface DiffFile {
  oldPath: string | null;
  newPath: string | null;
  /** the path to report: new path, or old path for a deletion */
  path: string;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  hunks: DiffHunk[];
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

function stripPrefix(p: string): string | null {
  const clean = p.split('\t')[0]!.trim();
  if (clean === '/dev/null') return null;
  return clean.replace(/^[ab]\//, '');
}

export function parseUnifiedDiff(text: string, file = 'diff'): DiffFile[] {
  const files: DiffFile[] = [];
  let cur: DiffFile | null = null;
  let hunk: DiffHunk | null = null;
  let oldNo = 0;
  let newNo = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
      cur = { oldPath: m?.[1] ?? null, newPath: m?.[2] ?? null, path: m?.[2] ?? '', status: 'modified', hunks: [] };
      files.push(cur);
      hunk = null;
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      const oldPath = stripPrefix(line.slice(4));
      const newPath = stripPrefix(lines[i + 1]!.slice(4));
      if (!cur || cur.hunks.length > 0) {
        cur = { oldPath, newPath, path: '', status: 'modified', hunks: [] };
        files.push(cur);
      }
      cur.oldPath = oldPath;
      cur.newPath = newPath;
      cur.path = newPath ?? oldPath ?? '';
      cur.status = oldPath === null ? 'added' : newPath === null ? 'deleted' : oldPath !== newPath ? 'renamed' : 'modified';
      hunk = null;
      i++;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('new file mode')) cur.status = 'added';
    else if (line.startsWith('deleted file mode')) cur.status = 'deleted';
    const h = HUNK.exec(line);
    if (h) {
      oldNo = Number(h[1]);
      newNo = Number(h[2]);
      hunk = { oldStart: oldNo, newStart: newNo, lines: [] };
      cur.hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    const tag = line[0];
    if (tag === '+') hunk.lines.push({ kind: 'add', text: line.slice(1), newLine: newNo++ });
    else if (tag === '-') hunk.lines.push({ kind: 'del', text: line.slice(1), oldLine: oldNo++ });
    else if (tag === ' ' || line === '') {
      if (line === '' && i === lines.length - 1) continue; // trailing newline of the diff
      hunk.lines.push({ kind: 'ctx', text: line.slice(1), oldLine: oldNo++, newLine: newNo++ });
    } else if (tag === '\\')
      continue; // "\ No newline at end of file"
    else hunk = null;
  }
  if (text.trim().length > 0 && files.length === 0) {
    throw new UserError(`${file}:1 (diff): not a unified diff (no "diff --git" or "---/+++" header found)`, { file, line: 1 });
  }
  return files;
}

/** Every path a diff touches (new paths, and old paths of deletions and renames). */
export function diffPaths(files: readonly DiffFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    if (f.newPath) out.add(f.newPath);
    if (f.oldPath && f.oldPath !== f.newPath) out.add(f.oldPath);
  }
  return [...out];
}
