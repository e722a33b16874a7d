-- The log's RFC 6962 Merkle tree (events/tree.go): the hashes of its
-- perfect subtrees, kept in the same transaction as the events. A row holds
-- up to 256 consecutive node hashes of one level (8 KiB), so that an append
-- rewrites a few rows rather than adding two per event, and a proof reads
-- one row per level.
CREATE TABLE tree (
	level  INTEGER NOT NULL,
	idx    INTEGER NOT NULL,   -- node index / 256
	hashes BLOB    NOT NULL,   -- 32 bytes per node, from node idx*256
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- The signature that binds a saved checkpoint to its writer (replay).
ALTER TABLE checkpoint ADD COLUMN seal BLOB;
