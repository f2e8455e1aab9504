CREATE TABLE "github_deliveries" (
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "github_deliveries_id_uq" ON "github_deliveries" USING btree ("delivery_id");