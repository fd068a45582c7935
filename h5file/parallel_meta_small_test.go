package h5file

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

// TestHeldWrites: small element writes of many ranks to many small
// datasets are held and written by rank 0 at Close (merged where they
// touch), a rank reads its own writes back at once, a later write of a
// rank wins over its earlier one, and every byte is in the file after
// Close.
func TestHeldWrites(t *testing.T) {
	const n, sets = 4, 40
	path := filepath.Join(t.TempDir(), "held.h5")
	held := make([]int, n)
	errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx), WithSmallWriteBatching())
		if err != nil {
			return err
		}
		r := int64(c.Rank())
		// CreateDatasetFrom's data (written by rank 0 before its check
		// point) lies under the ranks' later writes, not over them.
		x, err := f.Root().CreateDatasetFrom("x", make([]int64, n))
		if err != nil {
			return err
		}
		if err := x.WriteSel(S(Index(r)), []int64{r + 1}); err != nil {
			return err
		}
		for i := range sets {
			d, err := CreateDatasetOf[int32](f.Root(), fmt.Sprintf("d%02d", i), []uint64{2 * n})
			if err != nil {
				return err
			}
			if err := d.WriteSel(S(Index(2*r)), []int32{-1}); err != nil {
				return err
			}
			// The later write of the same element wins.
			if err := d.WriteSel(S(Range(2*r, 2*r+2)), []int32{int32(100*i) + int32(r), int32(r)}); err != nil {
				return err
			}
			if i == sets/2 {
				held[r] = len(f.par.held.off)
				got, err := ReadSlice[int32](d, S(Range(2*r, 2*r+2)))
				if err != nil {
					return err
				}
				if got[0] != int32(100*i)+int32(r) || got[1] != int32(r) {
					return fmt.Errorf("rank %d reads back %v", r, got)
				}
				if k := len(f.par.held.off); k != 0 {
					return fmt.Errorf("rank %d still holds %d writes after a read", r, k)
				}
			}
		}
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	for r, k := range held {
		if k == 0 {
			t.Errorf("rank %d held no writes", r)
		}
	}
	f, err := Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := f.Root().Dataset("x")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ReadSlice[int64](x, S(Range(0, n))); err != nil || fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatalf("x = %v, %v; want [1 2 3 4]", got, err)
	}
	for i := range sets {
		d, err := f.Root().Dataset(fmt.Sprintf("d%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadSlice[int32](d, S(Range(0, 2*n)))
		if err != nil {
			t.Fatal(err)
		}
		for r := range n {
			if got[2*r] != int32(100*i+r) || got[2*r+1] != int32(r) {
				t.Fatalf("d%02d = %v: rank %d's writes are missing", i, got, r)
			}
		}
	}
}

// TestHeldWritesOff: without WithSmallWriteBatching nothing is held.
func TestHeldWritesOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nohold.h5")
	errs := runRanks(t, 2, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := CreateDatasetOf[int32](f.Root(), "d", []uint64{2})
		if err != nil {
			return err
		}
		if err := d.WriteSel(S(Index(int64(c.Rank()))), []int32{1}); err != nil {
			return err
		}
		if k := len(f.par.held.off); k != 0 {
			return fmt.Errorf("%d writes held by default", k)
		}
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}

// FuzzDecodeHeld: held writes from another rank never panic rank 0, and
// what encodes decodes to the same writes.
func FuzzDecodeHeld(f *testing.F) {
	h := heldWrites{off: []int64{0, 64}, data: [][]byte{{1, 2, 3, 4}, {5}}}
	f.Add(h.encode())
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var got heldWrites
		if err := decodeHeld(b, &got); err != nil {
			return
		}
		for i, p := range got.data {
			got.size += len(p)
			if got.off[i] < 0 {
				t.Fatalf("negative offset %d", got.off[i])
			}
		}
		if string(got.encode()) != string(b) {
			t.Fatalf("re-encoding %x gives %x", b, got.encode())
		}
	})
}
