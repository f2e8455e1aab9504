// docs/architecture.md is how a newcomer finds the file for a capability, so it is held to the tree: its
// floors are the ones floors.test.ts enforces, every file its tables name exists, and every command of the
// README's command table has a row saying which file runs it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './graph.js';
import { floorOf } from './rooms.js';

const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The body rows of the first markdown table after `heading`, as cells. */
export function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`no "${heading}" in the text`);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.replace(/\\\|/g, '|').trim()),
    );
  }
  return rows;
}

const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const isRepoPath = (token: string): boolean => /^(src|workflows|test|bench|scripts|docs)\//.test(token);

/** A room as the docs name it (`src/slack`, `src/cli.ts`, `workflows/`) in the floors test's terms. */
const roomName = (token: string): string => (token.startsWith('workflows') ? 'workflows' : token.replace(/^src\//, '').replace(/\.ts$/, ''));

describe('docs/architecture.md', () => {
  it('reads its tables', () => {
    // Guards the table reader: an escaped pipe stays inside its cell, and a table ends at its last row.
    expect(tableAfter('## T\n\n| a | b |\n| --- | --- |\n| `x \\| y` | z |\n\nafter', '## T')).toEqual([['`x | y`', 'z']]);
    expect(tableAfter(doc, '## Rooms and floors').length).toBeGreaterThan(10);
  });

  it('draws the floors that floors.test.ts enforces', () => {
    const drawn = new Map<string, number>();
    for (const [floor, rooms] of tableAfter(doc, '## Rooms and floors')) {
      for (const token of code(rooms!)) drawn.set(roomName(token), Number(floor));
    }
    expect(Object.fromEntries([...drawn].sort())).toEqual(Object.fromEntries([...floorOf].sort()));
  });

  it('names only files that exist', () => {
    const named = [
      ...tableAfter(doc, '## Which room owns which capability').flatMap((row) => code(row[1]!)),
      ...tableAfter(doc, '## Which file runs each command').flatMap((row) => [...code(row[1]!), ...code(row[2]!)]),
    ].filter((token) => token.includes('/'));
    expect(named.length).toBeGreaterThan(40);
    expect(
      named.filter((token) => !isRepoPath(token)),
      'name files by their path from the repository root',
    ).toEqual([]);
    expect(named.filter((token) => !existsSync(join(root, token)))).toEqual([]);
  });

  it('says which file runs every command of the README', () => {
    // A usage cell may continue an earlier usage with more options (`model impact --files a,b` / `--diff FILE`).
    const usages = tableAfter(readme, '## Command line').flatMap((row) => code(row[0]!));
    const commands = new Set(usages.map((usage) => usage.split(/\s/)[0]!).filter((word) => !word.startsWith('-')));
    expect(commands).toContain('outcome');
    const documented = new Map(tableAfter(doc, '## Which file runs each command').map((row) => [code(row[0]!)[0], code(row[1]!)[0]]));
    const missing = [...commands].filter((command) => !documented.get(command)?.startsWith('src/cli/'));
    expect(missing, 'add a row to "Which file runs each command"').toEqual([]);
  });
});
