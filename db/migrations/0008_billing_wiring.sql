CREATE TABLE `billing_limits` (
	`team_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`monthly_wei` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `api_key_id`)
);
--> statement-breakpoint
CREATE TABLE `billing_providers` (
	`address` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`label` text NOT NULL,
	`node_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `billing_providers_team_idx` ON `billing_providers` (`team_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `billing_providers_node_idx` ON `billing_providers` (`node_id`);--> statement-breakpoint
CREATE TABLE `billing_usage_daily` (
	`team_id` text NOT NULL,
	`day` text NOT NULL,
	`agent_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`requests` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cost_spon` integer NOT NULL,
	`cost_wei_fraction` integer NOT NULL,
	PRIMARY KEY(`team_id`, `day`, `agent_id`, `api_key_id`)
);
--> statement-breakpoint
CREATE INDEX `billing_usage_daily_key_idx` ON `billing_usage_daily` (`api_key_id`,`day`);--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `welcome_grant_at` integer;--> statement-breakpoint
ALTER TABLE `ledger_lines` ADD `balance_after` text;