PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_ledger_entries` (
	`id` integer PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`team_id` text,
	`memo` text,
	`digest` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_ledger_entries`("id", "key", "kind", "team_id", "memo", "digest", "at") SELECT "id", "key", "kind", "team_id", "memo", "digest", "at" FROM `ledger_entries`;--> statement-breakpoint
DROP TABLE `ledger_entries`;--> statement-breakpoint
ALTER TABLE `__new_ledger_entries` RENAME TO `ledger_entries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_key_idx` ON `ledger_entries` (`key`);--> statement-breakpoint
CREATE TABLE `__new_ledger_lines` (
	`id` integer PRIMARY KEY NOT NULL,
	`entry_id` integer NOT NULL,
	`account_id` text NOT NULL,
	`amount` text NOT NULL,
	`balance_after` text,
	FOREIGN KEY (`entry_id`) REFERENCES `ledger_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_ledger_lines`("id", "entry_id", "account_id", "amount", "balance_after") SELECT "id", "entry_id", "account_id", "amount", "balance_after" FROM `ledger_lines`;--> statement-breakpoint
DROP TABLE `ledger_lines`;--> statement-breakpoint
ALTER TABLE `__new_ledger_lines` RENAME TO `ledger_lines`;--> statement-breakpoint
CREATE INDEX `ledger_lines_account_idx` ON `ledger_lines` (`account_id`);