// Token budgets per work item (team.yaml agent.token_budget_per_work_item), as pure rules. Near the cap the
// caller (RH-O, src/activities/metering.ts) must ask the owner before spending more; over it, nothing runs
// without that approval.
import type { StepUsage } from './types.js';

export interface BudgetStatus {
  state: 'ok' | 'near-cap' | 'over-cap';
  spent: number;
  cap: number;
  remaining: number;
  /** Fraction of the cap at which the owner is asked, from budget_warn_fraction. */
  warnAt: number;
}

/** Everything the step consumed counts: fresh input, output, cache writes and cache reads. */
export function tokensOf(u: Pick<StepUsage, 'inputTokens' | 'outputTokens' | 'cacheCreationInputTokens' | 'cacheReadInputTokens'>): number {
  return u.inputTokens + u.outputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
}

export function budgetStatus(spent: number, cap: number, warnFraction: number): BudgetStatus {
  const warnAt = Math.floor(cap * warnFraction);
  const state = spent >= cap ? 'over-cap' : spent >= warnAt ? 'near-cap' : 'ok';
  return { state, spent, cap, remaining: Math.max(0, cap - spent), warnAt };
}
