CREATE TABLE "decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"work_item_key" text,
	"phase_id" text,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"surface" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "developers" (
	"id" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"slack_user_id" text,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"role" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "developers_slack_user_id_unique" UNIQUE("slack_user_id")
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"developer_id" text,
	"channel" text,
	"urgency" text NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"slack_ts" text,
	"slack_channel" text,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"silent" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phases" (
	"work_item_key" text NOT NULL,
	"phase_id" text NOT NULL,
	"title" text NOT NULL,
	"ordinal" integer NOT NULL,
	"mode" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"pr_url" text,
	"branch" text,
	"evidence" jsonb,
	"confidence" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processed_slack_events" (
	"idempotency_key" text NOT NULL,
	"kind" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_items" (
	"key" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"title" text NOT NULL,
	"intention" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"workflow_id" text NOT NULL,
	"plan" jsonb,
	"plan_version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "phases" ADD CONSTRAINT "phases_work_item_key_work_items_key_fk" FOREIGN KEY ("work_item_key") REFERENCES "public"."work_items"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_items" ADD CONSTRAINT "work_items_owner_id_developers_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."developers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "decisions_idempotency_key_uq" ON "decisions" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "decisions_work_item_idx" ON "decisions" USING btree ("work_item_key");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_outbox_dedupe_uq" ON "notification_outbox" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notification_outbox_pending_idx" ON "notification_outbox" USING btree ("status","not_before");--> statement-breakpoint
CREATE UNIQUE INDEX "phases_pk" ON "phases" USING btree ("work_item_key","phase_id");--> statement-breakpoint
CREATE UNIQUE INDEX "processed_slack_events_key_uq" ON "processed_slack_events" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "work_items_owner_idx" ON "work_items" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "work_items_status_idx" ON "work_items" USING btree ("status");