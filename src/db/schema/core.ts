// The relational state of RH-O. Temporal owns the live state of a plan; these tables are the durable
// record the surfaces read (briefings, App Home, dashboard) and the audit trail nobody may rewrite.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const developers = pgTable('developers', {
  id: text('id').primaryKey(), // role file name, e.g. "maria"
  displayName: text('display_name').notNull(),
  slackUserId: text('slack_user_id').unique(),
  timeZone: text('time_zone').notNull().default('UTC'),
  role: jsonb('role')
    .notNull()
    .default(sql`'{}'::jsonb`), // last validated role file, for surfaces
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const workItems = pgTable(
  'work_items',
  {
    key: text('key').primaryKey(), // Jira key, e.g. "HOSTEDCP-2101"; also the workflow id suffix
    ownerId: text('owner_id')
      .notNull()
      .references(() => developers.id),
    title: text('title').notNull(),
    intention: text('intention').notNull().default(''),
    status: text('status').notNull().default('draft'), // draft | planned | in_progress | blocked | resolved | cancelled
    workflowId: text('workflow_id').notNull(),
    plan: jsonb('plan'), // latest plan version as validated JSON
    planVersion: integer('plan_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('work_items_owner_idx').on(t.ownerId), index('work_items_status_idx').on(t.status)],
);

export const phases = pgTable(
  'phases',
  {
    workItemKey: text('work_item_key')
      .notNull()
      .references(() => workItems.key),
    phaseId: text('phase_id').notNull(),
    title: text('title').notNull(),
    ordinal: integer('ordinal').notNull(),
    mode: text('mode').notNull(), // autonomous | collaborative | approval-required
    status: text('status').notNull().default('pending'),
    prUrl: text('pr_url'),
    branch: text('branch'),
    /** Developers the work item's owner did not pick who may decide this phase's gate (OWNERS of its files); null when written before this was stored. */
    approvers: jsonb('approvers').$type<string[]>(),
    evidence: jsonb('evidence'),
    confidence: jsonb('confidence'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('phases_pk').on(t.workItemKey, t.phaseId)],
);

/**
 * Append-only audit log. The idempotency key is the Temporal update id (or Slack action key), so a replayed
 * activity or a double tap writes one row. Rows are never updated or deleted (enforced by a trigger).
 */
export const decisions = pgTable(
  'decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    workItemKey: text('work_item_key'),
    phaseId: text('phase_id'),
    kind: text('kind').notNull(), // approve-plan | approve-phase | reject-phase | set-mode | ci-retry | escalate | ...
    actor: text('actor').notNull(), // developer id, or "rh-o" for automatic decisions
    surface: text('surface').notNull(), // slack-button | slack-command | cli | dashboard | automatic
    detail: jsonb('detail')
      .notNull()
      .default(sql`'{}'::jsonb`),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('decisions_idempotency_key_uq').on(t.idempotencyKey), index('decisions_work_item_idx').on(t.workItemKey)],
);

/** Slack delivers events at least once; the event id (or retry-stable interaction key) makes processing once. */
export const processedSlackEvents = pgTable(
  'processed_slack_events',
  {
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(), // event | block_action | view_submission | command
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('processed_slack_events_key_uq').on(t.idempotencyKey)],
);

/**
 * GitHub delivers a webhook at least once and redelivers on request: the delivery id (X-GitHub-Delivery)
 * makes handling once. https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers
 */
export const githubDeliveries = pgTable(
  'github_deliveries',
  {
    deliveryId: text('delivery_id').notNull(),
    event: text('event').notNull(), // status | check_run | pull_request | pull_request_review | issue_comment | ping
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('github_deliveries_id_uq').on(t.deliveryId)],
);

/**
 * The Slack inbox: what a person asked for with a tap, a modal or a command, written before Slack is
 * acknowledged so a crash after the acknowledgement loses nothing. The Slack app applies each row once
 * through the Orchestrator port (the key doubles as the Temporal update id) and records how it ended.
 */
export const slackIntents = pgTable(
  'slack_intents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(), // decision | command | orientation-done | feedback | curation
    slackUserId: text('slack_user_id').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('pending'), // pending | applied | refused | failed
    /** How it ended (the decision's summary or the refusal's reason), or the last error while pending. */
    outcome: text('outcome'),
    attempts: integer('attempts').notNull().default(0),
    /** A process applying the row holds it until then; a row whose lease ran out is due again. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('slack_intents_key_uq').on(t.idempotencyKey), index('slack_intents_due_idx').on(t.status, t.leaseUntil)],
);

/** Transactional outbox: a notification is written with the state change and delivered at least once, deduplicated by key. */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    developerId: text('developer_id'),
    channel: text('channel'), // Slack channel id for channel alerts; null means the developer's DM
    urgency: text('urgency').notNull(), // blocking | decision | info
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('pending'), // pending | delivered | logged | digest | failed
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    slackTs: text('slack_ts'),
    slackChannel: text('slack_channel'),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    silent: boolean('silent').notNull().default(false),
  },
  (t) => [uniqueIndex('notification_outbox_dedupe_uq').on(t.dedupeKey), index('notification_outbox_pending_idx').on(t.status, t.notBefore)],
);
