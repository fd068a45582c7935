package h5file

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/internal/followload"
)

// TestFollowNetworkPaths runs writer and follower as they run on a
// network file system (the snapshot block's writes fsynced in order, the
// follower's generation checks through fresh opens), which this machine's
// local file system does not select by itself.
func TestFollowNetworkPaths(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nfs.h5")
	w, err := Create(path, "w", WithSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.snap.sync = true
	if err := followload.Create(w, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, "r", Follow())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.follow.remote = true
	last := int64(-2)
	for k := int64(0); k < 20; k++ {
		if err := followload.Step(w, k, 0, 1); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Poll(); err != nil {
			t.Fatal(err)
		}
		got, err := followload.Check(r, 1)
		if err != nil && !errors.Is(err, ErrSnapshotGone) {
			t.Fatalf("step %d: %v", k, err)
		}
		if err == nil && (got != k || got <= last) {
			t.Fatalf("after step %d the view shows step %d", k, got)
		}
		last = got
	}
	// Two flushes on, the view's reads are refused, through fresh opens.
	for k := int64(20); k < 22; k++ {
		followload.Step(w, k, 0, 1)
		w.Flush()
	}
	if _, err := followload.Check(r, 1); !errors.Is(err, ErrSnapshotGone) {
		t.Errorf("read of a view two flushes old: %v", err)
	}
}
