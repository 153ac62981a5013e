CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`collections` text NOT NULL,
	`secret_sha256` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`rotated_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE INDEX `api_keys_secret_index` ON `api_keys` (`secret_sha256`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`document_id` text,
	`question` text,
	`collection_ids` text,
	`cited_document_ids` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_at_index` ON `audit_events` (`at`);--> statement-breakpoint
CREATE TABLE `collections` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `document_collections` (
	`document_id` text NOT NULL,
	`collection_id` text NOT NULL,
	PRIMARY KEY(`document_id`, `collection_id`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`collection_id`) REFERENCES `collections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `document_collections_collection_index` ON `document_collections` (`collection_id`,`document_id`);--> statement-breakpoint
INSERT INTO `collections` (`id`, `name`) VALUES ('allgemein', 'Allgemein');--> statement-breakpoint
INSERT INTO `document_collections` (`document_id`, `collection_id`) SELECT `id`, 'allgemein' FROM `documents`;
