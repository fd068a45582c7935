package h5file

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
)

// Ops for the merge table, in the shape the logs travel in.
func mkGroup(p string) indepOp { return indepOp{Kind: indepGroup, Path: p} }
func mkDset(p string) indepOp {
	return indepOp{Kind: indepDataset, Path: p, Spec: &h5core.DatasetSpec{Type: Int32, Shape: []uint64{2}}}
}
func mkAttr(p, name string) indepOp {
	return indepOp{Kind: indepAttr, Path: p, Attr: name, Type: Int32, Value: indepValue{Buf: make([]byte, 4)}}
}
func mkWrite(p string) indepOp { return indepOp{Kind: indepWrite, Path: p} }

// TestPlanMerge is the merge's decision table: the order every rank
// applies the logs in, and the conflicts, each named by its two ranks.
func TestPlanMerge(t *testing.T) {
	file := map[string]objKind{"/old": kindGroup, "/olddata": kindDataset, "/old/d": kindDataset, "/soft": kindOther}
	lookup := func(p string) objKind { return file[p] }
	for _, tc := range []struct {
		name string
		logs [][]indepOp
		// creates, attrs and writes as rank:path (attributes path@name).
		creates, attrs, writes []string
		err                    string // substring of the error; "" for none
		ranks                  [2]int // the CollisionError's ranks
		exists                 bool   // the error also matches ErrExists
	}{
		{name: "empty", logs: [][]indepOp{nil, nil}},
		{
			name:    "rank order, each rank's in its order",
			logs:    [][]indepOp{{mkGroup("/r0"), mkDset("/r0/b"), mkDset("/r0/a")}, {mkDset("/r1")}, {mkGroup("/r2/x/y")}},
			creates: []string{"0:/r0", "0:/r0/b", "0:/r0/a", "1:/r1", "2:/r2/x/y"},
		},
		{
			name:    "attributes after every creation, in rank order",
			logs:    [][]indepOp{{mkAttr("/r1", "a"), mkGroup("/r0")}, {mkGroup("/r1"), mkAttr("/r0", "b"), mkAttr("/", "c")}},
			creates: []string{"0:/r0", "1:/r1"},
			attrs:   []string{"0:/r1@a", "1:/r0@b", "1:/@c"},
		},
		{
			name:    "writes last, in rank order",
			logs:    [][]indepOp{{mkDset("/a"), mkWrite("/a"), mkWrite("/a")}, {mkDset("/b"), mkWrite("/b")}},
			creates: []string{"0:/a", "1:/b"},
			writes:  []string{"0:/a", "0:/a", "1:/b"},
		},
		{
			name:    "ranks share a new intermediate group",
			logs:    [][]indepOp{{mkDset("/shared/r0/v")}, {mkDset("/shared/r1/v")}, {mkGroup("/shared/r2")}},
			creates: []string{"0:/shared/r0/v", "1:/shared/r1/v", "2:/shared/r2"},
		},
		{
			name:    "a group of one rank holds another rank's dataset (lower rank inside)",
			logs:    [][]indepOp{{mkDset("/g/d0")}, {mkGroup("/g"), mkAttr("/g", "by")}},
			creates: []string{"0:/g/d0", "1:/g"},
			attrs:   []string{"1:/g@by"},
		},
		{
			name:    "nested groups of different ranks",
			logs:    [][]indepOp{{mkGroup("/a/b/c")}, {mkGroup("/a/b")}, {mkGroup("/a")}, {mkDset("/a/b/c/d")}},
			creates: []string{"0:/a/b/c", "1:/a/b", "2:/a", "3:/a/b/c/d"},
		},
		{
			name:    "inside a group the file holds",
			logs:    [][]indepOp{{mkDset("/old/r0")}, {mkAttr("/old/d", "x"), mkAttr("/olddata", "y")}},
			creates: []string{"0:/old/r0"},
			attrs:   []string{"1:/old/d@x", "1:/olddata@y"},
		},
		{
			name: "same group by two ranks", logs: [][]indepOp{{mkGroup("/x")}, nil, {mkGroup("/x")}},
			err: "ranks 0 and 2 both created /x", ranks: [2]int{0, 2},
		},
		{
			name: "group and dataset of the same name", logs: [][]indepOp{nil, {mkDset("/x")}, {mkGroup("/x")}},
			err: "ranks 1 and 2 both created /x (rank 1 a dataset, rank 2 a group)", ranks: [2]int{1, 2},
		},
		{
			name: "the first collision in rank order", logs: [][]indepOp{{mkGroup("/b"), mkGroup("/a")}, {mkGroup("/a"), mkGroup("/b")}},
			err: "both created /a", ranks: [2]int{0, 1},
		},
		{
			name: "another rank's dataset as a parent", logs: [][]indepOp{{mkDset("/x/y")}, {mkDset("/x")}},
			err: "ranks 0 and 1 both created /x (rank 1 a dataset, rank 0 /x/y inside it)", ranks: [2]int{0, 1},
		},
		{
			name: "a higher rank inside a lower rank's dataset", logs: [][]indepOp{{mkDset("/x")}, nil, {mkGroup("/x/g/h")}},
			err: "rank 0 a dataset, rank 2 /x/g/h inside it", ranks: [2]int{0, 2},
		},
		{
			name: "a name the file holds", logs: [][]indepOp{nil, {mkGroup("/old")}},
			err: "rank 1 created /old, which the file already holds", ranks: [2]int{1, -1}, exists: true,
		},
		{
			name: "inside a dataset the file holds", logs: [][]indepOp{{mkGroup("/olddata/g")}},
			err: "rank 0 created /olddata", ranks: [2]int{0, -1}, exists: true,
		},
		{
			name: "a soft link's name", logs: [][]indepOp{{mkDset("/soft")}},
			err: "rank 0 created /soft", ranks: [2]int{0, -1}, exists: true,
		},
		{
			name: "the same attribute by two ranks", logs: [][]indepOp{{mkAttr("/", "t")}, {mkAttr("/", "u")}, {mkAttr("/", "t")}},
			err: "ranks 0 and 2 both created /@t", ranks: [2]int{0, 2},
		},
		{
			name: "an attribute of nothing", logs: [][]indepOp{{mkAttr("/nothing", "a")}},
			err: "rank 0 set attribute a of /nothing, which neither the file nor any rank's creations hold",
		},
		{
			name: "a write to another rank's dataset", logs: [][]indepOp{{mkDset("/a")}, {mkWrite("/a")}},
			err: "rank 1 wrote /a before the flush, but did not create that dataset",
		},
		{
			name: "a malformed path", logs: [][]indepOp{{mkGroup("/a/../b")}},
			err: "rank 0 sent a malformed creation log",
		},
		{
			name: "a malformed kind", logs: [][]indepOp{nil, {{Kind: 9, Path: "/a"}}},
			err: "rank 1 sent a malformed creation log (kind 9)",
		},
		{
			name: "a dataset without a spec", logs: [][]indepOp{{{Kind: indepDataset, Path: "/a"}}},
			err: "dataset without a spec",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := planMerge(tc.logs, lookup)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v; want one containing %q", err, tc.err)
				}
				var ce *CollisionError
				if tc.ranks != [2]int{} || tc.exists {
					if !errors.As(err, &ce) || !errors.Is(err, ErrCollision) || ce.Ranks != tc.ranks {
						t.Fatalf("error %#v; want a *CollisionError of ranks %v matching ErrCollision", err, tc.ranks)
					}
				}
				if errors.Is(err, ErrExists) != tc.exists {
					t.Errorf("errors.Is(err, ErrExists) = %v, want %v", !tc.exists, tc.exists)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			show := func(ros []rankOp) []string {
				var out []string
				for _, ro := range ros {
					s := fmt.Sprintf("%d:%s", ro.rank, ro.op.Path)
					if ro.op.Kind == indepAttr {
						s += "@" + ro.op.Attr
					}
					out = append(out, s)
				}
				return out
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"creates", show(plan.creates), tc.creates}, {"attrs", show(plan.attrs), tc.attrs}, {"writes", show(plan.writes), tc.writes}} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
		})
	}
}

