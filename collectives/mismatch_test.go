package collectives

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

type collFunc func(ctx context.Context, c *comm.Comm) error

func bcastN(n, root int) collFunc {
	return func(ctx context.Context, c *comm.Comm) error { return Bcast(ctx, c, make([]int64, n), root) }
}

func gatherAt(root int) collFunc {
	return func(ctx context.Context, c *comm.Comm) error {
		return Gather(ctx, c, []int32{1}, make([]int32, c.Size()), root)
	}
}

func scatterAt(root int) collFunc {
	return func(ctx context.Context, c *comm.Comm) error {
		return Scatter(ctx, c, make([]int32, c.Size()), []int32{0}, root)
	}
}

func allreduceOf[T comm.Number](n int, op Op[T]) collFunc {
	return func(ctx context.Context, c *comm.Comm) error {
		return Allreduce(ctx, c, make([]T, n), make([]T, n), op)
	}
}

func barrier(ctx context.Context, c *comm.Comm) error { return Barrier(ctx, c) }

// mismatchCases: most ranks call a, the odd rank calls b.
var mismatchCases = []struct {
	name string
	a, b collFunc
	// text is expected in some rank's error when p == 2, unless the
	// mismatch is only seen in the next call (both ranks only send), or
	// which rank sees it first is a race ("" then).
	text string
}{
	{"Barrier/Bcast", bcastN(3, 0), barrier, ""},
	{"Bcast/roots", bcastN(3, 0), bcastN(3, 1), ""},
	{"Bcast/counts", bcastN(3, 0), bcastN(4, 0), "Bcast(root=0, 4 x int64) #2"},
	{"Bcast/empty", bcastN(0, 0), bcastN(5, 0), "Bcast(root=0, 5 x int64)"},
	{"Bcast/types", bcastN(3, 0), func(ctx context.Context, c *comm.Comm) error { return Bcast(ctx, c, make([]float64, 3), 0) }, "3 x float64"},
	{"Bcast/BcastValue", bcastN(3, 0), func(ctx context.Context, c *comm.Comm) error { v := 1; return BcastValue(ctx, c, &v, 0) }, "BcastValue"},
	{"Gather/roots", gatherAt(0), gatherAt(1), "Gather(root=1)"},
	{"Gather/Scatter", gatherAt(0), scatterAt(0), "Scatter(root=0)"},
	{"Allreduce/types", allreduceOf(4, Sum[int64]()), allreduceOf(4, Sum[float64]()), "float64"},
	{"Allreduce/counts", allreduceOf(4, Sum[int64]()), allreduceOf(5, Sum[int64]()), "5 x int64"},
	{"Allreduce/ops", allreduceOf(4, Sum[int64]()), allreduceOf(4, Max[int64]()), "reduction ops differ"},
	{"Allreduce/Reduce", allreduceOf(4, Sum[int64]()), func(ctx context.Context, c *comm.Comm) error {
		return Reduce(ctx, c, make([]int64, 4), make([]int64, 4), Sum[int64](), 0)
	}, ""},
	{"Allgather/Alltoall", func(ctx context.Context, c *comm.Comm) error {
		return Allgather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()))
	}, func(ctx context.Context, c *comm.Comm) error {
		return Alltoall(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2*c.Size()))
	}, "Alltoall"},
	{"Allgatherv/counts", func(ctx context.Context, c *comm.Comm) error {
		counts := make([]int, c.Size())
		counts[0] = 2
		return Allgatherv(ctx, c, make([]int32, counts[c.Rank()]), make([]int32, 2), counts)
	}, func(ctx context.Context, c *comm.Comm) error {
		counts := make([]int, c.Size())
		counts[0] = 1
		counts[c.Size()-1]++
		return Allgatherv(ctx, c, make([]int32, counts[c.Rank()]), make([]int32, 2), counts)
	}, "counts vectors differ"},
	{"Gatherv/count", func(ctx context.Context, c *comm.Comm) error {
		counts := make([]int, c.Size())
		for i := range counts {
			counts[i] = 2
		}
		return Gatherv(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), counts, 0)
	}, func(ctx context.Context, c *comm.Comm) error {
		return Gatherv(ctx, c, make([]int32, 3), nil, nil, 0)
	}, "rank 1 sent 3 int32s where rank 0 expects 2"},
	{"Scan/Exscan", func(ctx context.Context, c *comm.Comm) error {
		return Scan(ctx, c, make([]int64, 2), make([]int64, 2), Sum[int64]())
	}, func(ctx context.Context, c *comm.Comm) error {
		return Exscan(ctx, c, make([]int64, 2), make([]int64, 2), Sum[int64]())
	}, "Exscan"},
	{"AllgatherValue/Barrier", func(ctx context.Context, c *comm.Comm) error {
		_, err := AllgatherValue(ctx, c, "x")
		return err
	}, barrier, "AllgatherValue"},
	{"Barrier/Gather", barrier, gatherAt(1), "Gather(root=1) #2"},
}

