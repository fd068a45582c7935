//go:build linux

package h5file_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/followload"
)

// TestSnapshotLocks checks the lock half of decision 28 with flock calls
// as libhdf5 makes them: a writer with WithSnapshots lets readers take a
// shared lock and keeps writers out; a Flush waits for a reader to close
// (here: to drop its lock), and after SnapshotLockWait publishes without
// the lock, counted in SnapshotStats.
func TestSnapshotLocks(t *testing.T) {
	t.Setenv("HDF5_USE_FILE_LOCKING", "")
	path := filepath.Join(t.TempDir(), "locks.h5")
	w, err := h5file.Create(path, "w", h5file.WithSnapshots(), h5file.SnapshotLockWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := followload.Create(w, 1); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	fd := int(reader.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		t.Fatal("a second writer could lock the file exclusively while it is open with WithSnapshots")
	}
	if err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Fatalf("a libhdf5 reader's shared lock: %v (the writer must hold a shared lock, not an exclusive one)", err)
	}
	start := time.Now()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	st := w.SnapshotStats()
	if st.WithoutLock != 1 || time.Since(start) < 50*time.Millisecond || st.LockWait < 50*time.Millisecond {
		t.Errorf("flush beside an open reader: %+v after %v; want one publish without the lock after 50ms", st, time.Since(start))
	}
	if err := syscall.Flock(fd, syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if err := followload.Step(w, 0, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if st2 := w.SnapshotStats(); st2.WithoutLock != 1 || st2.Published != st.Published+1 {
		t.Errorf("flush with no reader: %+v (before: %+v); want it published under the lock", st2, st)
	}
	// The writer is back to its shared lock: readers open, writers do not.
	if err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Errorf("reader after the flush: %v", err)
	}
	syscall.Flock(fd, syscall.LOCK_UN)
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		t.Error("the writer let go of its lock after a flush")
	}
}
