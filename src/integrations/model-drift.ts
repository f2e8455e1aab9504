// The target checkout as the domain model's drift check sees it: fetch its default branch, read two commits
// (the last one the model verified against, kept as a ref in the checkout, and the fetched head) straight
// from git objects so the working tree the agent uses is never touched, and name the owners to tell.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { ModelDriftReport } from '../contracts/model-drift.js';
import {
  buildOwnersIndex,
  buildSnapshot,
  defaultModelsDir,
  filesToRead,
  isOwnersPath,
  loadDomainModel,
  loadOwnersIndex,
  readModelSources,
  suggestReviewers,
  type OwnersIndex,
  type Snapshot,
} from '../domain/index.js';
import { driftPaths, findDrift, missingSymbols } from '../domain/drift.js';
import type { DomainModel } from '../domain/schema.js';
import { git } from './git.js';

/** Where the last commit the model verified cleanly against is kept in the target checkout. */
export const verifiedRef = 'refs/sitroom/model-verified';

export interface ModelDriftOptions {
  targetRepo: string;
  config: () => LoadedConfig;
  modelsDir?: string;
  logger?: { warn(obj: object, msg: string): void };
}

async function hasRemote(repo: string, name: string): Promise<boolean> {
  return (await git(repo, ['remote'])).split('\n').includes(name);
}

