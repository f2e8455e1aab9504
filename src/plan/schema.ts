// The plan model, shared by workflows, activities, the agent and the surfaces. Pure zod: safe to import
// from workflow code.
import { z } from 'zod';
import { ActivityKind, ExecutionMode } from '../config/schema.js';
import type * as Contract from '../contracts/plan.js';

export const workItemKeyPattern = /^[A-Z][A-Z0-9]+-\d+$/;
export const WorkItemKey = z.string().regex(workItemKeyPattern, 'must be a Jira key like "HOSTEDCP-2101"');

export const PhaseId = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be a short lower-case id like "api-surface"');

export const ValidationStep = z.strictObject({
  /** A command from the team's allow-list, e.g. "make verify". */
  command: z.string().min(1),
  why: z.string().min(1),
});

export const PlannedPhase = z.strictObject({
  id: PhaseId,
  title: z.string().min(1).max(150),
  /** The Jira story this phase delivers, when one exists. */
  story: z.string().optional(),
  activity: ActivityKind,
  files: z.array(z.string().min(1)).default([]),
  constraints: z.array(z.string().min(1)).default([]),
  validation: z.array(ValidationStep).default([]),
  dependsOn: z.array(PhaseId).default([]),
  /** Merge order across phases developed in parallel: lower merges first. */
  mergeOrder: z.number().int().min(1),
  /** Set when the plan author asked for a specific mode; otherwise resolved from role and team config. */
  mode: ExecutionMode.optional(),
});
export type PlannedPhase = z.infer<typeof PlannedPhase>;

export const Plan = z
  .strictObject({
    workItemKey: WorkItemKey,
    intention: z.string().min(1),
    summary: z.string().default(''),
    phases: z.array(PlannedPhase).min(1).max(12),
  })
  .superRefine((plan, ctx) => {
    const ids = new Set<string>();
    plan.phases.forEach((phase, i) => {
      if (ids.has(phase.id)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'id'], message: `duplicate phase id "${phase.id}"` });
      ids.add(phase.id);
    });
    plan.phases.forEach((phase, i) => {
      phase.dependsOn.forEach((dep, j) => {
        if (!ids.has(dep)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'dependsOn', j], message: `unknown phase "${dep}"` });
        if (dep === phase.id) ctx.addIssue({ code: 'custom', path: ['phases', i, 'dependsOn', j], message: 'a phase cannot depend on itself' });
      });
    });
    const cycle = findCycle(plan.phases);
    if (cycle) ctx.addIssue({ code: 'custom', path: ['phases'], message: `dependency cycle: ${cycle.join(' → ')}` });
  });
export type Plan = z.infer<typeof Plan>;

// The plan crosses rooms as the plain types in src/contracts; these lines stop the build if the schema and
// those types ever say different things.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const planMatchesContract: Same<Plan, Contract.Plan> & Same<PlannedPhase, Contract.PlannedPhase> = true;
void planMatchesContract;

/** Returns one dependency cycle as a list of phase ids, or undefined. */
export function findCycle(phases: ReadonlyArray<Pick<PlannedPhase, 'id' | 'dependsOn'>>): string[] | undefined {
  const byId = new Map(phases.map((p) => [p.id, p]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const p of phases) {
    const found = visit(p.id);
    if (found) return found;
  }
  return undefined;
}
