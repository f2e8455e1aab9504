-- The decisions table is the audit trail: who decided what, when, from which surface. Nobody may rewrite it.
CREATE OR REPLACE FUNCTION decisions_reject_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'decisions is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS decisions_append_only ON decisions;
--> statement-breakpoint
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
  FOR EACH ROW EXECUTE FUNCTION decisions_reject_change();
