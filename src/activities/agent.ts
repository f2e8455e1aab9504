// RH-A's steps as Temporal activities. Each heartbeats while it works, stops when Temporal cancels it,
// records token usage, checks the work item's budget before spending, and turns permanent errors into
// non-retryable ApplicationFailures so Temporal only retries what a retry can fix.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TeamConfig } from '../config/schema.js';
import type { Database } from '../db/client.js';
import { isCataloguedFailure, isUserError } from '../contracts/failures.js';
import type { Agent } from '../agent/agent.js';
import { budgetApprovalRequired, metered } from './metering.js';
import { asApplicationFailure, failure } from './failures.js';
import type {
  AnswerRequest, DiagnoseRequest, ExecuteRequest, PlanRequest, ProposeKnowledgeRequest, ReviewRequest, StepContext, StepUsage,
} from '../agent/types.js';

export interface AgentActivityDeps {
  agent: Agent;
  team: TeamConfig;
  /** Where usage is recorded and budgets are summed; without it budgets are not enforced. */
  db?: Database;
}

/** Set by RH-O after the owner approved spending past the warning threshold. */
export interface BudgetOverride {
  budgetApproved?: boolean;
}

export { budgetApprovalRequired };

function stepContext(workItemKey?: string): StepContext {
  const ctx = Context.current();
  return {
    heartbeat: (detail?: unknown) => ctx.heartbeat(detail),
    signal: ctx.cancellationSignal,
    ...(workItemKey ? { workItemKey } : {}),
    stepId: `${ctx.info.workflowExecution?.workflowId ?? 'standalone'}/${ctx.info.activityId}`,
  };
}

export function createAgentActivities(deps: AgentActivityDeps) {
  const cap = deps.team.agent.token_budget_per_work_item;
  const warn = deps.team.agent.budget_warn_fraction;

  async function run<R extends { usage: StepUsage }>(step: string, workItemKey: string | undefined, phaseId: string | undefined, override: BudgetOverride, fn: (ctx: StepContext) => Promise<R>): Promise<R> {
    const call = async (): Promise<R> => {
      const ctx = stepContext(workItemKey);
      ctx.heartbeat?.({ step, state: 'started' });
      try {
        return await fn(ctx);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        if (isCataloguedFailure(err)) throw asApplicationFailure(err);
        if (isUserError(err)) throw failure('UserError', err.message);
        if (ctx.signal?.aborted) throw failure('Cancelled', `agent ${step} cancelled`);
        throw err; // unknown: Temporal's retry policy decides
      }
    };
    // Without a database budgets are not enforced and usage is not recorded.
    if (!deps.db) return call();
    return metered(deps.db, { step, workItemKey, phaseId, agent: deps.agent.kind, cap, warnFraction: warn, approved: override.budgetApproved === true }, call);
  }

  return {
    agentAnswer: (req: AnswerRequest & { workItemKey?: string } & BudgetOverride) => run('answer', req.workItemKey, undefined, req, (ctx) => deps.agent.answer(req, ctx)),
    agentPlan: (req: PlanRequest & BudgetOverride) => run('plan', req.workItemKey, undefined, req, (ctx) => deps.agent.plan(req, ctx)),
    agentExecutePhase: (req: ExecuteRequest & BudgetOverride) => run('execute', req.workItemKey, req.phase.id, req, (ctx) => deps.agent.execute(req, ctx)),
    agentReview: (req: ReviewRequest & { workItemKey?: string } & BudgetOverride) => run('review', req.workItemKey, undefined, req, (ctx) => deps.agent.review(req, ctx)),
    agentDiagnose: (req: DiagnoseRequest & { workItemKey?: string } & BudgetOverride) => run('diagnose', req.workItemKey, undefined, req, (ctx) => deps.agent.diagnose(req, ctx)),
    agentProposeKnowledge: (req: ProposeKnowledgeRequest & BudgetOverride) => run('propose-knowledge', req.workItemKey, undefined, req, (ctx) => deps.agent.proposeKnowledge(req, ctx)),
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
