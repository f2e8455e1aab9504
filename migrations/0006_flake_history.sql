CREATE TABLE "ci_flake_states" (
	"test" text PRIMARY KEY NOT NULL,
	"flagged" boolean NOT NULL,
	"last_failure_at" timestamp with time zone,
	"decision" jsonb NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ci_history_imports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"release" text NOT NULL,
	"ok" boolean NOT NULL,
	"tests" integer DEFAULT 0 NOT NULL,
	"error" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ci_test_history" (
	"test" text PRIMARY KEY NOT NULL,
	"release" text NOT NULL,
	"runs" integer NOT NULL,
	"pass_percentage" double precision NOT NULL,
	"flake_percentage" double precision NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
