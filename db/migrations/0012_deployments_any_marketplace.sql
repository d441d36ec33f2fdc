PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_flow_deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`flow_version_id` text NOT NULL,
	`group_name` text NOT NULL,
	`market_deployment_id` text NOT NULL,
	`workloads` text NOT NULL,
	`replicas` integer NOT NULL,
	`duration_hours` integer,
	`state` text NOT NULL,
	`replaces_id` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`stopped_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`flow_version_id`) REFERENCES `flow_versions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_flow_deployments`("id", "team_id", "flow_id", "flow_version_id", "group_name", "market_deployment_id", "workloads", "replicas", "duration_hours", "state", "replaces_id", "created_by", "created_at", "stopped_at") SELECT "id", "team_id", "flow_id", "flow_version_id", "group_name", "market_deployment_id", "workloads", "replicas", "duration_hours", "state", "replaces_id", "created_by", "created_at", "stopped_at" FROM `flow_deployments`;--> statement-breakpoint
DROP TABLE `flow_deployments`;--> statement-breakpoint
ALTER TABLE `__new_flow_deployments` RENAME TO `flow_deployments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `flow_deployments_market_deployment_id_unique` ON `flow_deployments` (`market_deployment_id`);--> statement-breakpoint
CREATE INDEX `flow_deployments_team_flow_idx` ON `flow_deployments` (`team_id`,`flow_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `__new_model_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`slug` text NOT NULL,
	`model_id` text NOT NULL,
	`gpu` text NOT NULL,
	`mode` text NOT NULL,
	`duration_hours` integer,
	`idle_minutes` integer,
	`max_price_wei_per_second` text NOT NULL,
	`market_deployment_id` text,
	`state` text NOT NULL,
	`last_request_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_model_endpoints`("id", "team_id", "slug", "model_id", "gpu", "mode", "duration_hours", "idle_minutes", "max_price_wei_per_second", "market_deployment_id", "state", "last_request_at", "created_by", "created_at", "updated_at") SELECT "id", "team_id", "slug", "model_id", "gpu", "mode", "duration_hours", "idle_minutes", "max_price_wei_per_second", "market_deployment_id", "state", "last_request_at", "created_by", "created_at", "updated_at" FROM `model_endpoints`;--> statement-breakpoint
DROP TABLE `model_endpoints`;--> statement-breakpoint
ALTER TABLE `__new_model_endpoints` RENAME TO `model_endpoints`;--> statement-breakpoint
CREATE UNIQUE INDEX `model_endpoints_team_slug_idx` ON `model_endpoints` (`team_id`,`slug`);