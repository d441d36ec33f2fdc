CREATE TABLE `knowledge_bases` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`search_mode` text DEFAULT 'keyword' NOT NULL,
	`chunk_size` integer NOT NULL,
	`chunk_overlap` integer NOT NULL,
	`embedding_base_url` text DEFAULT '' NOT NULL,
	`embedding_model` text DEFAULT '' NOT NULL,
	`embedding_credential_id` text,
	`embedding_dimensions` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`embedding_credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `knowledge_bases_team_idx` ON `knowledge_bases` (`team_id`);--> statement-breakpoint
CREATE TABLE `knowledge_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`knowledge_base_id` text NOT NULL,
	`document_id` text NOT NULL,
	`ord` integer NOT NULL,
	`text` text NOT NULL,
	`page` integer,
	`heading` text,
	FOREIGN KEY (`knowledge_base_id`) REFERENCES `knowledge_bases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `knowledge_documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_chunks_document_idx` ON `knowledge_chunks` (`document_id`,`ord`);--> statement-breakpoint
CREATE INDEX `knowledge_chunks_kb_idx` ON `knowledge_chunks` (`knowledge_base_id`);--> statement-breakpoint
CREATE TABLE `knowledge_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`knowledge_base_id` text NOT NULL,
	`name` text NOT NULL,
	`source_url` text,
	`format` text NOT NULL,
	`content_hash` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`pages` integer,
	`status` text NOT NULL,
	`error` text,
	`chunk_count` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`indexed_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`knowledge_base_id`) REFERENCES `knowledge_bases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knowledge_documents_hash_idx` ON `knowledge_documents` (`knowledge_base_id`,`content_hash`);--> statement-breakpoint
CREATE INDEX `knowledge_documents_team_idx` ON `knowledge_documents` (`team_id`);--> statement-breakpoint
CREATE TABLE `knowledge_files` (
	`document_id` text PRIMARY KEY NOT NULL,
	`bytes` blob NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `knowledge_documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `knowledge_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`document_id` text NOT NULL,
	`status` text NOT NULL,
	`stage` text NOT NULL,
	`progress_permille` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`document_id`) REFERENCES `knowledge_documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_jobs_open_idx` ON `knowledge_jobs` (`status`) WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX `knowledge_jobs_document_idx` ON `knowledge_jobs` (`document_id`);--> statement-breakpoint
-- Keyword search: FTS5 over knowledge_chunks.text (external content, so the text is stored once),
-- kept in step by the triggers below, including deletes cascaded from a document or a base. The
-- base's id is indexed too, as one token (without its "_"), so a search reads only its own base's
-- entries: one team's large base never slows another's search.
CREATE VIRTUAL TABLE `knowledge_chunks_fts` USING fts5(`text`, `knowledge_base_id`, content='knowledge_chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');--> statement-breakpoint
CREATE TRIGGER `knowledge_chunks_fts_insert` AFTER INSERT ON `knowledge_chunks` BEGIN
	INSERT INTO `knowledge_chunks_fts` (rowid, `text`, `knowledge_base_id`) VALUES (new.id, new.text, replace(new.knowledge_base_id, '_', ''));
END;--> statement-breakpoint
CREATE TRIGGER `knowledge_chunks_fts_delete` AFTER DELETE ON `knowledge_chunks` BEGIN
	INSERT INTO `knowledge_chunks_fts` (`knowledge_chunks_fts`, rowid, `text`, `knowledge_base_id`) VALUES ('delete', old.id, old.text, replace(old.knowledge_base_id, '_', ''));
END;--> statement-breakpoint
CREATE TRIGGER `knowledge_chunks_fts_update` AFTER UPDATE OF `text`, `knowledge_base_id` ON `knowledge_chunks` BEGIN
	INSERT INTO `knowledge_chunks_fts` (`knowledge_chunks_fts`, rowid, `text`, `knowledge_base_id`) VALUES ('delete', old.id, old.text, replace(old.knowledge_base_id, '_', ''));
	INSERT INTO `knowledge_chunks_fts` (rowid, `text`, `knowledge_base_id`) VALUES (new.id, new.text, replace(new.knowledge_base_id, '_', ''));
END;
