CREATE TABLE "agent_usage" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"work_item_key" text,
	"phase_id" text,
	"step" text NOT NULL,
	"agent" text NOT NULL,
	"model" text NOT NULL,
	"turns" integer DEFAULT 0 NOT NULL,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cache_creation_input_tokens" integer DEFAULT 0 NOT NULL,
	"cache_read_input_tokens" integer DEFAULT 0 NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "agent_usage_idempotency_key_uq" ON "agent_usage" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "agent_usage_work_item_idx" ON "agent_usage" USING btree ("work_item_key");