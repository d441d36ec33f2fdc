CREATE TABLE `knowledge_chunk_vectors` (
	`chunk_id` integer PRIMARY KEY NOT NULL,
	`knowledge_base_id` text NOT NULL,
	`embedding` blob NOT NULL,
	FOREIGN KEY (`chunk_id`) REFERENCES `knowledge_chunks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`knowledge_base_id`) REFERENCES `knowledge_bases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_chunk_vectors_kb_idx` ON `knowledge_chunk_vectors` (`knowledge_base_id`);--> statement-breakpoint
CREATE TABLE `knowledge_reembeds` (
	`knowledge_base_id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`embedding_base_url` text NOT NULL,
	`embedding_model` text NOT NULL,
	`embedding_credential_id` text,
	`status` text NOT NULL,
	`progress_permille` integer DEFAULT 0 NOT NULL,
	`error` text,
	`requested_at` integer NOT NULL,
	FOREIGN KEY (`knowledge_base_id`) REFERENCES `knowledge_bases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`embedding_credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `knowledge_vector_staging` (
	`chunk_id` integer PRIMARY KEY NOT NULL,
	`knowledge_base_id` text NOT NULL,
	`embedding` blob NOT NULL,
	`code` blob NOT NULL,
	FOREIGN KEY (`chunk_id`) REFERENCES `knowledge_chunks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`knowledge_base_id`) REFERENCES `knowledge_bases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `knowledge_vector_staging_kb_idx` ON `knowledge_vector_staging` (`knowledge_base_id`);--> statement-breakpoint
-- Vector search's coarse pass (ADR 026): a 1,024-bit code per chunk, partitioned by knowledge base,
-- so a search reads 128 bytes per vector of its own base instead of every float. The candidates
-- are then scored exactly from knowledge_chunk_vectors. Deleting a chunk deletes its code.
CREATE VIRTUAL TABLE `knowledge_vector_codes` USING vec0(chunk_id integer primary key, kb_id text partition key, code bit[1024], chunk_size=4096);--> statement-breakpoint
CREATE TRIGGER `knowledge_vector_codes_delete` AFTER DELETE ON `knowledge_chunks` BEGIN
	DELETE FROM `knowledge_vector_codes` WHERE chunk_id = old.id;
END;
