CREATE TABLE `billing_accounts` (
	`team_id` text PRIMARY KEY NOT NULL,
	`deposit_ref` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_accounts_deposit_ref_unique` ON `billing_accounts` (`deposit_ref`);--> statement-breakpoint
CREATE TABLE `chain_cursors` (
	`id` text PRIMARY KEY NOT NULL,
	`last_block` integer NOT NULL,
	`last_block_hash` text NOT NULL,
	`head_block` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `chain_deposits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chain_id` integer NOT NULL,
	`tx_hash` text NOT NULL,
	`log_index` integer NOT NULL,
	`block_number` integer NOT NULL,
	`block_hash` text NOT NULL,
	`deposit_ref` text NOT NULL,
	`team_id` text,
	`from_address` text NOT NULL,
	`amount` text NOT NULL,
	`status` text NOT NULL,
	`entry_id` integer,
	`seen_at` integer NOT NULL,
	`credited_at` integer,
	FOREIGN KEY (`entry_id`) REFERENCES `ledger_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chain_deposits_log_idx` ON `chain_deposits` (`chain_id`,`tx_hash`,`log_index`);--> statement-breakpoint
CREATE INDEX `chain_deposits_team_idx` ON `chain_deposits` (`team_id`,`id`);--> statement-breakpoint
CREATE TABLE `ledger_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`team_id` text,
	`balance` text DEFAULT '0' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_accounts_team_idx` ON `ledger_accounts` (`team_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`team_id` text,
	`memo` text,
	`digest` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_key_idx` ON `ledger_entries` (`key`);--> statement-breakpoint
CREATE INDEX `ledger_entries_team_idx` ON `ledger_entries` (`team_id`,`at`);--> statement-breakpoint
CREATE TABLE `ledger_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`entry_id` integer NOT NULL,
	`account_id` text NOT NULL,
	`amount` text NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `ledger_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_lines_entry_idx` ON `ledger_lines` (`entry_id`);--> statement-breakpoint
CREATE INDEX `ledger_lines_account_idx` ON `ledger_lines` (`account_id`,`entry_id`);