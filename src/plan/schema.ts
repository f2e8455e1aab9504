// The plan model as a zod schema, for activities, the agent and the surfaces. Workflow code reads plans with
// src/plan/check.ts instead (zod there is evaluated again for every open workflow); the patterns, limits and
// cross-phase rules below come from there, and test/plan/check.test.ts holds the two readers to one result.
import { z } from 'zod';
import { ActivityKind, ExecutionMode } from '../config/schema.js';
import type * as Contract from '../contracts/plan.js';
import { crossPhaseIssues, phaseIdMessage, phaseIdPattern, planLimits, workItemKeyMessage, workItemKeyPattern } from './check.js';

export { findCycle, workItemKeyPattern } from './check.js';
export const WorkItemKey = z.string().regex(workItemKeyPattern, workItemKeyMessage);

export const PhaseId = z.string().regex(phaseIdPattern, phaseIdMessage);

export const ValidationStep = z.strictObject({
  /** A command from the team's allow-list, e.g. "make verify". */
  command: z.string().min(1),
  why: z.string().min(1),
});

export const PlannedPhase = z.strictObject({
  id: PhaseId,
  title: z.string().min(1).max(planLimits.phaseTitleMax),
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
    phases: z.array(PlannedPhase).min(planLimits.phasesMin).max(planLimits.phasesMax),
  })
  .superRefine((plan, ctx) => {
    for (const { path, message } of crossPhaseIssues(plan.phases)) ctx.addIssue({ code: 'custom', path, message });
  });
export type Plan = z.infer<typeof Plan>;

// The plan crosses rooms as the plain types in src/contracts; these lines stop the build if the schema and
// those types ever say different things.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const planMatchesContract: Same<Plan, Contract.Plan> & Same<PlannedPhase, Contract.PlannedPhase> = true;
void planMatchesContract;
