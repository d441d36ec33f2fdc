CREATE TABLE `lease_escrows` (
	`order_id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`subject_kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`subject_label` text NOT NULL,
	`market_deployment_id` text,
	`market_order_id` text,
	`lease_id` text,
	`node_id` text,
	`provider_address` text,
	`escrow_wei` text NOT NULL,
	`rate_per_second` text,
	`paid_wei` text,
	`state` text NOT NULL,
	`started_at` integer,
	`stop_message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lease_escrows_deployment_idx` ON `lease_escrows` (`market_deployment_id`);--> statement-breakpoint
CREATE INDEX `lease_escrows_subject_idx` ON `lease_escrows` (`team_id`,`subject_id`);--> statement-breakpoint
CREATE INDEX `lease_escrows_state_idx` ON `lease_escrows` (`state`);--> statement-breakpoint
ALTER TABLE `market_nodes` ADD `team_id` text;