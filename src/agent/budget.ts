// Token budgets per work item (team.yaml agent.token_budget_per_work_item). Near the cap the caller
// (RH-O) must ask the owner before spending more; over it, nothing runs without that approval.
import { ApplicationFailure } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { agentUsage } from '../db/schema/agent.js';
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

export interface UsageRecord {
  idempotencyKey: string;
  workItemKey?: string | undefined;
  phaseId?: string | undefined;
  step: string;
  agent: 'claude' | 'offline';
  usage: StepUsage;
}

export async function recordUsage(db: Database, r: UsageRecord): Promise<void> {
  await db
    .insert(agentUsage)
    .values({
      idempotencyKey: r.idempotencyKey,
      workItemKey: r.workItemKey ?? null,
      phaseId: r.phaseId ?? null,
      step: r.step,
      agent: r.agent,
      model: r.usage.model,
      turns: r.usage.turns,
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheCreationInputTokens: r.usage.cacheCreationInputTokens,
      cacheReadInputTokens: r.usage.cacheReadInputTokens,
    })
    .onConflictDoNothing({ target: agentUsage.idempotencyKey });
}

export async function tokensSpent(db: Database, workItemKey: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${agentUsage.inputTokens} + ${agentUsage.outputTokens} + ${agentUsage.cacheCreationInputTokens} + ${agentUsage.cacheReadInputTokens}), 0)` })
    .from(agentUsage)
    .where(eq(agentUsage.workItemKey, workItemKey));
  return Number(row?.total ?? 0);
}

/** The failure type RH-O catches to ask the owner before the agent spends more on a work item. */
export const budgetApprovalRequired = 'BudgetApprovalRequired';

/**
 * Refuses a step when the work item's spend has reached the warning threshold and the owner has not approved
 * more. The offline agent spends no tokens and is never stopped.
 */
export async function enforceBudget(
  db: Database,
  args: { workItemKey: string | undefined; agent: 'claude' | 'offline'; cap: number; warnFraction: number; approved?: boolean },
): Promise<BudgetStatus | undefined> {
  if (!args.workItemKey || args.agent === 'offline') return undefined;
  const status = budgetStatus(await tokensSpent(db, args.workItemKey), args.cap, args.warnFraction);
  if (status.state !== 'ok' && !args.approved) {
    throw ApplicationFailure.create({
      type: budgetApprovalRequired,
      nonRetryable: true,
      message: `${args.workItemKey} has used ${status.spent} of ${status.cap} tokens (${status.state}); ask the owner before spending more`,
      details: [status],
    });
  }
  return status;
}
