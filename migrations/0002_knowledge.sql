CREATE TABLE "ci_test_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"test" text NOT NULL,
	"job" text,
	"run_id" text NOT NULL,
	"commit_sha" text NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"signature" text,
	"message" text,
	"duration_ms" integer,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experience_entries" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"applicability" jsonb NOT NULL,
	"topics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"promoted_to" text,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_pattern_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"pattern_id" text NOT NULL,
	"version" integer NOT NULL,
	"state" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"applicability" jsonb NOT NULL,
	"references" jsonb NOT NULL,
	"reviewer" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_patterns" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"applicability" jsonb NOT NULL,
	"references" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"topics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text NOT NULL,
	"version" integer NOT NULL,
	"reviewer" text,
	"origin" text NOT NULL,
	"source_path" text,
	"stale_refs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checked_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_proposals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"developer_id" text NOT NULL,
	"work_item_key" text,
	"pattern_id" text,
	"experience_key" text,
	"draft" jsonb NOT NULL,
	"developer_response" text,
	"reviewer" text,
	"review_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merge_outcomes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"pr_url" text NOT NULL,
	"kind" text NOT NULL,
	"reference" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merged_changes" (
	"pr_url" text PRIMARY KEY NOT NULL,
	"work_item_key" text,
	"phase_id" text,
	"grades" jsonb NOT NULL,
	"merged_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "personal_memory" (
	"developer_id" text PRIMARY KEY NOT NULL,
	"familiar_platforms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"learning_platforms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"explanation_level" text NOT NULL,
	"left_off" text,
	"hypothesis" text,
	"concept_exposure" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"orientation_completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "personal_session_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"developer_id" text NOT NULL,
	"work_item_key" text,
	"summary" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "ci_test_runs_attempt_uq" ON "ci_test_runs" USING btree ("test","run_id","attempt");--> statement-breakpoint
CREATE INDEX "ci_test_runs_test_idx" ON "ci_test_runs" USING btree ("test","occurred_at");--> statement-breakpoint
CREATE INDEX "experience_entries_kind_idx" ON "experience_entries" USING btree ("kind");--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_pattern_versions_uq" ON "knowledge_pattern_versions" USING btree ("pattern_id","version","state");--> statement-breakpoint
CREATE INDEX "knowledge_patterns_state_idx" ON "knowledge_patterns" USING btree ("state");--> statement-breakpoint
CREATE INDEX "knowledge_proposals_status_idx" ON "knowledge_proposals" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "knowledge_proposals_dedupe_uq" ON "knowledge_proposals" USING btree ("dedupe_key");--> statement-breakpoint
CREATE UNIQUE INDEX "merge_outcomes_uq" ON "merge_outcomes" USING btree ("pr_url","kind","reference");--> statement-breakpoint
CREATE INDEX "personal_session_notes_dev_idx" ON "personal_session_notes" USING btree ("developer_id","created_at");