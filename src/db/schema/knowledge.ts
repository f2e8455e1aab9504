// Knowledge tiers, the curation queue and post-merge calibration. Tier 1 rows mirror the reviewed YAML in
// the target repository; tier 2 is written automatically from CI and plan executions; tier 3 is private
// per developer (enforced by src/knowledge/personal-memory.ts, which requires the requesting developer's id).
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Tier 1: the pattern library. Only a curator's approval moves a row to state "approved". */
export const knowledgePatterns = pgTable(
  'knowledge_patterns',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    applicability: jsonb('applicability').notNull(), // {components, files, platforms}
    references: jsonb('references')
      .notNull()
      .default(sql`'[]'::jsonb`), // "path[:line][#Symbol]"
    topics: jsonb('topics')
      .notNull()
      .default(sql`'[]'::jsonb`),
    state: text('state').notNull(), // draft | in-review | approved | retired
    version: integer('version').notNull(),
    reviewer: text('reviewer'),
    origin: text('origin').notNull(), // repository | proposal | promotion
    sourcePath: text('source_path'), // .rh-agentic/patterns/<id>.yaml when mirrored
    staleRefs: jsonb('stale_refs')
      .notNull()
      .default(sql`'[]'::jsonb`),
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('knowledge_patterns_state_idx').on(t.state)],
);

/** Every approved version of a pattern, so "what did it say when this PR merged" stays answerable. */
export const knowledgePatternVersions = pgTable(
  'knowledge_pattern_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    patternId: text('pattern_id').notNull(),
    version: integer('version').notNull(),
    state: text('state').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    applicability: jsonb('applicability').notNull(),
    references: jsonb('references').notNull(),
    reviewer: text('reviewer'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('knowledge_pattern_versions_uq').on(t.patternId, t.version, t.state)],
);

/** Proposals: new entries after a resolved work item, promotions from tier 2, retirements. */
export const knowledgeProposals = pgTable(
  'knowledge_proposals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** "resolved:<work item>", "promote:<experience key>", "retire:<pattern>:<version>": a replayed activity proposes once. */
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull(), // new-pattern | promotion | retirement
    status: text('status').notNull(), // awaiting-developer | in-review | approved | rejected | declined
    developerId: text('developer_id').notNull(), // who was asked (yes / edit first / no), or who proposed
    workItemKey: text('work_item_key'),
    patternId: text('pattern_id'), // target tier 1 id
    experienceKey: text('experience_key'), // source tier 2 entry of a promotion
    draft: jsonb('draft').notNull(), // {id, title, body, applicability, references, topics}
    developerResponse: text('developer_response'), // yes | edit | no
    reviewer: text('reviewer'),
    reviewNote: text('review_note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('knowledge_proposals_status_idx').on(t.status), uniqueIndex('knowledge_proposals_dedupe_uq').on(t.dedupeKey)],
);

/** Raw CI results per test attempt; the tier 2 CI statistics are computed from these. */
export const ciTestRuns = pgTable(
  'ci_test_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    test: text('test').notNull(),
    job: text('job'),
    runId: text('run_id').notNull(),
    commitSha: text('commit_sha').notNull(),
    attempt: integer('attempt').notNull(),
    outcome: text('outcome').notNull(), // pass | fail
    signature: text('signature'),
    message: text('message'), // redacted, first lines only
    durationMs: integer('duration_ms'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('ci_test_runs_attempt_uq').on(t.test, t.runId, t.attempt), index('ci_test_runs_test_idx').on(t.test, t.occurredAt)],
);

/** Tier 2: experience written automatically (CI statistics, plan-execution slips, resolved tickets). */
export const experienceEntries = pgTable(
  'experience_entries',
  {
    key: text('key').primaryKey(), // ci-test:<test> | plan-slip:<step> | ticket:<KEY>
    kind: text('kind').notNull(), // ci-test | plan-slip | ticket-summary
    title: text('title').notNull(),
    body: text('body').notNull(),
    applicability: jsonb('applicability').notNull(),
    topics: jsonb('topics')
      .notNull()
      .default(sql`'[]'::jsonb`),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    occurrences: integer('occurrences').notNull().default(1),
    promotedTo: text('promoted_to'),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull().defaultNow(),
    lastSeen: timestamp('last_seen', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('experience_entries_kind_idx').on(t.kind)],
);

/** Tier 3: one row per developer, readable only by that developer. */
export const personalMemory = pgTable('personal_memory', {
  developerId: text('developer_id').primaryKey(),
  familiarPlatforms: jsonb('familiar_platforms')
    .notNull()
    .default(sql`'[]'::jsonb`),
  learningPlatforms: jsonb('learning_platforms')
    .notNull()
    .default(sql`'[]'::jsonb`),
  explanationLevel: text('explanation_level').notNull(), // beginner | intermediate | expert
  leftOff: text('left_off'),
  hypothesis: text('hypothesis'),
  conceptExposure: jsonb('concept_exposure')
    .notNull()
    .default(sql`'{}'::jsonb`), // concept id -> times explained
  orientationCompletedAt: timestamp('orientation_completed_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const personalSessionNotes = pgTable(
  'personal_session_notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    developerId: text('developer_id').notNull(),
    workItemKey: text('work_item_key'),
    summary: text('summary').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('personal_session_notes_dev_idx').on(t.developerId, t.createdAt)],
);

/** Calibration: the confidence a change merged with, and what happened afterwards. */
export const mergedChanges = pgTable('merged_changes', {
  prUrl: text('pr_url').primaryKey(),
  workItemKey: text('work_item_key'),
  phaseId: text('phase_id'),
  grades: jsonb('grades').notNull(), // {L1: "high", L2: "medium", ...}
  mergedAt: timestamp('merged_at', { withTimezone: true }).notNull(),
});

export const mergeOutcomes = pgTable(
  'merge_outcomes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    prUrl: text('pr_url').notNull(),
    kind: text('kind').notNull(), // revert | follow-up-bug | incident
    reference: text('reference').notNull(), // revert PR url, bug key, incident id
    detail: text('detail').notNull().default(''),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('merge_outcomes_uq').on(t.prUrl, t.kind, t.reference)],
);
