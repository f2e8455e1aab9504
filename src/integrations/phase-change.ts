// A work item's phase branches as git has them in the target repository: each branch's diff against the
// point where it left the base, the files before and after, and the coverage profile local CI wrote for its
// head. Read by the confidence checks (src/confidence/change-evidence.ts) and the overlap check.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git.js';
import type { PhaseChange } from '../confidence/change-evidence.js';

/** Where local CI keeps the newest coverage profile of a commit. */
export function coverageProfilePath(repo: string, sha: string): string {
  return join(repo, '.git', 'sitroom', 'coverage', `${sha}.out`);
}

/** Phase branches of a work item, as the agent names them: sitroom/<key>/<phase>-<attempt>, newest attempt per phase. */
export async function phaseBranchesOf(repo: string, workItemKey: string): Promise<string[]> {
  const listed = (await git(repo, ['branch', '--list', `sitroom/${workItemKey.toLowerCase()}/*`, '--format=%(refname:short)']))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const newest = new Map<string, { branch: string; attempt: number }>();
  for (const branch of listed) {
    const m = /^(.+)-(\d+)$/.exec(branch);
    if (!m) continue;
    const prior = newest.get(m[1]!);
    if (!prior || Number(m[2]) > prior.attempt) newest.set(m[1]!, { branch, attempt: Number(m[2]) });
  }
  return [...newest.values()].map((v) => v.branch).sort();
}

/** The branch's change against its fork point from `base`; undefined when the branch does not exist. */
export async function readPhaseChange(repo: string, base: string, branch: string): Promise<PhaseChange | undefined> {
  let head: string;
  try {
    head = (await git(repo, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])).trim();
  } catch {
    return undefined;
  }
  const forkPoint = await mergeBase(repo, base, head);
  if (!forkPoint) return undefined;
  const diff = await git(repo, ['diff', forkPoint, head, '--']);
  const show = async (rev: string, path: string) => git(repo, ['show', `${rev}:${path}`]).catch(() => undefined);
  // The API checks read whole files; the diff names them, so read each once up front.
  const names = (await git(repo, ['diff', '--name-only', '--no-renames', forkPoint, head, '--']))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const paths = names.filter((p) => p.startsWith('api/') && p.endsWith('.go'));
  const before = new Map<string, string | undefined>();
  const after = new Map<string, string | undefined>();
  for (const p of paths) {
    before.set(p, await show(forkPoint, p));
    after.set(p, await show(head, p));
  }
  const profilePath = coverageProfilePath(repo, head);
  const goMod = await show(head, 'go.mod');
  const modulePath = goMod ? /^module\s+(\S+)/m.exec(goMod)?.[1] : undefined;
  return {
    branch,
    head,
    diff,
    before: (p) => before.get(p),
    after: (p) => after.get(p),
    ...(existsSync(profilePath) && modulePath
      ? { coverage: { profile: readFileSync(profilePath, 'utf8'), modulePath, source: `go test -coverprofile in local CI at ${head.slice(0, 10)}` } }
      : {}),
  };
}

/**
 * The files a work item's phases change: for each planned phase with a branch, the files its branch's diff
 * against the base touches (what was really pushed); for phases without a branch yet, the files the plan names.
 */
export async function workItemFiles(
  repo: string,
  base: string,
  workItemKey: string,
  phases: ReadonlyArray<{ id: string; files: readonly string[] }>,
): Promise<string[]> {
  const branches = await phaseBranchesOf(repo, workItemKey);
  const prefix = `sitroom/${workItemKey.toLowerCase()}/`;
  const files = new Set<string>();
  for (const phase of phases) {
    const branch = branches.find((b) => b.startsWith(prefix) && b.slice(prefix.length).replace(/-\d+$/, '') === phase.id);
    if (!branch) {
      phase.files.forEach((f) => files.add(f));
      continue;
    }
    const forkPoint = await mergeBase(repo, base, branch);
    if (!forkPoint) {
      // The base is not known here (not fetched yet): the plan's files stand in for the branch.
      phase.files.forEach((f) => files.add(f));
      continue;
    }
    const names = (await git(repo, ['diff', '--name-only', '--no-renames', forkPoint, branch, '--']))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    names.forEach((f) => files.add(f));
  }
  return [...files].sort();
}

/** Where `ref` left `base`; undefined when either is unknown to the repository. */
async function mergeBase(repo: string, base: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(repo, ['merge-base', base, ref])).trim() || undefined;
  } catch {
    return undefined;
  }
}