// TestMismatch: every rank gets an error (a mismatch where it is seen,
// ErrRevoked elsewhere, at the latest in the next collective), nobody hangs,
// and the mismatch text names both calls.
func TestMismatch(t *testing.T) {
	for _, p := range []int{2, 3, 5} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			base := local(t, p)
			for _, tc := range mismatchCases {
				for _, odd := range slices.Compact([]int{1, p - 1}) {
					t.Run(fmt.Sprintf("%s/odd=%d", tc.name, odd), func(t *testing.T) {
						cs := dupAll(t, base)
						errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
							if err := Barrier(ctx, c); err != nil { // seq 1: all agree
								return fmt.Errorf("first barrier: %w", err)
							}
							f := tc.a
							if c.Rank() == odd {
								f = tc.b
							}
							if err := f(ctx, c); err != nil {
								return err
							}
							// A rank that only sent may have returned; its next
							// collective must fail.
							if err := Barrier(ctx, c); err != nil {
								return err
							}
							return Barrier(ctx, c)
						})
						seen := false
						for r, err := range errs {
							switch {
							case err == nil:
								t.Errorf("rank %d: no error", r)
							case errors.Is(err, ErrMismatch):
								seen = true
								var me *MismatchError
								if !errors.As(err, &me) {
									t.Errorf("rank %d: %v is not a *MismatchError", r, err)
								}
							case errors.Is(err, comm.ErrRevoked):
							default:
								t.Errorf("rank %d: unexpected error %v", r, err)
							}
						}
						if !seen {
							t.Fatalf("no rank reported a mismatch: %v", errs)
						}
						if p == 2 && tc.text != "" && !anyContains(errs, tc.text) {
							t.Errorf("no error contains %q: %v", tc.text, errs)
						}
					})
				}
			}
		})
	}
}

func anyContains(errs []error, s string) bool {
	for _, err := range errs {
		if err != nil && strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// dupAll gives every test case fresh communicators: a mismatch revokes the
// communicator it happens on, not its parent.
func dupAll(t *testing.T, base []*comm.Comm) []*comm.Comm {
	t.Helper()
	out := make([]*comm.Comm, len(base))
	mustAll(t, base, func(ctx context.Context, c *comm.Comm) error {
		d, err := c.Dup(ctx)
		out[c.Rank()] = d
		return err
	})
	return out
}

// TestMismatchMessage pins the wording of the example in the issue: ranks
// in different calls at the same sequence number.
func TestMismatchMessage(t *testing.T) {
	cs := local(t, 2)
	errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		if c.Rank() == 0 {
			return Bcast(ctx, c, []int64{1, 2}, 1) // waits for rank 1
		}
		return Barrier(ctx, c)
	})
	// Both ranks see the other's message; whichever reports first wins.
	const want1 = "collectives: rank 1 is in Barrier #1 but rank 0 is in Bcast(root=1) #1"
	const want0 = "collectives: rank 0 is in Bcast(root=1) #1 but rank 1 is in Barrier #1"
	if !anyContains(errs, want1) && !anyContains(errs, want0) {
		t.Errorf("no error contains %q or %q: %v", want1, want0, errs)
	}
}

// TestBadArgumentRevokes: a bad argument on one rank must not leave the
// others waiting.
func TestBadArgumentRevokes(t *testing.T) {
	cs := local(t, 3)
	errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		recv := make([]int64, 3)
		if c.Rank() == 2 {
			recv = recv[:1]
		}
		return Allgather(ctx, c, []int64{1}, recv)
	})
	if !errors.Is(errs[2], ErrArgument) {
		t.Errorf("rank 2: %v, want ErrArgument", errs[2])
	}
	for r, err := range errs[:2] {
		if !errors.Is(err, comm.ErrRevoked) {
			t.Errorf("rank %d: %v, want ErrRevoked", r, err)
		}
	}
}

// TestCancelRevokes: a rank whose context ends makes the others fail too.
func TestCancelRevokes(t *testing.T) {
	cs := local(t, 3)
	errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
		if c.Rank() == 1 {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			return Barrier(cctx, c)
		}
		return Barrier(ctx, c)
	})
	for r, err := range errs {
		if err == nil {
			t.Errorf("rank %d: no error", r)
		}
	}
	if !errors.Is(errs[1], context.Canceled) {
		t.Errorf("rank 1: %v, want context.Canceled", errs[1])
	}
}
