// Token usage per agent step, the ledger budgets are summed from. One row per activity attempt: a retried
// recording leaves one row.
import { eq, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { agentUsage } from './schema/agent.js';

export interface UsageRecord {
  idempotencyKey: string;
  workItemKey?: string | undefined;
  phaseId?: string | undefined;
  step: string;
  agent: 'claude' | 'offline';
  /** What the step consumed, as src/agent/types.ts StepUsage counts it. */
  usage: { model: string; turns: number; inputTokens: number; outputTokens: number; cacheCreationInputTokens: number; cacheReadInputTokens: number };
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
    .select({
      total: sql<string>`coalesce(sum(${agentUsage.inputTokens} + ${agentUsage.outputTokens} + ${agentUsage.cacheCreationInputTokens} + ${agentUsage.cacheReadInputTokens}), 0)`,
    })
    .from(agentUsage)
    .where(eq(agentUsage.workItemKey, workItemKey));
  return Number(row?.total ?? 0);
}
