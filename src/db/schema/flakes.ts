// CI history imported from Sippy, each test's flaky flag between decisions, and the last decision taken on
// it. The CI watch decides from these (src/knowledge/flake-decisions.ts); the dashboard, App Home and the
// briefing read the same rows, so what people see is what the retry used.
import { boolean, doublePrecision, integer, jsonb, pgTable, text, timestamp, bigserial } from 'drizzle-orm/pg-core';

/** One test's pass and flake rates for the configured release, summed over the repository's jobs and variants. */
export const ciTestHistory = pgTable('ci_test_history', {
  test: text('test').primaryKey(),
  release: text('release').notNull(),
  runs: integer('runs').notNull(),
  passPercentage: doublePrecision('pass_percentage').notNull(),
  flakePercentage: doublePrecision('flake_percentage').notNull(),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
});

/** Every import attempt, kept so a failing import is visible on the dashboard rather than silent. */
export const ciHistoryImports = pgTable('ci_history_imports', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  release: text('release').notNull(),
  ok: boolean('ok').notNull(),
  tests: integer('tests').notNull().default(0),
  error: text('error'),
  at: timestamp('at', { withTimezone: true }).notNull(),
});

/** The flag (hysteresis state) and the last decision of each test that failed under a watch. */
export const ciFlakeStates = pgTable('ci_flake_states', {
  test: text('test').primaryKey(),
  flagged: boolean('flagged').notNull(),
  lastFailureAt: timestamp('last_failure_at', { withTimezone: true }),
  /** FlakeVerdict as stored: action, band, state, reason and the three inputs. */
  decision: jsonb('decision').notNull(),
  decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
});
