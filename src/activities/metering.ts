// The agent's metering, the one place budgets are enforced and usage recorded: before a step the work item's
// spend is checked against its budget (src/agent/budget.ts holds the rule), after it the tokens the step used
// are written to the ledger, once per activity attempt.
import { Context } from '@temporalio/activity';
import { budgetStatus, type BudgetStatus } from '../agent/budget.js';
import type { StepUsage } from '../agent/types.js';
import type { FailureType } from '../contracts/failures.js';
import { recordUsage, tokensSpent } from '../db/agent-usage.js';
import type { Database } from '../db/client.js';
import { failure } from './failures.js';

/** The failure type RH-O catches to ask the owner before the agent spends more on a work item. */
export const budgetApprovalRequired = 'BudgetApprovalRequired' satisfies FailureType;

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
    throw failure(
      budgetApprovalRequired,
      `${args.workItemKey} has used ${status.spent} of ${status.cap} tokens (${status.state}); ask the owner before spending more`,
      status,
    );
  }
  return status;
}

export interface MeteredStep {
  step: string;
  workItemKey: string | undefined;
  phaseId: string | undefined;
  agent: 'claude' | 'offline';
  cap: number;
  warnFraction: number;
  approved: boolean;
}

/** Budget check before the step, usage recorded after it (keyed by the activity attempt, so a retry adds its own row once). */
export async function metered<R extends { usage: StepUsage }>(db: Database, m: MeteredStep, fn: () => Promise<R>): Promise<R> {
  await enforceBudget(db, { workItemKey: m.workItemKey, agent: m.agent, cap: m.cap, warnFraction: m.warnFraction, approved: m.approved });
  const result = await fn();
  if (result.usage.turns > 0) {
    const info = Context.current().info;
    await recordUsage(db, {
      idempotencyKey: `${info.workflowExecution?.workflowId ?? 'standalone'}/${info.activityId}/${info.attempt}`,
      workItemKey: m.workItemKey,
      phaseId: m.phaseId,
      step: m.step,
      agent: m.agent,
      usage: result.usage,
    });
  }
  return result;
}
