// Evaluation cases from a HyperShift checkout's history: one case per first-parent merge of a pull request
// that touched the data-plane paths, with the PR's title (the intention) and the files it really changed.
// Facts only: numbers, titles, Jira keys and file lists; no diff text is kept.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { matchAny } from '../domain/glob.js';
import type { DomainModel } from '../domain/schema.js';
import { UserError } from '../contracts/failures.js';

const run = promisify(execFile);

export interface CaseFiles {
  /** hand-written Go outside vendor/ and outside tests */
  source: string[];
  /** *_test.go and the e2e/integration test trees */
  tests: string[];
  /** generated Go, CRD manifests and API reference docs */
  generated: string[];
}

export interface EvalCase {
  pr: number;
  /** the pull request title: the first line of the merge commit's body */
  title: string;
  jira?: string;
  mergedAt: string;
  commit: string;
  files: CaseFiles;
}

export interface CaseSet {
  kind: 'PlanEvalCases';
  repo: string;
  since: string;
  until: string;
  /** the globs a merge had to touch, derived from the domain model */
  dataPlanePaths: string[];
  cases: EvalCase[];
}

// The data-plane e2e suites' coverage is the model's own statement of where the data plane lives; the
// components that run machines (CAPI core, the providers) and the data plane itself complete it.
const machineComponents = ['nodepool-controller', 'provider-controllers', 'capi-core', 'data-plane'];

/** Non-vendor globs of the data plane, from the model's e2e suites and machine components. */
export function dataPlanePaths(model: DomainModel): string[] {
  const fromSuites = model.matrix.e2eSuites.flatMap((s) => s.covers);
  const fromComponents = model.map.components.filter((c) => machineComponents.includes(c.id) || c.side === 'dataPlane').flatMap((c) => c.paths);
  return [...new Set([...fromSuites, ...fromComponents])].filter((g) => !g.startsWith('vendor/')).sort();
}

const generatedPatterns = [
  /(^|\/)zz_generated[^/]*$/,
  /\.pb\.go$/,
  /^api\/[^/]+\/[^/]+\/zz_generated\./,
  /(^|\/)applyconfiguration\//,
  /^client\/(clientset|informers|listers|applyconfiguration)\//,
  /^docs\/content\/reference\/(api|aggregated-api-docs)/,
  /\/zz_generated\.crd-manifests\//,
  /^cmd\/install\/assets\/hypershift-operator\/.*\.yaml$/,
  /(^|\/)testdata\/.*\.(yaml|json)$/,
];

export type FileClass = 'source' | 'tests' | 'generated' | 'other';

