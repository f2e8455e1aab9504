CREATE TABLE "slack_intents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"kind" text NOT NULL,
	"slack_user_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"outcome" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "slack_intents_key_uq" ON "slack_intents" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "slack_intents_due_idx" ON "slack_intents" USING btree ("status","lease_until");