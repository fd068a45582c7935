package h5file

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

// TestSpanCacheBound: the metadata ranges a rank keeps are bounded by
// bytes, the least recently used dropped first (decision 42).
func TestSpanCacheBound(t *testing.T) {
	r := func(n int, v byte) []byte { return bytes.Repeat([]byte{v}, n) }
	type step struct {
		op   string // put, get
		off  int64
		n    int
		hit  bool  // get: want a hit
		kept int64 // bytes kept after the step
	}
	e := func(n int) int64 { return int64(n) + spanOverhead } // what a range of n bytes costs
	two := 2*e(40) + 20                                       // room for two ranges of 40 bytes, not three
	for _, tc := range []struct {
		name  string
		limit int64
		steps []step
	}{
		{"under the limit", two, []step{{"put", 0, 40, false, e(40)}, {"put", 100, 40, false, 2 * e(40)}, {"get", 0, 40, true, 2 * e(40)}}},
		{"least recently used goes", two, []step{
			{"put", 0, 40, false, e(40)}, {"put", 100, 40, false, 2 * e(40)},
			{"get", 0, 40, true, 2 * e(40)},    // 0 is now the most recent
			{"put", 200, 40, false, 2 * e(40)}, // 100 goes
			{"get", 100, 40, false, 2 * e(40)}, {"get", 0, 40, true, 2 * e(40)}, {"get", 200, 40, true, 2 * e(40)},
		}},
		{"a range over the limit is not kept", two, []step{{"put", 0, 40, false, e(40)}, {"put", 100, int(two), false, e(40)}, {"get", 100, int(two), false, e(40)}, {"get", 0, 40, true, e(40)}}},
		{"a longer read of a kept offset replaces it", two, []step{{"put", 0, 40, false, e(40)}, {"put", 0, 60, false, e(60)}, {"get", 0, 60, true, e(60)}}},
		{"zero keeps nothing", 0, []step{{"put", 0, 1, false, 0}, {"get", 0, 1, false, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := spanCache{limit: tc.limit}
			for i, s := range tc.steps {
				switch s.op {
				case "put":
					c.put(s.off, r(s.n, byte(s.off)))
				case "get":
					p := make([]byte, s.n)
					if hit := c.get(p, s.off); hit != s.hit || (hit && !bytes.Equal(p, r(s.n, byte(s.off)))) {
						t.Fatalf("step %d: get %d: hit %v, want %v", i, s.off, hit, s.hit)
					}
				}
				if got := c.kept(); got != s.kept {
					t.Fatalf("step %d: %d bytes kept, want %d", i, got, s.kept)
				}
			}
		})
	}
}

// TestSpanCacheReadAhead: read-ahead sends the ranges first read after
// the one asked, in first-read order, those dropped since read again
// (rank 0 has the file) or, without a way to read them, left out.
func TestSpanCacheReadAhead(t *testing.T) {
	c := spanCache{limit: 3 * (10 + spanOverhead), ordered: true}
	for _, off := range []int64{0, 10, 20} {
		c.put(off, bytes.Repeat([]byte{byte(off)}, 10))
	}
	c.get(make([]byte, 10), 0)
	c.get(make([]byte, 10), 20)
	c.put(30, bytes.Repeat([]byte{30}, 10)) // 10 goes
	offs := func(ss []span) string {
		var o []string
		for _, s := range ss {
			if !bytes.Equal(s.Data, bytes.Repeat([]byte{byte(s.Off)}, 10)) {
				return fmt.Sprintf("bad bytes at %d: %v", s.Off, s.Data)
			}
			o = append(o, fmt.Sprint(s.Off))
		}
		return fmt.Sprint(o)
	}
	reread := func(off int64, n int) []byte { return bytes.Repeat([]byte{byte(off)}, n) }
	if got := offs(c.after(0, 1<<20, nil)); got != "[20 30]" {
		t.Errorf("read-ahead after 0, nothing read again: %s, want [20 30]", got)
	}
	if got := offs(c.after(0, 1<<20, reread)); got != "[10 20 30]" {
		t.Errorf("read-ahead after 0: %s, want [10 20 30]", got)
	}
	if got := offs(c.after(0, 20, reread)); got != "[10 20]" {
		t.Errorf("read-ahead after 0 within 20 bytes: %s, want [10 20]", got)
	}
	for range 200 { // dropped and put again: each range keeps its first place
		for _, off := range []int64{40, 50, 60, 70} {
			c.put(off, bytes.Repeat([]byte{byte(off)}, 10))
		}
	}
	if got := offs(c.after(50, 1<<20, reread)); got != "[60 70]" || len(c.order) != 8 {
		t.Errorf("after many drops: %s (order of %d ranges), want [60 70] of 8", got, len(c.order))
	}
	if kept := c.kept(); kept > c.limit {
		t.Errorf("kept %d bytes over the bound %d", kept, c.limit)
	}
}

// TestParallelMetadataCacheBounded: 4 ranks each visit every object of a
// file of 2000 datasets with a 64 KiB bound: every rank reads every value
// right and keeps at most 64 KiB of ranges (with 32 MiB they keep all
// the metadata they touched: several times more).
func TestParallelMetadataCacheBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.h5")
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	for g := range 20 {
		for i := range 100 {
			if _, err := f.CreateDatasetFrom(fmt.Sprintf("g%02d/d%02d", g, i), []int32{int32(100*g + i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	const n, limit = 4, 64 << 10
	visit := func(opts ...Option) []int64 {
		kept := make([]int64, n)
		errs := runRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
			f, err := Open(path, "r", append(opts, WithComm(c), WithContext(ctx))...)
			if err != nil {
				return err
			}
			defer f.Close()
			k := 0
			err = f.Visit(func(p string, o Object) error {
				d, ok := o.(*Dataset)
				if !ok {
					return nil
				}
				var g, i int
				fmt.Sscanf(p, "g%02d/d%02d", &g, &i)
				v, err := ReadAll[int32](d)
				if err != nil || len(v) != 1 || v[0] != int32(100*g+i) {
					return fmt.Errorf("%s = %v, %v", p, v, err)
				}
				k++
				return nil
			})
			if err == nil && k != 2000 {
				err = fmt.Errorf("visited %d datasets", k)
			}
			kept[c.Rank()] = f.cache.cache.kept()
			return err
		})
		for r, err := range errs {
			if err != nil {
				t.Fatalf("rank %d: %v", r, err)
			}
		}
		return kept
	}
	bounded, free := visit(WithMetadataCache(limit)), visit(WithMetadataCache(32<<20))
	t.Logf("bytes kept per rank: bounded %v, default %v", bounded, free)
	for r := range n {
		if bounded[r] > limit || free[r] < 3*limit {
			t.Errorf("rank %d kept %d bytes with a %d bound, %d without", r, bounded[r], limit, free[r])
		}
	}
}
