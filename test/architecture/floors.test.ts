// The rooms stand on floors: a file may import its own floor and the floors below, never one above. An
// import from a lower floor up means a shared thing lives in the wrong room (usually a type that belongs in
// src/contracts). None is left. Should one ever have to stay for a while, it is listed below with why, and
// the importing line carries a comment saying so; at most three may be listed. Adding an unlisted one fails
// this test, and so does removing one without shortening the list. docs/architecture.md draws the same floors.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productFiles, projectImports, root } from './graph.js';
import { floorOf, roomOf } from './rooms.js';

/** The imports that still run up a floor, as "from -> to", and why each stays for now. Empty: keep it so. */
const upwardImports: Record<string, string> = {};

/** Every import in `files` that runs from a lower floor to a higher one, as "from -> to". */
export function upwardImportsIn(files: readonly string[]): string[] {
  return climbs(files.flatMap((file) => projectImports(file).map((target) => [file, target] as const)));
}

/** The edges (importing file, imported file) that run from a lower floor to a higher one, as "from -> to". */
export function climbs(edges: ReadonlyArray<readonly [string, string]>): string[] {
  const upward: string[] = [];
  for (const [file, target] of edges) {
    const from = floorOf.get(roomOf(file));
    const to = floorOf.get(roomOf(target));
    if (from !== undefined && to !== undefined && to > from) upward.push(`${relative(root, file)} -> ${relative(root, target)}`);
  }
  return upward.sort();
}

/** Whether the import of `target` in `file` has a `//` comment on the line above the statement. */
export function importIsCommented(file: string, target: string): boolean {
  const lines = readFileSync(file, 'utf8').split('\n');
  const specifier = relative(join(file, '..'), target).replace(/\.ts$/, '.js');
  const at = lines.findIndex((line) => line.includes(`'${specifier.startsWith('.') ? specifier : `./${specifier}`}'`));
  if (at < 0) return false;
  let start = at;
  while (start > 0 && !/^\s*(import|export)\b/.test(lines[start]!)) start--;
  return /^\s*\/\//.test(lines[start - 1] ?? '');
}

describe('floors', () => {
  const files = productFiles();

  it('place every room', () => {
    const unplaced = [...new Set(files.map(roomOf))].filter((room) => !floorOf.has(room));
    expect(unplaced, 'a new room needs a floor here and in docs/architecture.md').toEqual([]);
  });

  it('are climbed only by the listed imports, at most three, each commented where it is made', () => {
    expect(upwardImportsIn(files), 'move the shared type or rule down (usually into src/contracts)').toEqual(Object.keys(upwardImports).sort());
    expect(Object.keys(upwardImports).length).toBeLessThanOrEqual(3);
    for (const [edge, why] of Object.entries(upwardImports)) {
      const [from, to] = edge.split(' -> ') as [string, string];
      expect(why.length, `${edge}: say why it stays`).toBeGreaterThan(20);
      expect(importIsCommented(join(root, from), join(root, to)), `${edge}: comment the import line`).toBe(true);
    }
  });

  it('catch an import up a floor', () => {
    // Guards the check itself: a database file reaching a surface climbs, the surface reaching the database
    // does not, and a file at the top of src/ or in workflows/ is placed by its room.
    const db = join(root, 'src/db/client.ts');
    const slack = join(root, 'src/slack/app.ts');
    const contracts = join(root, 'src/contracts/decisions.ts');
    const port = join(root, 'src/orchestrator/port.ts');
    expect(climbs([[db, slack]])).toEqual(['src/db/client.ts -> src/slack/app.ts']);
    expect(climbs([[slack, db]])).toEqual([]);
    expect(climbs([[contracts, port]])).toEqual(['src/contracts/decisions.ts -> src/orchestrator/port.ts']);
    expect(projectImports(port)).toContain(contracts);
    expect(roomOf(join(root, 'src/cli.ts'))).toBe('cli');
    expect(roomOf(join(root, 'workflows/work-item/run.ts'))).toBe('workflows');
  });

  it('see a comment above a multi-line import', () => {
    // Guards importIsCommented on the fixture: its import of a.ts spans three lines under a comment line.
    expect(importIsCommented(join(root, 'test/architecture/fixtures/forms.ts'), join(root, 'test/architecture/fixtures/a.ts'))).toBe(true);
    expect(importIsCommented(join(root, 'test/architecture/fixtures/a.ts'), join(root, 'test/architecture/fixtures/b.ts'))).toBe(true);
    expect(importIsCommented(join(root, 'test/architecture/fixtures/forms.ts'), join(root, 'test/architecture/fixtures/b.ts'))).toBe(false);
  });
});
