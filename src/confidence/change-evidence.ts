// Evidence from the phase branch's real change (its diff against the base, the API sources before and after,
// and CI's coverage profile), as opposed to the files the plan named: API compatibility, coverage of the
// added lines and version skew. Pure; src/integrations/phase-change.ts reads the branch.
import type { DomainModel, ImpactResult } from '../domain/index.js';
import { diffPaths, matchGlob, parseUnifiedDiff } from '../domain/index.js';
import { apiCompatibility, type ApiCompatibility } from './api-compat.js';
import { changedLineCoverage } from './changed-coverage.js';
import type { EvidenceInput } from './model.js';

/** What the phase branch changed, read from git and CI. */
export interface PhaseChange {
  branch: string;
  /** Commit the branch points at. */
  head: string;
  /** `git diff <fork point> <branch>`. */
  diff: string;
  /** Files as they were at the fork point / are at the head (undefined when absent). */
  before(path: string): string | undefined;
  after(path: string): string | undefined;
  /** The newest `go test -coverprofile` profile CI wrote for the head, with go.mod's module path. */
  coverage?: { profile: string; modulePath: string; source: string };
}

/** New code counts as covered when at least this share of its statement lines ran in the tests. */
export const coveredShare = 0.8;

export function evidenceFromApi(api: ApiCompatibility, change: Pick<PhaseChange, 'branch' | 'head'>, at: Date): EvidenceInput[] {
  if (api.files.length === 0) return [];
  const source = `API types before and after on ${change.branch} (${change.head.slice(0, 10)})`;
  if (api.breaking.length > 0) {
    const shown = api.breaking.slice(0, 4).map((b) => `${b.detail} (${b.file}:${b.line})`);
    const more = api.breaking.length > shown.length ? `; ${api.breaking.length - shown.length} more` : '';
    return [{ check: 'api-compatible', status: 'fail', detail: `breaking: ${shown.join('; ')}${more}`, source, at }];
  }
  return [
    {
      check: 'api-compatible',
      status: 'pass',
      detail: api.added.length
        ? `additive only: ${api.added.slice(0, 6).join(', ')} added, nothing removed, renamed or narrowed`
        : 'API sources changed without removing, renaming or narrowing anything',
      source,
      at,
    },
  ];
}

export function evidenceFromCoverage(change: PhaseChange, at: Date): EvidenceInput[] {
  if (!change.coverage) return [];
  const c = changedLineCoverage(change.diff, change.coverage.profile, change.coverage.modulePath);
  const source = change.coverage.source;
  if (c.coverable === 0) return [{ check: 'new-code-covered', status: 'n/a', detail: 'the change adds no statements outside tests', source, at }];
  const pct = Math.round((c.covered / c.coverable) * 100);
  const figure = `${c.covered} of ${c.coverable} added lines covered (${pct}%)`;
  const ok = c.covered / c.coverable >= coveredShare;
  return [
    {
      check: 'new-code-covered',
      status: ok ? 'pass' : 'fail',
      detail: ok ? figure : `${figure}; not run by any test: ${c.uncovered.slice(0, 5).join(', ')}`,
      source,
      at,
    },
  ];
}

/**
 * Version skew, from what the domain model says about it: the invariants and failure modes that name the
 * skew between the control plane and NodePool versions, and the files that enforce them. An API change is read
 * by NodePools and control planes on different versions, so it must stay compatible; a change to the code that
 * enforces the skew rule must come with a test that exercises it.
 */
