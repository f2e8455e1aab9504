// No source file in src/, workflows/, bench/ or scripts/ runs over 500 lines: past that a file holds more
// than one job, and the one to read for a capability (or for a figure of the benchmarks) is no longer obvious. A file that grows past it is split along its
// responsibilities, not trimmed.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productFiles, root, sourceFiles } from './graph.js';

export const maxLines = 500;

export function lineCount(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.length === 0 ? 0 : text.replace(/\n$/, '').split('\n').length;
}

describe('source files', () => {
  it('are counted in lines as an editor shows them', () => {
    // Guards the counter: the fixture has ten lines and ends with a newline.
    expect(lineCount(join(root, 'test/architecture/fixtures/environment-reads.ts'))).toBe(10);
    expect(productFiles().map((file) => relative(root, file))).toContain('workflows/work-item.ts');
  });

  it(`stay within ${maxLines} lines`, () => {
    const long = [...productFiles(), ...sourceFiles(join(root, 'bench')), ...sourceFiles(join(root, 'scripts'))]
      .map((file) => ({ file: relative(root, file), lines: lineCount(file) }))
      .filter(({ lines }) => lines > maxLines);
    expect(long, 'split these along their responsibilities').toEqual([]);
  });
});
