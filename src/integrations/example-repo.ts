// The example target repository as a fresh git repository in a folder of the caller's choosing, so a
// demo or a test can branch, commit and push without touching the copy shipped in examples/.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exampleTargetRepo } from '../config/load.js';
import { git } from './git.js';

export interface ExampleRepo {
  dir: string;
  /** Commit of the initial import on the default branch. */
  baseCommit: string;
  defaultBranch: string;
}

export async function createExampleRepo(dir: string, source: string = exampleTargetRepo): Promise<ExampleRepo> {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`createExampleRepo: ${dir} is not empty`);
  if (!existsSync(join(source, 'go.mod'))) throw new Error(`createExampleRepo: ${source} has no go.mod`);
  cpSync(source, dir, { recursive: true, filter: (src) => !src.split(/[\\/]/).includes('.git') });
  const defaultBranch = 'main';
  await git(dir, ['init', '-q', '-b', defaultBranch]);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'Import example target repository']);
  const baseCommit = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  return { dir, baseCommit, defaultBranch };
}
