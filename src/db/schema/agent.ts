// RH-A's token usage: one row per billed agent step attempt, so spend per step and per work item is a
// sum, and a Temporal retry (which is billed again) is visible as its own row.
import { bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const agentUsage = pgTable(
  'agent_usage',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** workflow id / activity id / attempt: a replayed record of the same attempt writes one row. */
    idempotencyKey: text('idempotency_key').notNull(),
    workItemKey: text('work_item_key'), // null for ad-hoc steps (CLI ask/review)
    phaseId: text('phase_id'),
    step: text('step').notNull(), // answer | plan | execute | review | diagnose | propose-knowledge
    agent: text('agent').notNull(), // claude | offline
    model: text('model').notNull(),
    turns: integer('turns').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheCreationInputTokens: integer('cache_creation_input_tokens').notNull().default(0),
    cacheReadInputTokens: integer('cache_read_input_tokens').notNull().default(0),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('agent_usage_idempotency_key_uq').on(t.idempotencyKey), index('agent_usage_work_item_idx').on(t.workItemKey)],
);
