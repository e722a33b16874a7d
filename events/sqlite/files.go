package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/pingyang/ledger/events"
)

// SQLite works on open file descriptors. When the files of a running
// ledger are removed or replaced (an operator cleaning up, a restore from
// a backup copied over the live file), SQLite goes on writing to the
// descriptors it has: commits succeed into a file no one will ever open
// again, a restart finds an older log and gives acknowledged positions to
// new events, and another process opening the path meanwhile starts a WAL
// of its own beside ours, which corrupts the database. So before an append
// is acknowledged the store checks that the paths still name the files it
// opened (os.SameFile: device and inode). When they do not, it refuses
// every append from then on, loudly. If only the WAL (or its index) was
// removed and the database file is the one opened, the frames of the
// acknowledged events still sit in the open, unlinked WAL: a checkpoint
// copies them into the database file, so that even a crash before the
// restart loses none of them.

// files is what the store opened, and whether it lost them.
type files struct {
	path         string
	db, wal, shm os.FileInfo // as opened; wal and shm nil when absent
	mu           sync.Mutex
	lost         error // sticky: once lost, always lost
}

// remember records the files the paths name now; Open calls it once the
// database is open (in WAL mode, with its -wal and -shm files).
func (f *files) remember(path string) error {
	f.path = path
	db, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	f.db = db
	f.wal, _ = os.Stat(path + "-wal")
	f.shm, _ = os.Stat(path + "-shm")
	return nil
}

// check returns the error every append gets once the files were lost.
// rescue is called (once) when the database file itself is still the
// one opened, to copy the WAL's frames into it.
func (f *files) check(rescue func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lost != nil || f.db == nil {
		return f.lost
	}
	same := func(name string, was os.FileInfo) bool {
		now, err := os.Stat(name)
		return err == nil && os.SameFile(was, now)
	}
	var gone string
	switch {
	case !same(f.path, f.db):
		gone = f.path
	case f.wal != nil && !same(f.path+"-wal", f.wal):
		gone = f.path + "-wal"
	case f.shm != nil && !same(f.path+"-shm", f.shm):
		gone = f.path + "-shm"
	default:
		return nil
	}
	saved := "the events acknowledged before it may not be in the database file"
	if gone != f.path {
		if err := rescue(); err != nil {
			saved = fmt.Sprintf("the events acknowledged before it could not be copied into the database file (%v)", err)
		} else {
			saved = "the events acknowledged before it were copied into the database file"
		}
	}
	f.lost = fmt.Errorf("sqlite: %s was removed or replaced while the ledger had it open; %s; "+
		"no append is accepted any more: stop every process using %s, restart the ledger and run `ledger verify`: %w",
		gone, saved, f.path, events.ErrStoreLost)
	return f.lost
}

// checkFiles is files.check for s. tx, when not nil, is the append's open
// transaction: it holds the one write connection, which the rescue needs,
// so it is rolled back first.
func (s *Store) checkFiles(ctx context.Context, tx *sql.Tx) error {
	return s.files.check(func() error {
		if tx != nil {
			_ = tx.Rollback()
		}
		var busy, log, done int
		err := s.write.QueryRowContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done)
		if err == nil && busy != 0 {
			err = errors.New("the checkpoint was blocked by a reader")
		}
		return err
	})
}
