// Coverage of the lines a change adds, from a `go test -coverprofile` profile. Pure. A profile line is
// "<import path>/<file>.go:<startLine>.<startCol>,<endLine>.<endCol> <statements> <count>"
// (https://pkg.go.dev/cmd/cover); an added line counts when a statement block spans it, and is covered when
// any such block ran. Added lines outside every block (comments, declarations, braces) do not count.
import { parseUnifiedDiff } from '../domain/diff.js';

export interface ChangedLineCoverage {
  /** Added lines inside statement blocks. */
  coverable: number;
  covered: number;
  /** Uncovered added lines as "file:first-last" ranges, in file order. */
  uncovered: string[];
}

interface Block {
  start: number;
  end: number;
  count: number;
}

/** Profile blocks per repository path; `modulePath` (go.mod's module line) is stripped from import paths. */
export function parseCoverProfile(profile: string, modulePath: string): Map<string, Block[]> {
  const out = new Map<string, Block[]>();
  const prefix = `${modulePath}/`;
  for (const raw of profile.split('\n')) {
    const m = /^(.+\.go):(\d+)\.\d+,(\d+)\.\d+ (\d+) (\d+)$/.exec(raw.trim());
    if (!m) continue;
    const file = m[1]!.startsWith(prefix) ? m[1]!.slice(prefix.length) : m[1]!;
    const list = out.get(file) ?? [];
    list.push({ start: Number(m[2]), end: Number(m[3]), count: Number(m[5]) });
    out.set(file, list);
  }
  return out;
}

/** Added lines of non-test Go files in the diff against the profile's blocks. */
export function changedLineCoverage(diff: string, profile: string, modulePath: string): ChangedLineCoverage {
  const blocks = parseCoverProfile(profile, modulePath);
  let coverable = 0;
  let covered = 0;
  const uncovered: string[] = [];
  for (const file of parseUnifiedDiff(diff, 'phase diff')) {
    if (!file.newPath || !file.newPath.endsWith('.go') || file.newPath.endsWith('_test.go')) continue;
    const inFile = blocks.get(file.newPath) ?? [];
    const missed: number[] = [];
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (line.kind !== 'add' || line.newLine === undefined) continue;
        const spanning = inFile.filter((b) => b.start <= line.newLine! && line.newLine! <= b.end);
        if (spanning.length === 0) continue;
        coverable += 1;
        if (spanning.some((b) => b.count > 0)) covered += 1;
        else missed.push(line.newLine);
      }
    }
    for (const range of ranges(missed)) uncovered.push(`${file.newPath}:${range}`);
  }
  return { coverable, covered, uncovered };
}

function ranges(lines: number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return out;
}
