// An entry a curator approved goes back to where the team's knowledge is reviewed like code: a pull request
// on the target repository that writes its YAML under the pattern library folder (.rh-agentic/patterns/).
// One branch and one PR per entry version (sitroom/knowledge/<id>-v<version>), so a retried or repeated
// write-back finds the PR it opened instead of opening another. The branch is cut in a scratch worktree
// from the default branch, never in the repository's own checkout.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git } from './git.js';
import type { CodeHost, PullRequestRef } from './github.js';
import { redactSecrets } from '../observability/logger.js';
import { renderPatternYaml, type PatternFile } from '../knowledge/patterns.js';

export interface PatternWriteBackDeps {
  targetRepo: string;
  host: Pick<CodeHost, 'pushBranch' | 'openPullRequest' | 'findPullRequest'>;
  /** The pattern library folder and default branch, read at each write-back (team.yaml may change). */
  settings(): { patternLibrary: string; defaultBranch: string };
  /** Where scratch worktrees go (the data folder, outside the target repository). */
  scratchDir: string;
  /** The ref a new branch starts from; GitHub mode fetches the remote's default branch first. */
  baseRef?(defaultBranch: string): Promise<string>;
}

/** What the curator approved, as the PR describes it. */
export interface ApprovedEntry {
  pattern: PatternFile & { sourcePath?: string | null };
  kind: 'new-pattern' | 'promotion' | 'retirement';
  proposalId: number;
  proposer: string;
  reviewer: string;
  note?: string;
  workItemKey?: string | null;
}

export type WriteBackResult =
  { outcome: 'opened' | 'exists'; pr: PullRequestRef; path: string; branch: string } | { outcome: 'unchanged'; path: string; branch: string };

/** One branch per entry version; a retirement keeps the version it retires, so its branch says so. */
export const writeBackBranch = (p: Pick<PatternFile, 'id' | 'version'> & { state?: PatternFile['state'] }) =>
  `sitroom/knowledge/${p.id}-v${p.version}${p.state === 'retired' ? '-retired' : ''}`;

const kindLabels: Record<ApprovedEntry['kind'], string> = {
  'new-pattern': 'a new entry proposed after a resolved work item',
  promotion: 'a promotion of repeated team experience (tier 2)',
  retirement: 'a retirement: what the entry relies on no longer resolves',
};

function describe(entry: ApprovedEntry, path: string): { title: string; body: string } {
  const p = entry.pattern;
  const verb = entry.kind === 'retirement' ? 'Retire' : p.version > 1 ? 'Update' : 'Add';
  const lines = [
    `**${verb} team knowledge: ${p.title}** (\`${p.id}\` v${p.version})`,
    '',
    `Approved by ${entry.reviewer} on proposal ${entry.proposalId} (${kindLabels[entry.kind]}, proposed by ${entry.proposer}${entry.workItemKey ? ` from ${entry.workItemKey}` : ''}).`,
    ...(entry.note ? ['', `> ${entry.note.replace(/\n/g, '\n> ')}`] : []),
    '',
    `Writes \`${path}\`. RH-A already uses this version; merging makes the repository, the reviewed source of truth, agree.`,
    '',
    '### Applies to',
    ...(p.applicability.files.length ? [`- files: ${p.applicability.files.map((f) => `\`${f}\``).join(', ')}`] : []),
    ...(p.applicability.components.length ? [`- components: ${p.applicability.components.join(', ')}`] : []),
    ...(p.applicability.platforms.length ? [`- platforms: ${p.applicability.platforms.join(', ')}`] : []),
    '',
    '_Opened by Situation Room._',
  ];
  return { title: `${verb} team knowledge: ${p.title} (v${p.version})`.slice(0, 250), body: redactSecrets(lines.join('\n')) };
}

export function createPatternWriteBack(deps: PatternWriteBackDeps) {
  return async function writeBack(entry: ApprovedEntry): Promise<WriteBackResult> {
    const { patternLibrary, defaultBranch } = deps.settings();
    const p = entry.pattern;
    const path = p.sourcePath ?? `${patternLibrary.replace(/\/+$/, '')}/${p.id}.yaml`;
    const branch = writeBackBranch(p);
    const existing = await deps.host.findPullRequest(branch);
    if (existing) return { outcome: 'exists', pr: existing, path, branch };

    const yaml = renderPatternYaml(p);
    const base = deps.baseRef ? await deps.baseRef(defaultBranch) : defaultBranch;
    // The repository already holds this version (its PR merged, or the entry came from it): nothing to propose.
    const atBase = await git(deps.targetRepo, ['show', `${base}:${path}`]).catch(() => undefined);
    if (atBase === yaml) return { outcome: 'unchanged', path, branch };
    const haveBranch = await git(deps.targetRepo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).then(
      () => true,
      () => false,
    );
    if (!haveBranch) {
      mkdirSync(deps.scratchDir, { recursive: true });
      const worktree = join(deps.scratchDir, `knowledge-${p.id}-v${p.version}-${process.pid}-${Date.now()}`);
      await git(deps.targetRepo, ['worktree', 'add', '-q', '-b', branch, worktree, base]);
      try {
        mkdirSync(dirname(join(worktree, path)), { recursive: true });
        writeFileSync(join(worktree, path), yaml);
        await git(worktree, ['add', '--', path]);
        await git(worktree, [
          'commit',
          '-q',
          '-m',
          `${describe(entry, path).title}\n\nApproved by ${entry.reviewer} (knowledge proposal ${entry.proposalId}).`,
        ]);
        await deps.host.pushBranch(worktree, branch);
      } catch (err) {
        // A half-made branch would be taken for a finished one by the next attempt: drop it.
        await git(deps.targetRepo, ['worktree', 'remove', '--force', worktree]).catch(() => undefined);
        await git(deps.targetRepo, ['branch', '-D', branch]).catch(() => undefined);
        throw err;
      }
      await git(deps.targetRepo, ['worktree', 'remove', '--force', worktree]).catch(() => undefined);
      if (existsSync(worktree)) rmSync(worktree, { recursive: true, force: true });
    } else {
      // An earlier attempt committed and pushed but did not open the PR; push again in case the push was what failed.
      const worktree = join(deps.scratchDir, `knowledge-${p.id}-v${p.version}-push-${process.pid}-${Date.now()}`);
      await git(deps.targetRepo, ['worktree', 'add', '-q', worktree, branch]);
      try {
        await deps.host.pushBranch(worktree, branch);
      } finally {
        await git(deps.targetRepo, ['worktree', 'remove', '--force', worktree]).catch(() => undefined);
      }
    }
    const { title, body } = describe(entry, path);
    const pr = await deps.host.openPullRequest({ branch, base: defaultBranch, title, body });
    return { outcome: 'opened', pr, path, branch };
  };
}

export type PatternWriteBack = ReturnType<typeof createPatternWriteBack>;