export function evidenceFromSkew(input: { model: DomainModel; impact: ImpactResult; api?: ApiCompatibility; diff?: string; at: Date }): EvidenceInput[] {
  const { model, impact, at } = input;
  const source = 'domain model: version skew between control plane and NodePools';
  const skewInvariants = model.lifecycle.invariants.filter((i) => /\bskew\b/i.test(i.statement));
  const touched = impact.invariants.filter((i) => skewInvariants.some((s) => s.id === i.id));
  const apiFiles = input.api?.files ?? [];
  if (apiFiles.length === 0 && touched.length === 0) return [];
  const out: string[] = [];
  let failing = false;
  if (apiFiles.length > 0) {
    const breaking = input.api!.breaking;
    if (breaking.length > 0) {
      failing = true;
      out.push(
        `a NodePool or control plane one version apart cannot read the change: ${breaking
          .slice(0, 2)
          .map((b) => b.detail)
          .join('; ')}`,
      );
    } else out.push('API change readable by components one version apart (nothing removed or narrowed)');
  }
  if (touched.length > 0) {
    // The condition the model says surfaces unsupported skew; a test that mentions it exercises the rule.
    const skewConditions = model.lifecycle.failureModes
      .filter((f) => /\bskew\b/i.test(`${f.id} ${f.symptom}`))
      .map((f) => f.surfacedAs?.condition)
      .filter((c): c is string => typeof c === 'string');
    const addedTestLines = parseUnifiedDiff(input.diff ?? '', 'phase diff')
      .filter((f) => f.newPath?.endsWith('_test.go'))
      .flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'add').map((l) => l.text)));
    const exercised = addedTestLines.some((l) => skewConditions.some((c) => l.includes(c)) || /skew/i.test(l));
    const names = touched.map((t) => t.id).join(', ');
    if (!exercised) return [...(failing ? [{ check: 'version-skew' as const, status: 'fail' as const, detail: out.join('; '), source, at }] : [])];
    out.push(`${names} touched and a changed test exercises the skew check (${skewConditions[0] ?? 'skew'})`);
  }
  return [{ check: 'version-skew', status: failing ? 'fail' : 'pass', detail: out.join('; '), source, at }];
}

/** Everything the branch's real change says, on top of the plan's files. */
export function evidenceFromChange(input: {
  change: PhaseChange;
  model: DomainModel;
  impact: ImpactResult;
  patterns?: readonly CuratedPattern[];
  at: Date;
}): EvidenceInput[] {
  const api = apiCompatibility({ diff: input.change.diff, before: input.change.before, after: input.change.after });
  return [
    ...evidenceFromPatterns(changedFiles(input.change.diff), input.patterns ?? [], input.at),
    ...evidenceFromApi(api, input.change, input.at),
    ...evidenceFromCoverage(input.change, input.at),
    ...evidenceFromSkew({ model: input.model, impact: input.impact, api, diff: input.change.diff, at: input.at }),
  ];
}

/** The files a diff touches, for the domain model's impact (the real change, not the plan's list). */
export function changedFiles(diff: string): string[] {
  return diffPaths(parseUnifiedDiff(diff, 'phase diff'));
}

/** What the pattern-match check needs of a curated pattern (src/knowledge/patterns.ts). */
export interface CuratedPattern {
  id: string;
  state: string;
  applicability: { files: string[] };
  /** "path[:line][#Symbol]" references. */
  references: string[];
}

/**
 * Whether the change follows a curated pattern, whoever wrote it: an approved pattern applies when a changed
 * file is inside its applicability, and the change stays inside what the pattern covers (its applicability and
 * the files it references; tests aside). It is followed when every file the pattern references beside a changed
 * one (same directory, e.g. a generated list next to its source) changed too.
 */
export function evidenceFromPatterns(files: readonly string[], patterns: readonly CuratedPattern[], at: Date): EvidenceInput[] {
  const code = files.filter((f) => !f.endsWith('_test.go'));
  if (code.length === 0) return [];
  const dir = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);
  for (const p of patterns) {
    if (p.state !== 'approved' || p.applicability.files.length === 0) continue;
    const referenced = [...new Set(p.references.map((r) => r.replace(/[:#].*$/, '')))];
    const covers = (f: string) => p.applicability.files.some((g) => matchGlob(g, f)) || referenced.includes(f);
    if (!code.some((f) => p.applicability.files.some((g) => matchGlob(g, f))) || !code.every(covers)) continue;
    const companions = referenced.filter((r) => code.some((f) => referenced.includes(f) && dir(f) === dir(r)));
    const left = companions.filter((r) => !files.includes(r));
    const source = `curated pattern ${p.id} (.rh-agentic/patterns)`;
    // A companion left behind means this pattern is not the one followed (a pattern also covers other kinds of
    // change to the same files), not that the change is wrong: no evidence either way.
    if (left.length > 0) continue;
    return [
      {
        check: 'pattern-match',
        status: 'pass',
        detail: `follows pattern "${p.id}"${companions.length > 1 ? ` (${companions.join(', ')} changed together)` : ''}`,
        source,
        at,
      },
    ];
  }
  return [];
}
