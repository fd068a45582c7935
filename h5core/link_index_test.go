package h5core

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLinkIndex inserts, removes and moves links in random order, below
// and above linkIndexMin, and checks every lookup and the order against a
// plain set of names.
func TestLinkIndex(t *testing.T) {
	for _, n := range []int{5, linkIndexMin, 300} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		f := NewFile()
		g := f.Root()
		want := map[string]bool{}
		for step := range 4 * n {
			name := fmt.Sprintf("n%03d", rng.IntN(n))
			switch {
			case want[name] && step%3 == 0:
				if err := g.Unlink(name); err != nil {
					t.Fatal(err)
				}
				delete(want, name)
			case want[name] && step%3 == 1:
				to := name + "m"
				if want[to] {
					continue
				}
				if err := g.Move(name, to); err != nil {
					t.Fatal(err)
				}
				delete(want, name)
				want[to] = true
			case !want[name]:
				if err := g.CreateSoftLink(name, "/"+name); err != nil {
					t.Fatal(err)
				}
				want[name] = true
			}
			for _, probe := range []string{name, name + "m", "absent"} {
				if _, ok := g.find(probe); ok != want[probe] {
					t.Fatalf("n=%d step %d: find(%q) = %v, want %v", n, step, probe, ok, want[probe])
				}
			}
			if step%50 == 0 || step == 4*n-1 {
				var names []string
				for k := range want {
					names = append(names, k)
				}
				slices.Sort(names)
				if got := g.Members(); !slices.Equal(got, names) {
					t.Fatalf("n=%d step %d: members %v, want %v", n, step, got, names)
				}
			}
		}
	}
}
