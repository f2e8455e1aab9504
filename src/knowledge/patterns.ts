// Tier 1, the pattern library, as it lives in the target repository: one YAML file per pattern under
// .rh-agentic/patterns/. The files are the reviewed source of truth (a change to them is a pull request);
// the database mirrors them so surfaces can rank and search. Parsing is pure; reading the folder is the
// only I/O and sits in loadPatternFiles.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { validateYaml } from '../yaml/validate.js';

export const patternStates = ['draft', 'in-review', 'approved', 'retired'] as const;
export const PatternState = z.enum(patternStates);
export type PatternState = z.infer<typeof PatternState>;

export const Applicability = z.strictObject({
  /** Domain model component ids, e.g. "nodepool-controller", "capi", "cpo-v2-framework". */
  components: z.array(z.string().min(1)).default([]),
  /** Repository-relative globs (`*` within a path segment, `**` across segments). */
  files: z.array(z.string().min(1)).default([]),
  /** Platform type values as in the NodePool API ("AWS", "Azure", "KubeVirt", ...); empty means every platform. */
  platforms: z.array(z.string().min(1)).default([]),
});
export type Applicability = z.output<typeof Applicability>;

/** A code reference as the domain models write it: "path[:line][#Symbol]". */
export const CodeRef = z.string().regex(/^[^\s:#]+(:\d+)?(#[\w.]+)?$/, 'must be "path[:line][#Symbol]"');

export const PatternFile = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]{2,80}$/, 'must be a lower-case id like "capi-error-propagation"'),
    title: z.string().min(5).max(160),
    version: z.number().int().min(1),
    state: PatternState,
    /** Developer id of the curator who approved this version; required once approved. */
    reviewer: z.string().min(1).optional(),
    applicability: Applicability,
    /** Every file, function or rule the body relies on; staleness checks resolve them against the tree. */
    references: z.array(CodeRef).default([]),
    /** What the entry speaks about, e.g. "ci:TestNodePoolAutoRepair"; a learned entry on the same topic yields to it. */
    topics: z.array(z.string().min(1)).default([]),
    body: z.string().min(20),
  })
  .superRefine((p, ctx) => {
    if (p.state === 'approved' && !p.reviewer)
      ctx.addIssue({ code: 'custom', path: ['reviewer'], message: 'an approved pattern must name the curator who reviewed it' });
  });
export type PatternFile = z.output<typeof PatternFile>;

export interface LoadedPattern extends PatternFile {
  /** Path of the YAML file relative to the target repository, for "edit it here" links. */
  sourcePath: string;
}

export function parsePatternFile(displayPath: string, text: string): PatternFile {
  return validateYaml(displayPath, text, PatternFile);
}

/** Reads every *.yaml under the pattern library folder of the target repository; errors name file and line. */
export function loadPatternFiles(targetRepo: string, libraryDir = '.rh-agentic/patterns'): LoadedPattern[] {
  const dir = join(targetRepo, libraryDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const sourcePath = relative(targetRepo, path);
      return { ...parsePatternFile(sourcePath, readFileSync(path, 'utf8')), sourcePath };
    });
}

/** The YAML the agent commits when an approved entry is written back to the repository. */
export function renderPatternYaml(p: PatternFile): string {
  const ordered = {
    id: p.id,
    title: p.title,
    version: p.version,
    state: p.state,
    ...(p.reviewer ? { reviewer: p.reviewer } : {}),
    applicability: p.applicability,
    references: p.references,
    ...(p.topics.length > 0 ? { topics: p.topics } : {}),
    body: p.body.endsWith('\n') ? p.body : `${p.body}\n`,
  };
  return stringify(ordered, { lineWidth: 0, blockQuote: 'literal' });
}
