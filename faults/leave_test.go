package faults

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRankLeavesEarly: the last rank closes its communicator (a clean
// goodbye) and exits 0 while the others wait for it in a Barrier. No
// operation may block forever (ARCHITECTURE.md, "Errors"): each waiting rank
// must fail naming it, and gorun must end.
func TestRankLeavesEarly(t *testing.T) {
	_, prog := build(t)
	var cascade []string // BUGS.md: a follower named instead of the rank that left
	for _, n := range []int{2, 3, 4} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r := start(t, ctx, "-n", strconv.Itoa(n), prog, "leave")
			if r.wait(t, 30*time.Second) {
				t.Fatalf("the job hangs after rank %d left:\n%s", n-1, r.text())
			}
			if r.err == nil {
				t.Errorf("gorun exited 0 although ranks failed:\n%s", r.text())
			}
			for rk := range n - 1 {
				want := fmt.Sprintf("ERR rank=%d ", rk)
				found := false
				for _, l := range r.out {
					if strings.HasPrefix(l, want) {
						found = true
						switch {
						case !strings.Contains(l, " is=true "):
							t.Errorf("rank %d's error is not a *comm.RankError: %s", rk, l)
						case !strings.Contains(l, fmt.Sprintf("dead=%d ", n-1)):
							cascade = append(cascade, fmt.Sprintf("n=%d: rank %d's error does not name rank %d: %s", n, rk, n-1, l))
						}
					}
				}
				if !found {
					t.Errorf("rank %d reported no error:\n%s", rk, r.text())
				}
			}
		})
	}
	t.Run("peers name the rank that left", func(t *testing.T) {
		for _, e := range cascade {
			t.Error(e)
		}
	})
}
