// Prow OWNERS / OWNERS_ALIASES parsing and reviewer suggestion, pure. Semantics follow Prow's repoowners:
// walk from the file's directory to the root, apply every filter whose regexp matches the path relative to
// the OWNERS file's directory, stop after a file with options.no_parent_owners, expand aliases.
import { parse } from 'yaml';
import { z } from 'zod';
import { UserError } from '../contracts/failures.js';
import { unsafeRegexReason } from './safe-regex.js';

const People = z.array(z.string()).default([]);
const Entry = z.object({ approvers: People, reviewers: People, labels: People, emeritus_approvers: People }).passthrough();
const OwnersFileSchema = Entry.extend({
  options: z
    .object({ no_parent_owners: z.boolean().default(false) })
    .passthrough()
    .default({ no_parent_owners: false }),
  filters: z.record(z.string(), Entry).optional(),
}).passthrough();
const AliasesSchema = z.object({ aliases: z.record(z.string(), z.array(z.string()).nullable()).default({}) }).passthrough();

export interface OwnersFilter {
  pattern: string;
  approvers: string[];
  reviewers: string[];
  labels: string[];
}

export interface OwnersFile {
  /** directory of the OWNERS file, "" for the root */
  dir: string;
  noParentOwners: boolean;
  filters: OwnersFilter[];
  emeritusApprovers: string[];
}

export interface OwnersIndex {
  aliases: Record<string, string[]>;
  files: OwnersFile[];
}

export interface FileOwners {
  file: string;
  approvers: string[];
  reviewers: string[];
  labels: string[];
  /** OWNERS files that contributed, nearest first */
  ownersFiles: string[];
  /** true when no reviewer was declared and approvers stand in */
  reviewersFromApprovers: boolean;
}

export interface ReviewerSuggestion {
  files: FileOwners[];
  approvers: string[];
  reviewers: string[];
  labels: string[];
}

function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text) ?? {};
  } catch (err) {
    throw new UserError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, { file });
  }
}

export function parseOwnersFile(dir: string, text: string, file = `${dir ? `${dir}/` : ''}OWNERS`): OwnersFile {
  const res = OwnersFileSchema.safeParse(parseYaml(text, file));
  if (!res.success) {
    const iss = res.error.issues[0];
    throw new UserError(`${file}: ${iss?.path.join('.') || '(root)'}: ${iss?.message ?? 'invalid'}`, { file });
  }
  const cfg = res.data;
  const filters: OwnersFilter[] = [];
  // A simple OWNERS file is one implicit ".*" filter.
  if (cfg.approvers.length || cfg.reviewers.length || cfg.labels.length) {
    filters.push({ pattern: '.*', approvers: cfg.approvers, reviewers: cfg.reviewers, labels: cfg.labels });
  }
  for (const [pattern, e] of Object.entries(cfg.filters ?? {})) {
    const unsafe = unsafeRegexReason(pattern);
    if (unsafe) throw new UserError(`${file}: filters: regular expression ${JSON.stringify(pattern)} refused: ${unsafe}`, { file });
    try {
      new RegExp(pattern);
    } catch {
      throw new UserError(`${file}: filters: invalid regular expression ${JSON.stringify(pattern)}`, { file });
    }
    filters.push({ pattern, approvers: e.approvers, reviewers: e.reviewers, labels: e.labels });
  }
  const emeritus = [...cfg.emeritus_approvers, ...Object.values(cfg.filters ?? {}).flatMap((e) => e.emeritus_approvers)];
  return { dir, noParentOwners: cfg.options.no_parent_owners, filters, emeritusApprovers: emeritus };
}

export function parseOwnersAliases(text: string, file = 'OWNERS_ALIASES'): Record<string, string[]> {
  const res = AliasesSchema.safeParse(parseYaml(text, file));
  if (!res.success) throw new UserError(`${file}: aliases must map names to lists of people`, { file });
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(res.data.aliases)) out[k] = v ?? [];
  return out;
}

/** sources: repository-relative paths ("OWNERS", "api/OWNERS", "OWNERS_ALIASES") with their text. */
export function buildOwnersIndex(sources: readonly { path: string; text: string }[]): OwnersIndex {
  let aliases: Record<string, string[]> = {};
  const files: OwnersFile[] = [];
  for (const s of sources) {
    const base = s.path.split('/').pop();
    const dir = s.path.includes('/') ? s.path.slice(0, s.path.lastIndexOf('/')) : '';
    if (base === 'OWNERS_ALIASES') aliases = { ...aliases, ...parseOwnersAliases(s.text, s.path) };
    else if (base === 'OWNERS') files.push(parseOwnersFile(dir, s.text, s.path));
  }
  return { aliases, files };
}

function pushUnique(out: string[], seen: Set<string>, names: readonly string[]): void {
  for (const n of names) {
    const key = n.toLowerCase(); // Prow compares logins case-insensitively
    if (!seen.has(key)) {
      seen.add(key);
      out.push(n);
    }
  }
}

export function ownersForFile(index: OwnersIndex, file: string): FileOwners {
  const byDir = new Map(index.files.map((f) => [f.dir, f]));
  const expand = (names: readonly string[]): string[] => names.flatMap((n) => index.aliases[n] ?? [n]);
  const approvers: string[] = [];
  const reviewers: string[] = [];
  const labels: string[] = [];
  const seenA = new Set<string>();
  const seenR = new Set<string>();
  const seenL = new Set<string>();
  const used: string[] = [];
  const parts = file.split('/');
  for (let depth = parts.length - 1; depth >= 0; depth--) {
    const dir = parts.slice(0, depth).join('/');
    const owners = byDir.get(dir);
    if (!owners) continue;
    const rel = dir ? file.slice(dir.length + 1) : file;
    let matched = false;
    for (const f of owners.filters) {
      if (!new RegExp(f.pattern).test(rel)) continue;
      matched = true;
      pushUnique(approvers, seenA, expand(f.approvers));
      pushUnique(reviewers, seenR, expand(f.reviewers));
      pushUnique(labels, seenL, f.labels);
    }
    if (matched) used.push(dir ? `${dir}/OWNERS` : 'OWNERS');
    if (owners.noParentOwners) break;
  }
  const fromApprovers = reviewers.length === 0 && approvers.length > 0;
  return { file, approvers, reviewers: fromApprovers ? [...approvers] : reviewers, labels, ownersFiles: used, reviewersFromApprovers: fromApprovers };
}

/** Approvers and reviewers for a change, per file and merged (in order of first appearance). */
export function suggestReviewers(index: OwnersIndex, files: readonly string[]): ReviewerSuggestion {
  const per = files.map((f) => ownersForFile(index, f));
  const merged = { approvers: [] as string[], reviewers: [] as string[], labels: [] as string[] };
  const seen = { approvers: new Set<string>(), reviewers: new Set<string>(), labels: new Set<string>() };
  for (const p of per) {
    pushUnique(merged.approvers, seen.approvers, p.approvers);
    pushUnique(merged.reviewers, seen.reviewers, p.reviewers);
    pushUnique(merged.labels, seen.labels, p.labels);
  }
  return { files: per, ...merged };
}
