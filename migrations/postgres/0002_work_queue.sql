CREATE TABLE "upload_blobs" (
	"sha256" text PRIMARY KEY NOT NULL,
	"bytes" "bytea" NOT NULL,
	"created_at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ingest_jobs" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "ingest_jobs" ADD COLUMN "lease_expires_at" timestamp with time zone;