CREATE TABLE `market_bids` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`node_id` text NOT NULL,
	`price_wei_per_second` text,
	`gpu_model` text,
	`decline_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `market_orders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`node_id`) REFERENCES `market_nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `market_bids_order_node_idx` ON `market_bids` (`order_id`,`node_id`);--> statement-breakpoint
CREATE TABLE `market_deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`status_message` text,
	`manifest` text NOT NULL,
	`manifest_hash` text NOT NULL,
	`requirements` text NOT NULL,
	`max_price_wei_per_second` text NOT NULL,
	`duration_seconds` integer NOT NULL,
	`escrow_wei` text NOT NULL,
	`created_at` integer NOT NULL,
	`ends_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `market_deployments_team_idx` ON `market_deployments` (`team_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `market_deployments_status_idx` ON `market_deployments` (`status`);--> statement-breakpoint
CREATE TABLE `market_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deployment_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`deployment_id`) REFERENCES `market_deployments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `market_events_deployment_idx` ON `market_events` (`deployment_id`,`id`);--> statement-breakpoint
CREATE TABLE `market_lease_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lease_id` text NOT NULL,
	`at` integer NOT NULL,
	`line` text NOT NULL,
	FOREIGN KEY (`lease_id`) REFERENCES `market_leases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `market_lease_logs_lease_idx` ON `market_lease_logs` (`lease_id`,`id`);--> statement-breakpoint
CREATE TABLE `market_leases` (
	`id` text PRIMARY KEY NOT NULL,
	`deployment_id` text NOT NULL,
	`order_id` text NOT NULL,
	`node_id` text NOT NULL,
	`price_wei_per_second` text NOT NULL,
	`gpu_model` text,
	`gpu_count` integer NOT NULL,
	`state` text NOT NULL,
	`access_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`manifest_deadline` integer NOT NULL,
	`manifest_accepted_at` integer,
	`services` text NOT NULL,
	`metrics` text,
	`closed_at` integer,
	`close_reason` text,
	FOREIGN KEY (`deployment_id`) REFERENCES `market_deployments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`order_id`) REFERENCES `market_orders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`node_id`) REFERENCES `market_nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `market_leases_node_state_idx` ON `market_leases` (`node_id`,`state`);--> statement-breakpoint
CREATE INDEX `market_leases_deployment_idx` ON `market_leases` (`deployment_id`);--> statement-breakpoint
CREATE TABLE `market_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`region` text NOT NULL,
	`tier` text NOT NULL,
	`secret_hash` text NOT NULL,
	`inventory` text NOT NULL,
	`capabilities` text NOT NULL,
	`status` text NOT NULL,
	`joined_at` integer NOT NULL,
	`last_heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `market_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`deployment_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`bid_deadline` integer NOT NULL,
	`excluded_nodes` text NOT NULL,
	`closed_reason` text,
	FOREIGN KEY (`deployment_id`) REFERENCES `market_deployments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `market_orders_state_idx` ON `market_orders` (`state`);--> statement-breakpoint
CREATE INDEX `market_orders_deployment_idx` ON `market_orders` (`deployment_id`);