// TestPlanMergeSameEverywhere: the plan is a function of the logs alone,
// so ranks that receive the logs get the same answer; run twice on copies
// it gives the same error text.
func TestPlanMergeSameEverywhere(t *testing.T) {
	logs := [][]indepOp{{mkGroup("/a"), mkDset("/z")}, {mkDset("/z")}, {mkGroup("/a")}}
	var texts []string
	for range 3 {
		cp := make([][]indepOp, len(logs))
		for r := range logs {
			cp[r] = slices.Clone(logs[r])
		}
		_, err := planMerge(cp, func(string) objKind { return kindNone })
		texts = append(texts, err.Error())
	}
	if texts[0] != texts[1] || texts[1] != texts[2] || !strings.Contains(texts[0], "ranks 0 and 1 both created /z") {
		t.Fatalf("errors %q", texts)
	}
}

// FuzzPlanMerge feeds planMerge logs built from arbitrary bytes (paths
// from a small alphabet so that collisions and nesting are common, kinds
// and shapes of every sort, as a rank on the network might send them).
// It must not panic, must give the same answer twice, and a plan it
// accepts must create no path twice, put no creation inside a dataset,
// and put attributes after creations.
func FuzzPlanMerge(f *testing.F) {
	f.Add([]byte{0, 1, 0, 1, 1, 2, 0, 1, 3})
	f.Add([]byte{1, 1, 1, 2, 1, 1, 0, 3, 2, 3, 4, 1})
	f.Add([]byte{2, 2, 1, 4, 2, 5, 2, 2, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		names := []string{"a", "b", "a/b", "a/b/c", "b/a", "old", "old/x", "olddata/y", "..", ""}
		var logs [][]indepOp
		for len(b) >= 3 && len(logs) < 8 {
			r := int(b[0]) % 4
			for len(logs) <= r {
				logs = append(logs, nil)
			}
			op := indepOp{Kind: b[1] % 6, Path: "/" + names[int(b[2])%len(names)], Attr: "t"}
			switch op.Kind {
			case indepDataset:
				if b[2]%3 != 0 {
					op.Spec = &h5core.DatasetSpec{Type: Int32}
				}
			case indepAttr:
				op.Type = Int32
				op.Value.Buf = make([]byte, 4*int(b[2]%2))
			case indepWrite:
				op.Mode = b[2] % 4
			}
			logs[r] = append(logs[r], op)
			b = b[3:]
		}
		lookup := func(p string) objKind {
			return map[string]objKind{"/old": kindGroup, "/olddata": kindDataset}[p]
		}
		p1, e1 := planMerge(logs, lookup)
		p2, e2 := planMerge(logs, lookup)
		if (e1 == nil) != (e2 == nil) || e1 != nil && e1.Error() != e2.Error() {
			t.Fatalf("two runs differ: %v / %v", e1, e2)
		}
		if e1 != nil {
			return
		}
		if len(p1.creates) != len(p2.creates) {
			t.Fatal("two plans differ")
		}
		kinds := map[string]uint8{}
		for _, ro := range p1.creates {
			if _, ok := kinds[ro.op.Path]; ok {
				t.Fatalf("%s created twice", ro.op.Path)
			}
			kinds[ro.op.Path] = ro.op.Kind
		}
		for p := range kinds {
			for q := path.Dir(p); q != "/"; q = path.Dir(q) {
				if kinds[q] == indepDataset || lookup(q) == kindDataset {
					t.Fatalf("%s created inside dataset %s", p, q)
				}
			}
		}
	})
}
