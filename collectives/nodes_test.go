package collectives

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

func TestNodesLayout(t *testing.T) {
	cases := []struct {
		hosts      []int
		rank, root int
		use        bool
		leaders    []int
		local      []int
		lead       int
	}{
		{hosts: []int{0, 0, 0}, use: false},
		{hosts: []int{0, 1, 2}, use: false},
		{hosts: []int{0, 0, 1, 1}, rank: 3, root: -1, use: true, leaders: []int{0, 2}, local: []int{2, 3}, lead: -1},
		{hosts: []int{0, 0, 1, 1}, rank: 2, root: -1, use: true, leaders: []int{0, 2}, local: []int{2, 3}, lead: 1},
		// root 3 leads its host: rank 2 is an ordinary member for this call.
		{hosts: []int{0, 0, 1, 1}, rank: 2, root: 3, use: true, leaders: []int{0, 3}, local: []int{3, 2}, lead: -1},
		{hosts: []int{0, 1, 1, 1, 2, 0}, rank: 5, root: 4, use: true, leaders: []int{0, 1, 4}, local: []int{0, 5}, lead: -1},
		{hosts: []int{0, 1, 1, 1, 2, 0}, rank: 4, root: 4, use: true, leaders: []int{0, 1, 4}, local: []int{4}, lead: 2},
	}
	for _, tc := range cases {
		if got := useNodes(tc.hosts); got != tc.use {
			t.Errorf("useNodes(%v) = %v", tc.hosts, got)
		}
		if !tc.use {
			continue
		}
		n := layout(tc.hosts, tc.rank, tc.root)
		if !slices.Equal(n.leaders, tc.leaders) || !slices.Equal(n.local, tc.local) || n.lead != tc.lead {
			t.Errorf("layout(%v, rank %d, root %d) = %+v, want leaders %v local %v lead %d", tc.hosts, tc.rank, tc.root, n, tc.leaders, tc.local, tc.lead)
		}
	}
}

// localHosts starts ranks on pretend hosts (comm.NewLocalHosts).
func localHosts(t *testing.T, hosts []int) []*comm.Comm {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("pretend hosts need the whole 127/8 loopback network (Linux)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), failDeadline)
	defer cancel()
	cs, err := comm.NewLocalHosts(ctx, hosts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Go(func() { c.Close() })
		}
		wg.Wait()
	})
	return cs
}

// TestNodeLeaderCollectives: on jobs spread over pretend hosts, Barrier,
// Bcast, Reduce and Allreduce (which take the two-level path) give the
// same answers as on one host, from every root.
func TestNodeLeaderCollectives(t *testing.T) {
	for _, hosts := range [][]int{{0, 0, 1, 1}, {0, 1, 1, 1, 2, 0}, {0, 0, 0, 1, 1, 2, 2, 2}} {
		t.Run(fmt.Sprint(hosts), func(t *testing.T) {
			cs := localHosts(t, hosts)
			if got := cs[0].Collective().Hosts(); !slices.Equal(got, hosts) {
				t.Fatalf("Hosts() = %v, want %v", got, hosts)
			}
			p := len(hosts)
			for _, n := range []int{1, 3, 40000} { // 40000 ints: messages larger than the lazy-read threshold
				mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
					r := c.Rank()
					if err := Barrier(ctx, c); err != nil {
						return err
					}
					for root := range p {
						buf := make([]int64, n)
						if r == root {
							for i := range buf {
								buf[i] = int64(root*1000 + i)
							}
						}
						if err := Bcast(ctx, c, buf, root); err != nil {
							return err
						}
						for i, v := range buf {
							if v != int64(root*1000+i) {
								return fmt.Errorf("bcast from %d: buf[%d] = %d", root, i, v)
							}
						}
						send := make([]int64, n)
						for i := range send {
							send[i] = int64(r*7 + i)
						}
						recv := make([]int64, n)
						if err := Reduce(ctx, c, send, recv, Sum[int64](), root); err != nil {
							return err
						}
						if r == root {
							for i, v := range recv {
								if want := int64(7*p*(p-1)/2 + p*i); v != want {
									return fmt.Errorf("reduce to %d: recv[%d] = %d, want %d", root, i, v, want)
								}
							}
						}
					}
					send := make([]int64, n)
					for i := range send {
						send[i] = int64(r + i)
					}
					recv := make([]int64, n)
					if err := Allreduce(ctx, c, send, recv, Max[int64]()); err != nil {
						return err
					}
					for i, v := range recv {
						if v != int64(p-1+i) {
							return fmt.Errorf("allreduce max: recv[%d] = %d", i, v)
						}
					}
					// A non-commutative op keeps the flat, rank-ordered path:
					// "the left operand" gives rank 0's value.
					first := NewOp[int64]("first", false, func(a, b int64) int64 { return a })
					out := []int64{0}
					if err := Allreduce(ctx, c, []int64{int64(r + 5)}, out, first); err != nil {
						return err
					}
					if out[0] != 5 {
						return fmt.Errorf("non-commutative allreduce: %d, want 5", out[0])
					}
					return Barrier(ctx, c)
				})
			}
			// The host stage went through a segment of the host's ranks
			// (hosts with one rank have none).
			for r, c := range cs {
				alone := true
				for q, h := range hosts {
					alone = alone && (q == r || h != hosts[r])
				}
				if got := segOf(c) != nil; got == alone {
					t.Errorf("rank %d (alone on its host: %v): host segment %v", r, alone, got)
				}
			}
		})
	}
}

// TestNodeLeaderSegmentMismatch: on the two-level path, a rank in another
// call than its host's others is seen in the host segment.
func TestNodeLeaderSegmentMismatch(t *testing.T) {
	cs := localHosts(t, []int{0, 0, 1, 1, 1})
	errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		if err := Barrier(ctx, c); err != nil {
			return fmt.Errorf("first barrier: %w", err)
		}
		if c.Rank() == 4 { // a non-leader on host 1
			return Allreduce(ctx, c, []int64{1}, make([]int64, 1), Sum[int64]())
		}
		return Barrier(ctx, c)
	})
	seen := false
	for r, err := range errs {
		switch {
		case errors.Is(err, ErrMismatch):
			seen = seen || strings.Contains(err.Error(), "Allreduce")
		case err == nil || !errors.Is(err, comm.ErrRevoked):
			t.Errorf("rank %d: %v, want a mismatch or ErrRevoked", r, err)
		}
	}
	if !seen {
		t.Errorf("no mismatch naming Allreduce: %v", errs)
	}
}

// TestNodeLeaderMismatch: a rank whose call differs is still caught on the
// two-level path: the non-leader that gets its leader's message reports a
// MismatchError.
func TestNodeLeaderMismatch(t *testing.T) {
	cs := localHosts(t, []int{0, 0, 1, 1, 1})
	errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n := 4
		if c.Rank() == 4 { // a non-leader on host 1
			n = 5
		}
		return Bcast(ctx, c, make([]float64, n), 0)
	})
	var me *MismatchError
	if !errors.As(errs[4], &me) || me.Peer != 2 {
		t.Fatalf("rank 4 (count 5 against 4): %v, want a MismatchError naming its leader, rank 2", errs[4])
	}
}
