CREATE TABLE `endpoint_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`api_key_id` text,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`status` integer NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`endpoint_id`) REFERENCES `model_endpoints`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `endpoint_requests_endpoint_at_idx` ON `endpoint_requests` (`endpoint_id`,`at`);--> statement-breakpoint
CREATE TABLE `flow_deployments` (
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
	FOREIGN KEY (`market_deployment_id`) REFERENCES `market_deployments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flow_deployments_market_deployment_id_unique` ON `flow_deployments` (`market_deployment_id`);--> statement-breakpoint
CREATE INDEX `flow_deployments_team_flow_idx` ON `flow_deployments` (`team_id`,`flow_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `model_endpoints` (
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
	FOREIGN KEY (`market_deployment_id`) REFERENCES `market_deployments`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_endpoints_team_slug_idx` ON `model_endpoints` (`team_id`,`slug`);--> statement-breakpoint
CREATE TABLE `node_join_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `node_join_tokens_token_hash_unique` ON `node_join_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `node_join_tokens_team_idx` ON `node_join_tokens` (`team_id`);