// What the composition root reads from the target checkout as it is now: its OWNERS files (Prow reads them
// from the base branch) and the changes merged into its default branch (the briefing's precedents).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MergedChange } from '../briefing/memory.js';
import { buildOwnersIndex, type OwnersIndex } from '../domain/index.js';
import { git } from '../integrations/git.js';

/** The OWNERS files of the target checkout as they are now (Prow reads them from the base branch), or undefined when it has none. */
export async function checkoutOwners(repo: string): Promise<OwnersIndex | undefined> {
  const paths = (await git(repo, ['ls-files', '--', ':(glob)OWNERS', ':(glob)**/OWNERS', ':(glob)OWNERS_ALIASES'])).split('\n').filter(Boolean);
  if (!paths.some((p) => p.endsWith('OWNERS'))) return undefined;
  return buildOwnersIndex(paths.map((path) => ({ path, text: readFileSync(join(repo, path), 'utf8') })));
}

/** How far back the briefing looks for precedents in the target repository. */
const historyDepth = 300;

/**
 * Changes merged into the target repository's default branch, newest first, with the files each changed
 * (merges compared with their first parent). The initial import, which touches everything, is no precedent.
 */
export async function mergedChanges(repo: string, target: { repo: string; default_branch: string }): Promise<MergedChange[]> {
  let log: string;
  try {
    log = await git(repo, [
      'log',
      `-n${historyDepth}`,
      '--first-parent',
      '--diff-merges=first-parent',
      '--name-only',
      '--format=%x1e%H%x1f%P%x1f%cI%x1f%s',
      target.default_branch,
      '--',
    ]);
  } catch {
    return []; // an empty repository or a missing branch has no history to offer
  }
  const web = /^[\w.-]+\/[\w.-]+$/.test(target.repo) ? `https://github.com/${target.repo}` : undefined;
  return log
    .split('\x1e')
    .filter((r) => r.trim())
    .flatMap((record) => {
      const [head, ...files] = record.split('\n');
      const [sha, parents, mergedAt, subject] = head!.split('\x1f') as [string, string, string, string];
      if (!parents?.trim()) return [];
      const pr = /(?:Merge pull request #|\(#)(\d+)/.exec(subject ?? '')?.[1];
      return [{ sha, subject: subject ?? '', mergedAt, files: files.map((f) => f.trim()).filter(Boolean), ...(pr && web ? { url: `${web}/pull/${pr}` } : {}) }];
    });
}
