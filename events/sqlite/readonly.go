package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/pingyang/ledger/events"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Reading a ledger must not need to write it: an inspector may be given a
// copy on read-only media, or a file they may not write. Open writes (it
// brings the schema up to date in a write transaction, and WAL mode makes
// a -wal and a -shm file beside the database), so OpenForReading falls
// back to OpenReadOnly when Open fails for want of write access.

// errReadOnly is what a store opened read-only answers to a write.
var errReadOnly = errors.New("sqlite: the store is open read-only")

// OpenForReading opens the ledger file at path like Open, or, when Open
// fails because the file or its directory cannot be written, read-only
// (OpenReadOnly). It reports which.
func OpenForReading(ctx context.Context, path string) (s *Store, readOnly bool, err error) {
	s, err = Open(ctx, path)
	if err == nil || !cannotWrite(err) {
		return s, false, err
	}
	if _, serr := os.Stat(path); serr != nil {
		return nil, false, err
	}
	ro, rerr := OpenReadOnly(ctx, path)
	if rerr != nil {
		return nil, false, fmt.Errorf("%w; read-only, too: %w", err, rerr)
	}
	return ro, true, nil
}

// cannotWrite reports an error of a store that may be read but not
// written: a read-only file or filesystem, a directory where the -wal and
// -shm files cannot be made.
func cannotWrite(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR:
			return true
		}
	}
	return errors.Is(err, os.ErrPermission)
}

// OpenReadOnly opens an existing ledger file for reading only, without
// bringing its schema up to date (reading needs no migration). When its
// directory cannot be written and it has no -wal file (it was closed
// cleanly), SQLite cannot make the -shm file that WAL mode reads through,
// and the file is opened as immutable: nothing is left in a WAL that it
// would miss. Append and SaveCheckpoint answer an error.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	modes := []string{"?mode=ro&_pragma=busy_timeout(30000)"}
	if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) {
		modes = append(modes, "?mode=ro&immutable=1") // no WAL that immutable would not read
	}
	var db *sql.DB
	var err error
	for _, q := range modes {
		db, err = sql.Open("sqlite", fileURI(path)+q)
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s read-only: %w", path, err)
		}
		var n int
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'checkpoint')`).Scan(&n)
		if err == nil && n != 2 {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s holds no ledger: %w", path, events.ErrNotFound)
		}
		if err == nil {
			break
		}
		db.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s read-only: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	return &Store{path: path, read: db, readOnly: true}, nil
}
