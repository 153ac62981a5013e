CREATE TABLE `document_attachments` (
	`parent_id` text NOT NULL,
	`attachment_id` text NOT NULL,
	`file_name` text NOT NULL,
	PRIMARY KEY(`parent_id`, `attachment_id`),
	FOREIGN KEY (`parent_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`attachment_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `document_attachments_attachment_index` ON `document_attachments` (`attachment_id`);--> statement-breakpoint
ALTER TABLE `documents` ADD `parent_id` text;