package h5file

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// netStep appends k to /t and sets the root's attribute step to k.
func netStep(f *File, k int64) error {
	d, err := f.Dataset("t")
	if err != nil {
		return err
	}
	if err := d.Resize(uint64(k + 1)); err != nil {
		return err
	}
	if err := d.WriteSel(S(Index(k)), []int64{k * 7}); err != nil {
		return err
	}
	if err := f.Attrs().Set("step", k); err != nil {
		return err
	}
	return f.Flush()
}

// netCheck is the view's step if the view is whole.
func netCheck(f *File) (int64, error) {
	var k int64
	if err := f.Attrs().Read("step", &k); err != nil {
		return 0, err
	}
	d, err := f.Dataset("t")
	if err != nil {
		return 0, err
	}
	var v []int64
	if err := d.Read(&v); err != nil {
		return 0, err
	}
	if int64(len(v)) != k+1 {
		return 0, fmt.Errorf("step %d with %d values: torn", k, len(v))
	}
	for i, x := range v {
		if x != int64(i)*7 {
			return 0, fmt.Errorf("step %d: t[%d] = %d: torn", k, i, x)
		}
	}
	return k, nil
}

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
	if _, err := CreateDatasetOf[int64](w, "t", []uint64{0}, MaxShape(Unlimited), Chunks(4)); err != nil {
		t.Fatal(err)
	}
	if err := netStep(w, 0); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, "r", Follow())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.follow.remote = true
	last := int64(-2)
	for k := int64(1); k < 20; k++ {
		if err := netStep(w, k); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Poll(); err != nil {
			t.Fatal(err)
		}
		got, err := netCheck(r)
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
		if err := netStep(w, k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := netCheck(r); !errors.Is(err, ErrSnapshotGone) {
		t.Errorf("read of a view two flushes old: %v", err)
	}
}
