// The repository stands alone: a user has only the clone, so nothing in src/, test/, scripts/ or bench/ may
// read the "shared" folder a development machine keeps beside it. The lint rule in eslint.config.js covers
// TypeScript; this scan covers every text file, shell scripts included, so `npm test` fails either way.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.js';

// Built from parts (and described without the path itself) so this file does not match itself.
const up = '..';
const name = 'shared';
const OUTSIDE = [
  new RegExp(`\\.\\.[\\\\/]+${name}\\b`), // the parent directory's folder, either separator
  new RegExp(`[\\\\/]work[\\\\/]${name}\\b`), // the machine path of the same folder
  new RegExp(`['"\`]\\.\\.['"\`]\\s*,\\s*['"\`]${name}['"\`]`), // path.join(dir, up, name) with literals
];
const BINARY = /\.(gz|png|jpe?g|gif|webp|ico|pdf|wasm|zip)$/;

function readsOutside(text: string): number[] {
  return text.split('\n').flatMap((line, i) => (OUTSIDE.some((re) => re.test(line)) ? [i + 1] : []));
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'artifacts') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : e.isFile() && !BINARY.test(e.name) ? [p] : [];
  });
}

describe('the repository stands alone', () => {
  it('recognises each way of naming the folder beside the clone', () => {
    expect(readsOutside(`readFileSync('${up}/${name}/hypershift/tree.txt')`)).toEqual([1]);
    expect(readsOutside(`x\nconst dir = \`\${root}/${up}/${name}\``)).toEqual([2]);
    expect(readsOutside(`join(import.meta.dirname, '${up}', '${name}', 'hypershift')`)).toEqual([1]);
    expect(readsOutside(`cat /work/${name}/hypershift/facts.yaml`)).toEqual([1]);
    expect(readsOutside(`types: 'public_channel,${name}'\nconst ${name}Files = []`)).toEqual([]);
  });

  it('nothing in src/, test/, scripts/ or bench/ reads it', () => {
    const scanned = ['src', 'test', 'scripts', 'bench'].flatMap((d) => files(join(repoRoot, d)));
    expect(scanned.length).toBeGreaterThan(100);
    const offenders = scanned.flatMap((f) => readsOutside(readFileSync(f, 'utf8')).map((line) => `${relative(repoRoot, f)}:${line}`));
    expect(offenders).toEqual([]);
  });
});
