-- A checkpoint's data is kept in chunks of a few MiB, written and read as
-- streams, so that neither saving nor loading one holds it whole in memory.
-- A save writes its chunks under a new generation number, then, in one
-- short transaction, points checkpoint at it and drops the other
-- generations: appends are never held up by a save, and a reader sees one
-- whole checkpoint.
CREATE TABLE checkpoint_chunk (
	gen  INTEGER NOT NULL,
	seq  INTEGER NOT NULL,
	data BLOB    NOT NULL,
	PRIMARY KEY (gen, seq)
) WITHOUT ROWID;
ALTER TABLE checkpoint ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checkpoint ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checkpoint ADD COLUMN digest BLOB;
-- A checkpoint saved whole before this is dropped: the ledger rebuilds it.
DELETE FROM checkpoint;
