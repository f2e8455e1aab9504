// The import graph of src/ and workflows/ has no cycles: a cycle means two rooms each need the other, so
// neither can be read, tested or moved alone. Type-only imports count too: they tie the rooms together
// just the same.
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleSpecifiers, productFiles, projectImports, root } from './graph.js';

/** Every cycle found by a depth-first walk, each as the list of files (relative to the repository) it runs through. */
export function importCycles(files: string[]): string[][] {
  const known = new Set(files);
  const edges = new Map(files.map((file) => [file, projectImports(file).filter((target) => known.has(target))]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(root, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe('import graph', () => {
  const files = productFiles();

  it('reads the imports it is meant to read', () => {
    // Guards the pattern itself: if it stopped matching, the cycle check below would pass on an empty graph.
    const imports = projectImports(join(root, 'src/cli.ts'));
    expect(imports.length).toBeGreaterThan(0);
    expect(importCycles([join(root, 'test/architecture/fixtures/a.ts'), join(root, 'test/architecture/fixtures/b.ts')])).toEqual([
      ['test/architecture/fixtures/a.ts', 'test/architecture/fixtures/b.ts', 'test/architecture/fixtures/a.ts'],
    ]);
  });

  it('reads every form of import, type-only ones included, and nothing in comments or strings', () => {
    expect(moduleSpecifiers(join(root, 'test/architecture/fixtures/forms.ts'))).toEqual(['./a.js', './b.js', './later.js', './later.js']);
    expect(projectImports(join(root, 'test/architecture/fixtures/forms.ts'))).toContain(join(root, 'test/architecture/fixtures/later.ts'));
  });

  it('covers src/ and workflows/', () => {
    const read = files.map((file) => relative(root, file));
    expect(read).toEqual(expect.arrayContaining(['src/contracts/decisions.ts', 'src/cli.ts', 'workflows/work-item.ts', 'workflows/work-item/run.ts']));
  });

  it('has no cycles among src/ and workflows/', () => {
    expect(importCycles(files)).toEqual([]);
  });
});
