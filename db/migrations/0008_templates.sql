CREATE TABLE `template_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`template_id` text NOT NULL,
	`number` integer NOT NULL,
	`name` text NOT NULL,
	`graph` text NOT NULL,
	`source_flow_id` text,
	`author_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`template_id`) REFERENCES `templates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `template_versions_number_idx` ON `template_versions` (`template_id`,`number`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text,
	`seed_key` text,
	`visibility` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`category` text NOT NULL,
	`tags` text NOT NULL,
	`readme` text DEFAULT '' NOT NULL,
	`graph` text NOT NULL,
	`needs` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`uses` integer DEFAULT 0 NOT NULL,
	`featured_rank` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `templates_team_idx` ON `templates` (`team_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `templates_visibility_idx` ON `templates` (`visibility`,`updated_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `templates_seed_key_idx` ON `templates` (`seed_key`);