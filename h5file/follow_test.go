package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/followload"
)

// followWriter runs followload's job in this process (one rank, serial)
// until stop is closed, and returns how many steps it flushed.
func followWriter(t *testing.T, path string, v h5file.Libver, ready chan<- struct{}, stop <-chan struct{}) (int64, error) {
	f, err := h5file.Create(path, "w", h5file.WithSnapshots(), h5file.WithLibver(v))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := followload.Create(f, 1); err != nil {
		return 0, err
	}
	if err := f.Flush(); err != nil {
		return 0, err
	}
	close(ready)
	var k int64
	for ; k < 100000; k++ {
		select {
		case <-stop:
			return k, f.Close()
		default:
		}
		if err := followload.Step(f, k, 0, 1); err != nil {
			return k, err
		}
		if err := f.Flush(); err != nil {
			return k, err
		}
	}
	return k, f.Close()
}

// TestFollowSerial follows a file a writer in this process flushes
// continually: every view Poll gives is one flush (followload.Check), in
// both format families.
func TestFollowSerial(t *testing.T) {
	for _, v := range []h5file.Libver{h5file.LibverEarliest, h5file.LibverLatest} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "follow.h5")
			ready, stop := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			var steps int64
			var werr error
			wg.Add(1)
			go func() {
				defer wg.Done()
				steps, werr = followWriter(t, path, v, ready, stop)
			}()
			select {
			case <-ready:
			case <-time.After(time.Minute):
				t.Fatal("writer did not start")
			}
			f, err := h5file.Open(path, "r", h5file.Follow())
			if err != nil {
				close(stop)
				wg.Wait()
				t.Fatal(err)
			}
			seen, gone, polls := map[int64]bool{}, 0, 0
			last := int64(-2)
			for ; (polls < 300 || len(seen) < 50) && polls < 200000; polls++ {
				if _, err := f.Poll(); err != nil {
					t.Fatalf("poll %d: %v", polls, err)
				}
				k, err := followload.Check(f, 1)
				switch {
				case errors.Is(err, h5file.ErrSnapshotGone):
					gone++
					continue
				case err != nil:
					t.Fatalf("poll %d (generation %d): %v", polls, f.Generation(), err)
				case k < last:
					t.Fatalf("poll %d: step %d after step %d", polls, k, last)
				}
				last = k
				seen[k] = true
			}
			close(stop)
			wg.Wait()
			if werr != nil {
				t.Fatalf("writer: %v", werr)
			}
			f.Close()
			t.Logf("%d polls, %d distinct flushes seen of %d written, %d reads of a superseded view", polls, len(seen), steps, gone)
		})
	}
}

func TestFollowErrors(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.h5")
	f, err := h5file.Create(plain, "w")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := h5file.Open(plain, "r", h5file.Follow()); !errors.Is(err, h5file.ErrNoSnapshot) {
		t.Errorf("Follow of a file without snapshots: %v, want ErrNoSnapshot", err)
	}
	snap := filepath.Join(dir, "snap.h5")
	w, err := h5file.Create(snap, "w", h5file.WithSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := h5file.Open(snap, "r+", h5file.Follow()); !errors.Is(err, h5file.ErrMode) {
		t.Errorf("Follow with r+: %v, want ErrMode", err)
	}
	if err := followload.Create(w, 1); err != nil {
		t.Fatal(err)
	}
	if err := followload.Step(w, 0, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := h5file.Open(snap, "r", h5file.Follow(), h5file.FollowInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if g := r.Generation(); g != 2 {
		t.Errorf("Generation after Create and one Flush: %d, want 2", g)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next with no new flush: %v, want DeadlineExceeded", err)
	}
	old, err := r.Dataset("steps")
	if err != nil {
		t.Fatal(err)
	}
	if err := followload.Step(w, 1, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := r.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k, err := followload.Check(r, 1); err != nil || k != 1 {
		t.Errorf("after Next: step %d, %v; want 1", k, err)
	}
	var v []int64
	if err := old.Read(&v); !errors.Is(err, h5file.ErrSnapshotGone) {
		t.Errorf("read through a handle of the earlier view: %v, want ErrSnapshotGone", err)
	}
	if moved, err := r.Poll(); moved || err != nil {
		t.Errorf("Poll with no new flush: %v, %v", moved, err)
	}
	// Two more flushes: the view's space may be reused, its reads refused.
	for k := int64(2); k < 4; k++ {
		if err := followload.Step(w, k, 0, 1); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := followload.Check(r, 1); !errors.Is(err, h5file.ErrSnapshotGone) {
		t.Errorf("read of a view two flushes old: %v, want ErrSnapshotGone", err)
	}
	if err := w.Flush(); err != nil { // nothing changed: nothing published
		t.Fatal(err)
	}
	if moved, err := r.Poll(); !moved || err != nil || r.Generation() != 5 {
		t.Errorf("Poll: %v, %v, generation %d; want the flush of step 3 (5)", moved, err, r.Generation())
	}
}

// TestFollowReopened: a file made with snapshots and opened again with
// mode a keeps its snapshot block and generation; one made without gets
// the lock half only, and Follow refuses it.
func TestFollowReopened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "again.h5")
	w, err := h5file.Create(path, "w", h5file.WithSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	if err := followload.Create(w, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = h5file.Open(path, "a", h5file.WithSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := followload.Step(w, 0, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := h5file.Open(path, "r", h5file.Follow())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if k, err := followload.Check(r, 1); err != nil || k != 0 || r.Generation() != 3 {
		t.Errorf("reopened file: step %d, %v, generation %d; want step 0 at the third flush", k, err, r.Generation())
	}

	plain := filepath.Join(t.TempDir(), "plain.h5")
	p, err := h5file.Create(plain, "w")
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	p, err = h5file.Open(plain, "a", h5file.WithSnapshots())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Attrs().Set("x", 1); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if st := p.SnapshotStats(); st.Published != 1 {
		t.Errorf("a file without a snapshot block still publishes under the lock: %+v", st)
	}
	if _, err := h5file.Open(plain, "r", h5file.Follow()); !errors.Is(err, h5file.ErrNoSnapshot) {
		t.Errorf("Follow of a file without a snapshot block: %v", err)
	}
}