async function resolveCommit(repo: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(repo, ['rev-parse', '-q', '--verify', `${rev}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Fetches the default branch from `origin` when the checkout has one; a local-mode repository is its own source. */
export async function fetchDefaultBranch(repo: string, branch: string): Promise<{ commit: string; fetched: boolean }> {
  if (!(await hasRemote(repo, 'origin'))) {
    const commit = await resolveCommit(repo, `refs/heads/${branch}`);
    if (!commit) throw new Error(`${repo}: no branch "${branch}" (team.yaml target.default_branch)`);
    return { commit, fetched: true };
  }
  const tracking = `refs/remotes/origin/${branch}`;
  let fetched = true;
  try {
    await git(repo, ['fetch', '-q', 'origin', `+refs/heads/${branch}:${tracking}`]);
  } catch {
    fetched = false; // offline: check what the last fetch brought
  }
  const commit = await resolveCommit(repo, tracking);
  if (!commit) throw new Error(`${repo}: origin/${branch} was never fetched (team.yaml target.default_branch)`);
  return { commit, fetched };
}

async function show(repo: string, commit: string, path: string): Promise<string | undefined> {
  try {
    return await git(repo, ['show', `${commit}:${path}`]);
  } catch {
    return undefined;
  }
}

async function treePaths(repo: string, commit: string): Promise<string[]> {
  return (await git(repo, ['ls-tree', '-r', '-z', '--name-only', commit])).split('\0').filter(Boolean);
}

/** The same snapshot `sitroom model snapshot` pins, built from a commit's objects. */
export async function snapshotAtCommit(model: DomainModel, repo: string, commit: string): Promise<Snapshot> {
  const paths = await treePaths(repo, commit);
  const files: Record<string, string> = {};
  for (const path of filesToRead(model, paths)) {
    const text = await show(repo, commit, path);
    if (text !== undefined) files[path] = text;
  }
  const date = (await git(repo, ['show', '-s', '--format=%cI', commit])).trim();
  return buildSnapshot(model, { commit, date, paths, files, bannedFound: {} }, null);
}

/** old path -> new path for files git sees as renamed between the two commits. */
async function renamesBetween(repo: string, from: string, to: string): Promise<Record<string, string>> {
  const fields = (await git(repo, ['diff', '-M', '--name-status', '-z', from, to])).split('\0');
  const out: Record<string, string> = {};
  for (let i = 0; i < fields.length;) {
    const status = fields[i] ?? '';
    if (status.startsWith('R') || status.startsWith('C')) {
      out[fields[i + 1]!] = fields[i + 2]!;
      i += 3;
    } else i += status ? 2 : 1;
  }
  return out;
}

/** Go files at `commit` (outside vendored code) that mention any of the symbols as a word. */
async function filesMentioning(repo: string, commit: string, symbols: readonly string[]): Promise<Record<string, string>> {
  if (symbols.length === 0) return {};
  let listing: string;
  try {
    listing = await git(repo, [
      'grep',
      '-l',
      '-w',
      '-F',
      ...symbols.flatMap((s) => ['-e', s]),
      commit,
      '--',
      '*.go',
      ':(exclude)vendor/**',
      ':(exclude)**/vendor/**',
    ]);
  } catch {
    return {}; // git grep exits 1 when nothing matches
  }
  const out: Record<string, string> = {};
  for (const line of listing.split('\n').filter(Boolean)) {
    const path = line.slice(commit.length + 1);
    const text = await show(repo, commit, path);
    if (text !== undefined) out[path] = text;
  }
  return out;
}

/** sha-256 over the model files and the pin, so a changed model is judged afresh. */
export function modelDigest(modelsDir: string): string {
  const hash = createHash('sha256');
  for (const source of readModelSources(modelsDir)) hash.update(`${source.file}\0${source.text}\0`);
  return hash.digest('hex').slice(0, 16);
}

/** Roster developer for an OWNERS handle: a role whose github handle or developer id is that name. */
function rosterLookup(config: LoadedConfig): (handle: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const role of config.roles.values()) {
    byName.set(role.developer.toLowerCase(), role.developer);
    if (role.github) byName.set(role.github.toLowerCase(), role.developer);
  }
  return (handle) => byName.get(handle.toLowerCase());
}

/** The target's OWNERS for the touched paths, read at the checked commit; the pinned copy when the checkout has none. */
async function targetOwners(
  repo: string,
  commit: string,
  paths: readonly string[],
  modelsDir: string,
): Promise<{ index: OwnersIndex; source: ModelDriftReport['targetOwnersSource'] }> {
  const ownersPaths = (await treePaths(repo, commit)).filter(isOwnersPath);
  if (ownersPaths.length > 0) {
    const sources: { path: string; text: string }[] = [];
    for (const path of ownersPaths) {
      const text = await show(repo, commit, path);
      if (text !== undefined) sources.push({ path, text });
    }
    const index = buildOwnersIndex(sources);
    if (suggestReviewers(index, paths).approvers.length > 0) return { index, source: 'target checkout' };
  }
  const pinned = loadOwnersIndex(join(modelsDir, 'snapshot', 'owners'));
  return pinned.files.length > 0 ? { index: pinned, source: 'pinned snapshot' } : { index: { aliases: {}, files: [] }, source: 'none' };
}

export function createModelDriftCheck(options: ModelDriftOptions) {
  const modelsDir = options.modelsDir ?? defaultModelsDir;
  return {
    /** Fetch, compare against the last verified commit, and say who owns what broke. Idempotent: only the baseline ref moves, and only forward to a commit without drift. */
    async check(): Promise<ModelDriftReport> {
      const config = options.config();
      const repo = options.targetRepo;
      const { commit, fetched } = await fetchDefaultBranch(repo, config.team.target.default_branch);
      const model = loadDomainModel(modelsDir, { fresh: true });
      const digest = modelDigest(modelsDir);
      // First run: the commit the model is pinned at when the checkout has it (real HyperShift), else today's head.
      const pin = model.snapshot ? await resolveCommit(repo, model.snapshot.commit) : undefined;
      const baseline = (await resolveCommit(repo, verifiedRef)) ?? pin ?? commit;
      const base = { commit, baseline, modelDigest: digest, fetched, recipients: [], ownersOutsideRoster: [], targetOwnersSource: 'none' as const };
      if (baseline === commit) {
        await git(repo, ['update-ref', verifiedRef, commit]);
        return { ...base, broken: [] };
      }
      const previous = await snapshotAtCommit(model, repo, baseline);
      const next = await snapshotAtCommit(model, repo, commit);
      const broken = findDrift({
        model,
        previous,
        next,
        renames: await renamesBetween(repo, baseline, commit),
        candidates: await filesMentioning(repo, commit, missingSymbols(model, previous, next)),
      });
      if (broken.length === 0) {
        await git(repo, ['update-ref', verifiedRef, commit]);
        return { ...base, broken };
      }
      const lookup = rosterLookup(config);
      const modelOwnersFile = join(modelsDir, 'OWNERS');
      const modelOwners = existsSync(modelOwnersFile)
        ? buildOwnersIndex([{ path: 'OWNERS', text: readFileSync(modelOwnersFile, 'utf8') }])
        : { aliases: {}, files: [] };
      const target = await targetOwners(repo, commit, driftPaths(broken), modelsDir);
      const handles = [...suggestReviewers(modelOwners, ['domain-models.yaml']).approvers, ...suggestReviewers(target.index, driftPaths(broken)).approvers];
      const recipients = new Set<string>();
      const outside = new Set<string>();
      for (const handle of handles) {
        const developer = lookup(handle);
        if (developer) recipients.add(developer);
        else outside.add(handle);
      }
      if (recipients.size === 0) options.logger?.warn({ modelOwnersFile }, 'model drift found but no owner is in the team roster; nobody is told');
      return { ...base, broken, recipients: [...recipients].sort(), ownersOutsideRoster: [...outside].sort(), targetOwnersSource: target.source };
    },
  };
}

export type ModelDriftCheck = ReturnType<typeof createModelDriftCheck>;
