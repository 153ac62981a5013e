CREATE TABLE `document_aliases` (
	`alias_id` text PRIMARY KEY NOT NULL,
	`document_id` text NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `document_aliases_document_index` ON `document_aliases` (`document_id`);--> statement-breakpoint
CREATE TABLE `document_texts` (
	`document_id` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`pages` text,
	`sections` text,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`source_kind` text NOT NULL,
	`file_name` text,
	`url` text,
	`final_url` text,
	`title` text,
	`mime_type` text,
	`sha256` text,
	`byte_size` integer,
	`page_count` integer,
	`language` text,
	`status` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`chunk_count` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`supersedes` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `documents_sha256_index` ON `documents` (`sha256`);--> statement-breakpoint
CREATE INDEX `documents_url_index` ON `documents` (`url`);--> statement-breakpoint
CREATE INDEX `documents_status_index` ON `documents` (`status`);--> statement-breakpoint
CREATE TABLE `ingest_jobs` (
	`document_id` text PRIMARY KEY NOT NULL,
	`input_kind` text NOT NULL,
	`upload_sha256` text,
	`url` text,
	`file_name` text,
	`title` text,
	`mime_type` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
