CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"collections" jsonb NOT NULL,
	"secret_sha256" text NOT NULL,
	"created_at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"rotated_at" text,
	"revoked_at" text
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"document_id" text,
	"question" text,
	"collection_ids" jsonb,
	"cited_document_ids" jsonb
);
--> statement-breakpoint
CREATE TABLE "collections" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_aliases" (
	"alias_id" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_attachments" (
	"parent_id" text NOT NULL,
	"attachment_id" text NOT NULL,
	"file_name" text NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "document_attachments_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	CONSTRAINT "document_attachments_parent_id_attachment_id_pk" PRIMARY KEY("parent_id","attachment_id")
);
--> statement-breakpoint
CREATE TABLE "document_collections" (
	"document_id" text NOT NULL,
	"collection_id" text NOT NULL,
	CONSTRAINT "document_collections_document_id_collection_id_pk" PRIMARY KEY("document_id","collection_id")
);
--> statement-breakpoint
CREATE TABLE "document_texts" (
	"document_id" text PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"pages" jsonb,
	"sections" jsonb
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"source_kind" text NOT NULL,
	"file_name" text,
	"url" text,
	"final_url" text,
	"title" text,
	"mime_type" text,
	"sha256" text,
	"byte_size" integer,
	"page_count" integer,
	"language" text,
	"status" text NOT NULL,
	"error_code" text,
	"error_message" text,
	"error_user_message" jsonb,
	"chunk_count" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"supersedes" text,
	"parent_id" text,
	"created_at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"updated_at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingest_jobs" (
	"document_id" text PRIMARY KEY NOT NULL,
	"input_kind" text NOT NULL,
	"upload_sha256" text,
	"text" text,
	"url" text,
	"file_name" text,
	"title" text,
	"mime_type" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" text DEFAULT to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL
);
--> statement-breakpoint
ALTER TABLE "document_aliases" ADD CONSTRAINT "document_aliases_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_attachments" ADD CONSTRAINT "document_attachments_parent_id_documents_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_attachments" ADD CONSTRAINT "document_attachments_attachment_id_documents_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_collections" ADD CONSTRAINT "document_collections_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_collections" ADD CONSTRAINT "document_collections_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_texts" ADD CONSTRAINT "document_texts_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_jobs" ADD CONSTRAINT "ingest_jobs_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_secret_index" ON "api_keys" USING btree ("secret_sha256");--> statement-breakpoint
CREATE INDEX "audit_events_at_index" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "document_aliases_document_index" ON "document_aliases" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "document_attachments_attachment_index" ON "document_attachments" USING btree ("attachment_id");--> statement-breakpoint
CREATE INDEX "document_collections_collection_index" ON "document_collections" USING btree ("collection_id","document_id");--> statement-breakpoint
CREATE INDEX "documents_sha256_index" ON "documents" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "documents_url_index" ON "documents" USING btree ("url");--> statement-breakpoint
CREATE INDEX "documents_status_index" ON "documents" USING btree ("status");