/** Where a changed path counts: Go source, tests, generated code and docs, or nothing the plan is scored on. */
export function classifyFile(path: string): FileClass {
  if (path.startsWith('vendor/') || path.includes('/vendor/')) return 'other';
  if (generatedPatterns.some((p) => p.test(path))) return path.endsWith('.go') || path.startsWith('docs/') || path.endsWith('.yaml') ? 'generated' : 'other';
  if (!path.endsWith('.go')) return 'other';
  if (path.endsWith('_test.go') || /^test\//.test(path)) return 'tests';
  return 'source';
}

export function splitFiles(paths: readonly string[]): CaseFiles {
  const out: CaseFiles = { source: [], tests: [], generated: [] };
  for (const p of [...new Set(paths)].sort()) {
    const c = classifyFile(p);
    if (c !== 'other') out[c].push(p);
  }
  return out;
}

const mergeSubject = /^Merge pull request #(\d+)\b/;
// A Jira key is PROJECT-123; advisories ("CVE-2024-1234", "GHSA-…") share the shape but are not work items.
const jiraKey = /\b([A-Z][A-Z0-9]{1,14}-\d+)\b/g;
const notWorkItems = /^(CVE|GHSA|RFC|ISO|UTF|SHA|TLS|X)-/;

export function jiraKeyOf(text: string): string | undefined {
  return [...text.matchAll(jiraKey)].map((m) => m[1]!).find((k) => !notWorkItems.test(k));
}

async function git(repo: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

interface MergeCommit {
  commit: string;
  parent: string;
  mergedAt: string;
  subject: string;
  body: string;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** First-parent merges of pull requests committed in [since, until). */
export async function listMerges(repo: string, since: string, until: string): Promise<MergeCommit[]> {
  for (const [field, value] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (!isoDate.test(value)) throw new UserError(`--${field} "${value}" must be a date like 2024-01-01`, { field });
  }
  if (!existsSync(repo)) throw new UserError(`${repo}: no such checkout (--repo)`, { field: 'repo' });
  let out: string;
  try {
    out = await git(repo, [
      'log',
      '--first-parent',
      '--merges',
      `--since=${since}T00:00:00Z`,
      `--until=${until}T00:00:00Z`,
      '--format=%H%x1f%P%x1f%cI%x1f%s%x1f%b%x1e',
    ]);
  } catch (err) {
    throw new UserError(`${repo}: git log failed (is it a HyperShift checkout?): ${(err as Error).message.split('\n')[0]}`, { field: 'repo' });
  }
  const merges: MergeCommit[] = [];
  for (const record of out.split('\x1e')) {
    const [commit, parents, mergedAt, subject, body] = record.replace(/^\n/, '').split('\x1f');
    if (!commit || !parents || !mergedAt || subject === undefined) continue;
    // --until on committer dates still lets a commit dated exactly at the bound through on some git versions
    if (mergedAt.slice(0, 10) >= until || mergedAt.slice(0, 10) < since) continue;
    merges.push({ commit, parent: parents.split(' ')[0]!, mergedAt, subject, body: body ?? '' });
  }
  return merges;
}

async function changedFiles(repo: string, m: MergeCommit): Promise<string[] | undefined> {
  try {
    return (await git(repo, ['diff-tree', '-r', '--name-only', '--no-commit-id', '--no-renames', m.parent, m.commit])).split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
}

export interface BuildResult {
  set: CaseSet;
  merges: number;
  /** merges whose tree could not be read (objects missing from a partial mirror) */
  unreadable: string[];
  /** pull requests left out as sweeps: more hand-written files than any plan from a title names */
  sweeps: number[];
}

// Linter roll-outs, dependency bumps and mass renames touch dozens of files for one mechanical reason;
// no plan drawn from a title lists them, so they would measure the sweep, not the planner.
export const defaultMaxSourceFiles = 40;

/** Cases for the data-plane merges of a checkout in [since, until). */
export async function buildCases(
  repo: string,
  model: DomainModel,
  opts: { since: string; until: string; concurrency?: number; maxSourceFiles?: number },
): Promise<BuildResult> {
  const maxSource = opts.maxSourceFiles ?? defaultMaxSourceFiles;
  const sweeps: number[] = [];
  const globs = dataPlanePaths(model);
  const merges = (await listMerges(repo, opts.since, opts.until)).filter((m) => mergeSubject.test(m.subject));
  const cases: EvalCase[] = [];
  const unreadable: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < merges.length) {
      const m = merges[next++]!;
      const files = await changedFiles(repo, m);
      if (!files) {
        unreadable.push(m.commit);
        continue;
      }
      if (!files.some((f) => matchAny(globs, f))) continue;
      const split = splitFiles(files);
      if (split.source.length + split.tests.length === 0) continue;
      const pr = Number(mergeSubject.exec(m.subject)![1]);
      if (split.source.length > maxSource) {
        sweeps.push(pr);
        continue;
      }
      const title =
        m.body
          .split('\n')
          .map((l) => l.trim())
          .find(Boolean) ?? m.subject;
      const jira = jiraKeyOf(title);
      cases.push({ pr, title, ...(jira ? { jira } : {}), mergedAt: m.mergedAt, commit: m.commit, files: split });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  cases.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.pr - b.pr);
  return {
    set: { kind: 'PlanEvalCases', repo: 'github.com/openshift/hypershift', since: opts.since, until: opts.until, dataPlanePaths: globs, cases },
    merges: merges.length,
    unreadable,
    sweeps: sweeps.sort((a, b) => a - b),
  };
}
