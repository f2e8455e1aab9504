// Questions to RH-A ("which component owns NodePool conditions?") as an activity on the worker: the Slack
// process only acknowledges and posts, so a long answer never holds up anyone's tap. Each asker has a daily
// token budget for questions (the team's per-work-item budget: a day of questions may cost what one work item
// may), checked before the step; the tokens the step used are recorded in the usage ledger like any step.
import { and, gte, like, sql } from 'drizzle-orm';
import type { Agent } from '../agent/agent.js';
import type { Audience } from '../agent/types.js';
import type { LoadedConfig } from '../config/load.js';
import type { Database } from '../db/client.js';
import { agentUsage } from '../db/schema/agent.js';
import { metered } from './metering.js';

export interface QuestionDeps {
  db: Database;
  agent: Pick<Agent, 'answer' | 'kind'>;
  config: () => Pick<LoadedConfig, 'team'>;
  /** How much the asker wants explained (their tier-3 memory). */
  audienceOf?: (developerId: string) => Promise<Audience | undefined>;
  /** Brings RH-A's knowledge up to date with the store before it answers. */
  refreshKnowledge?: () => Promise<void>;
  /** Adds the question to the asker's session notes ("where you left off" in the next briefing). */
  noteQuestion?: (developerId: string, question: string) => Promise<void>;
}

export interface AnswerQuestionArgs {
  developerId: string;
  question: string;
}

export interface QuestionAnswer {
  text: string;
  citations: string[];
  /** Set when the question was not put to the agent because the asker's daily question budget is spent. */
  overBudget?: { spent: number; cap: number };
}

/** Usage rows of a developer's questions: their keys start with the ask workflow id, which starts with this. */
export const questionUsagePrefix = (developerId: string) => `ask:${developerId}:`;

/** Tokens a developer's questions used since `since`, from the usage ledger. */
export async function questionTokensSince(db: Database, developerId: string, since: Date): Promise<number> {
  const escaped = questionUsagePrefix(developerId).replace(/[\\%_]/g, (c) => `\\${c}`);
  const [row] = await db
    .select({
      total: sql<string>`coalesce(sum(${agentUsage.inputTokens} + ${agentUsage.outputTokens} + ${agentUsage.cacheCreationInputTokens} + ${agentUsage.cacheReadInputTokens}), 0)`,
    })
    .from(agentUsage)
    .where(and(like(agentUsage.idempotencyKey, `${escaped}%`), gte(agentUsage.recordedAt, since)));
  return Number(row?.total ?? 0);
}

const startOfUtcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** `onProgress` hears RH-A's progress reports while it works (the activity turns them into its heartbeat). */
export async function answerQuestion(deps: QuestionDeps, args: AnswerQuestionArgs, onProgress?: (detail?: unknown) => void): Promise<QuestionAnswer> {
  const cap = deps.config().team.agent.token_budget_per_work_item;
  if (deps.agent.kind !== 'offline') {
    const spent = await questionTokensSince(deps.db, args.developerId, startOfUtcDay(new Date()));
    if (spent >= cap) {
      return {
        text: `Your questions today have used ${spent} of the ${cap} tokens a day allows (agent.token_budget_per_work_item in team.yaml), so I did not put this one to the model. The budget starts again at 00:00 UTC.`,
        citations: [],
        overBudget: { spent, cap },
      };
    }
  }
  await deps.refreshKnowledge?.();
  const audience = await deps.audienceOf?.(args.developerId);
  // The daily budget above is the question's budget; metered records what the step used, once per attempt.
  const answer = await metered(
    deps.db,
    { step: 'answer', workItemKey: undefined, phaseId: undefined, agent: deps.agent.kind, cap, warnFraction: 1, approved: true },
    () => deps.agent.answer({ question: args.question, ...(audience ? { audience } : {}) }, onProgress ? { heartbeat: onProgress } : {}),
  );
  if (audience) await deps.noteQuestion?.(args.developerId, args.question);
  return { text: answer.text, citations: [...new Set(answer.citations.map((c) => c.ref ?? c.node))] };
}
