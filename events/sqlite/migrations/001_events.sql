-- The log. position is the rowid: no secondary index, because every index
-- on this table is paid for on every append. Event ids are kept unique by
-- the ledger's id projection, checked inside the same write transaction.
CREATE TABLE events (
	position    INTEGER PRIMARY KEY,
	id          BLOB    NOT NULL,   -- 16 bytes
	type        TEXT    NOT NULL,
	stream      TEXT    NOT NULL,
	occurred_at INTEGER NOT NULL,   -- Unix nanoseconds
	recorded_at INTEGER NOT NULL,   -- Unix nanoseconds
	actor       TEXT    NOT NULL,
	ref         TEXT    NOT NULL,
	data        BLOB    NOT NULL,   -- canonical JSON
	prev_hash   BLOB    NOT NULL,   -- 32 bytes
	hash        BLOB    NOT NULL    -- 32 bytes
);

-- Append-only, enforced by the database itself.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;

-- One saved checkpoint of the projections (derived data, replaceable).
CREATE TABLE checkpoint (
	slot     INTEGER PRIMARY KEY CHECK (slot = 1),
	position INTEGER NOT NULL,
	hash     BLOB    NOT NULL,
	format   TEXT    NOT NULL,
	data     BLOB    NOT NULL
);
