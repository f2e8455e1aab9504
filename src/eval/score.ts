// Scores a plan against the change that really merged: which files and folders it named, which model
// components and platforms, and whether its validation steps match what the change needed.
import { impactOf } from '../domain/impact.js';
import type { DomainModel } from '../domain/schema.js';
import type { Plan } from '../plan/schema.js';
import type { EvalCase } from './cases.js';

export interface ValidationNeeds {
  /** the change touched API types or generated code, so `make api` had to run */
  api: boolean;
  /** the change added or edited tests, so the plan should run them */
  tests: boolean;
}

export interface CaseScore {
  planned: boolean;
  /** planned source files that really changed / hand-written files that changed (source, or tests when there is no source) */
  fileRecall: number;
  /** planned files that really changed (source, tests or generated) / planned files */
  filePrecision: number;
  /** folders of the changed hand-written files that the plan names a file in */
  folderRecall: number;
  componentRecall: number;
  platformRecall: number;
  /** platforms the plan singled out that the change did not touch */
  platformFalse: string[];
  validation: { needed: ValidationNeeds; planned: ValidationNeeds; score: number };
  hits: string[];
  missed: string[];
}

const dirOf = (f: string) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '.');
const ratio = (hit: number, of: number) => (of === 0 ? 1 : hit / of);

export function planFiles(plan: Plan | undefined): string[] {
  return [...new Set((plan?.phases ?? []).flatMap((p) => p.files))];
}

export function validationNeeds(c: EvalCase): ValidationNeeds {
  return {
    api:
      c.files.generated.some((f) => f.endsWith('.go') || f.startsWith('api/')) ||
      c.files.source.some((f) => /^api\/.*_types\.go$/.test(f) || /^api\/hypershift\/v1beta1\/[a-z]+\.go$/.test(f)),
    tests: c.files.tests.length > 0,
  };
}

export function plannedValidation(plan: Plan | undefined, commands: { api: string; test: string }): ValidationNeeds {
  const steps = (plan?.phases ?? []).flatMap((p) => p.validation.map((v) => v.command));
  return { api: steps.includes(commands.api), tests: steps.some((s) => s === commands.test || s.startsWith('go test')) };
}

export function scorePlan(model: DomainModel, c: EvalCase, plan: Plan | undefined, commands: { api: string; test: string }): CaseScore {
  const files = planFiles(plan);
  const target = c.files.source.length ? c.files.source : c.files.tests;
  const changed = new Set([...c.files.source, ...c.files.tests, ...c.files.generated]);
  const hits = target.filter((f) => files.includes(f));
  const plannedDirs = new Set(files.map(dirOf));
  const targetDirs = [...new Set(target.map(dirOf))];
  const real = impactOf(model, [...c.files.source, ...c.files.tests]);
  const mine = impactOf(model, files);
  const realComponents = real.components.map((x) => x.id);
  const myComponents = new Set(mine.components.map((x) => x.id));
  const realPlatforms = real.platforms.specific;
  const myPlatforms = mine.platforms.specific;
  const needed = validationNeeds(c);
  const planned = plannedValidation(plan, commands);
  const agree = (Number(needed.api === planned.api) + Number(!needed.tests || planned.tests)) / 2;
  return {
    planned: !!plan,
    fileRecall: ratio(hits.length, target.length),
    filePrecision: files.length === 0 ? 0 : files.filter((f) => changed.has(f)).length / files.length,
    folderRecall: ratio(targetDirs.filter((d) => plannedDirs.has(d)).length, targetDirs.length),
    componentRecall: ratio(realComponents.filter((x) => myComponents.has(x)).length, realComponents.length),
    platformRecall: ratio(realPlatforms.filter((p) => myPlatforms.includes(p)).length, realPlatforms.length),
    platformFalse: myPlatforms.filter((p) => !realPlatforms.includes(p)),
    validation: { needed, planned, score: plan ? agree : 0 },
    hits,
    missed: target.filter((f) => !files.includes(f)),
  };
}

export interface Summary {
  cases: number;
  planned: number;
  planRate: number;
  fileRecall: number;
  filePrecision: number;
  folderRecall: number;
  componentRecall: number;
  platformRecall: number;
  validation: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Means over every case; a case without a plan scores zero on every measure. */
export function summarise(scores: readonly CaseScore[]): Summary {
  const pick = (f: (s: CaseScore) => number) => mean(scores.map((s) => (s.planned ? f(s) : 0)));
  const planned = scores.filter((s) => s.planned).length;
  return {
    cases: scores.length,
    planned,
    planRate: ratio(planned, scores.length),
    fileRecall: pick((s) => s.fileRecall),
    filePrecision: pick((s) => s.filePrecision),
    folderRecall: pick((s) => s.folderRecall),
    componentRecall: pick((s) => s.componentRecall),
    platformRecall: pick((s) => s.platformRecall),
    validation: pick((s) => s.validation.score),
  };
}
