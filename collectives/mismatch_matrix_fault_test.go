package collectives

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

// matrixColls is every collective of the package, each in a plain form
// (root 0, 2 int32 per rank, sum).
var matrixColls = []struct {
	name string
	f    collFunc
}{
	{"Barrier", barrier},
	{"Bcast", func(ctx context.Context, c *comm.Comm) error { return Bcast(ctx, c, make([]int32, 2), 0) }},
	{"Gather", func(ctx context.Context, c *comm.Comm) error {
		return Gather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), 0)
	}},
	{"Gatherv", func(ctx context.Context, c *comm.Comm) error {
		return Gatherv(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), fill(c.Size(), 2), 0)
	}},
	{"Scatter", func(ctx context.Context, c *comm.Comm) error {
		return Scatter(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), 0)
	}},
	{"Scatterv", func(ctx context.Context, c *comm.Comm) error {
		return Scatterv(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), fill(c.Size(), 2), 0)
	}},
	{"Allgather", func(ctx context.Context, c *comm.Comm) error {
		return Allgather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()))
	}},
	{"Allgatherv", func(ctx context.Context, c *comm.Comm) error {
		return Allgatherv(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), fill(c.Size(), 2))
	}},
	{"Alltoall", func(ctx context.Context, c *comm.Comm) error {
		return Alltoall(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2*c.Size()))
	}},
	{"Alltoallv", func(ctx context.Context, c *comm.Comm) error {
		return Alltoallv(ctx, c, make([]int32, 2*c.Size()), fill(c.Size(), 2), make([]int32, 2*c.Size()), fill(c.Size(), 2))
	}},
	{"Reduce", func(ctx context.Context, c *comm.Comm) error {
		return Reduce(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32](), 0)
	}},
	{"Allreduce", func(ctx context.Context, c *comm.Comm) error {
		return Allreduce(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32]())
	}},
	{"Scan", func(ctx context.Context, c *comm.Comm) error {
		return Scan(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32]())
	}},
	{"Exscan", func(ctx context.Context, c *comm.Comm) error {
		return Exscan(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32]())
	}},
	{"BcastValue", func(ctx context.Context, c *comm.Comm) error { v := "x"; return BcastValue(ctx, c, &v, 0) }},
	{"GatherValue", func(ctx context.Context, c *comm.Comm) error { _, err := GatherValue(ctx, c, "x", 0); return err }},
	{"ScatterValue", func(ctx context.Context, c *comm.Comm) error {
		_, err := ScatterValue(ctx, c, make([]string, c.Size()), 0)
		return err
	}},
	{"AllgatherValue", func(ctx context.Context, c *comm.Comm) error { _, err := AllgatherValue(ctx, c, "x"); return err }},
	{"AlltoallValue", func(ctx context.Context, c *comm.Comm) error {
		_, err := AlltoallValue(ctx, c, make([]string, c.Size()))
		return err
	}},
	{"AllreduceValue", func(ctx context.Context, c *comm.Comm) error {
		_, err := AllreduceValue(ctx, c, 1, func(a, b int) int { return a + b })
		return err
	}},
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// rooted, counted and typed variants of one collective: the odd rank
// calls the same collective with another root, count, type or op.
func variants() []struct {
	name string
	a, b collFunc
} {
	type pair = struct {
		name string
		a, b collFunc
	}
	var out []pair
	root := func(name string, f func(root int) collFunc) {
		out = append(out, pair{name + "/roots", f(0), f(1)})
	}
	root("Bcast", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error { return Bcast(ctx, c, make([]int32, 2), r) }
	})
	root("Gather", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return Gather(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), r)
		}
	})
	root("Gatherv", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return Gatherv(ctx, c, make([]int32, 2), make([]int32, 2*c.Size()), fill(c.Size(), 2), r)
		}
	})
	root("Scatter", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return Scatter(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), r)
		}
	})
	root("Scatterv", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return Scatterv(ctx, c, make([]int32, 2*c.Size()), make([]int32, 2), fill(c.Size(), 2), r)
		}
	})
	root("Reduce", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			return Reduce(ctx, c, make([]int32, 2), make([]int32, 2), Sum[int32](), r)
		}
	})
	root("BcastValue", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error { v := "x"; return BcastValue(ctx, c, &v, r) }
	})
	root("GatherValue", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error { _, err := GatherValue(ctx, c, "x", r); return err }
	})
	root("ScatterValue", func(r int) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			_, err := ScatterValue(ctx, c, make([]string, c.Size()), r)
			return err
		}
	})
	// Counts and types: k elements of T per rank.
	typed := func(name string, f func(k int, typ string) collFunc) {
		out = append(out, pair{name + "/counts", f(2, "int32"), f(3, "int32")})
		out = append(out, pair{name + "/types", f(2, "int32"), f(2, "float32")}) // same size, other type
	}
	typed("Bcast", func(k int, typ string) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			if typ == "float32" {
				return Bcast(ctx, c, make([]float32, k), 0)
			}
			return Bcast(ctx, c, make([]int32, k), 0)
		}
	})
	typed("Gather", func(k int, typ string) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			if typ == "float32" {
				return Gather(ctx, c, make([]float32, k), make([]float32, k*c.Size()), 0)
			}
			return Gather(ctx, c, make([]int32, k), make([]int32, k*c.Size()), 0)
		}
	})
	typed("Scatter", func(k int, typ string) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			if typ == "float32" {
				return Scatter(ctx, c, make([]float32, k*c.Size()), make([]float32, k), 0)
			}
			return Scatter(ctx, c, make([]int32, k*c.Size()), make([]int32, k), 0)
		}
	})
	typed("Allgather", func(k int, typ string) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			if typ == "float32" {
				return Allgather(ctx, c, make([]float32, k), make([]float32, k*c.Size()))
			}
			return Allgather(ctx, c, make([]int32, k), make([]int32, k*c.Size()))
		}
	})
	typed("Alltoall", func(k int, typ string) collFunc {
		return func(ctx context.Context, c *comm.Comm) error {
			if typ == "float32" {
				return Alltoall(ctx, c, make([]float32, k*c.Size()), make([]float32, k*c.Size()))
			}
			return Alltoall(ctx, c, make([]int32, k*c.Size()), make([]int32, k*c.Size()))
		}
	})
	for _, red := range []string{"Reduce", "Allreduce", "Scan", "Exscan"} {
		call := func(ctx context.Context, c *comm.Comm, k int, typ, op string) error {
			if typ == "float32" {
				s, r := make([]float32, k), make([]float32, k)
				o := Sum[float32]()
				switch red {
				case "Reduce":
					return Reduce(ctx, c, s, r, o, 0)
				case "Allreduce":
					return Allreduce(ctx, c, s, r, o)
				case "Scan":
					return Scan(ctx, c, s, r, o)
				}
				return Exscan(ctx, c, s, r, o)
			}
			s, r := make([]int32, k), make([]int32, k)
			o := Sum[int32]()
			if op == "max" {
				o = Max[int32]()
			}
			switch red {
			case "Reduce":
				return Reduce(ctx, c, s, r, o, 0)
			case "Allreduce":
				return Allreduce(ctx, c, s, r, o)
			case "Scan":
				return Scan(ctx, c, s, r, o)
			}
			return Exscan(ctx, c, s, r, o)
		}
		mk := func(k int, typ, op string) collFunc {
			return func(ctx context.Context, c *comm.Comm) error { return call(ctx, c, k, typ, op) }
		}
		out = append(out,
			pair{red + "/counts", mk(2, "int32", "sum"), mk(3, "int32", "sum")},
			pair{red + "/types", mk(2, "int32", "sum"), mk(2, "float32", "sum")},
			pair{red + "/ops", mk(2, "int32", "sum"), mk(2, "int32", "max")},
		)
	}
	return out
}

// TestMismatchMatrix runs every ordered pair of different collectives
// (most ranks call a, the last rank calls b) and every collective against
// itself with another root, count, type or reduction op: every rank gets
// an error (a *MismatchError where it is seen, ErrRevoked elsewhere, at the
// latest in the next collective), at least one rank a mismatch, and no
// rank hangs. It extends the 18 hand-picked pairs of TestMismatch.
func TestMismatchMatrix(t *testing.T) {
	type pair struct {
		name string
		a, b collFunc
	}
	var pairs []pair
	for _, a := range matrixColls {
		for _, b := range matrixColls {
			if a.name != b.name {
				pairs = append(pairs, pair{a.name + "/" + b.name, a.f, b.f})
			}
		}
	}
	for _, v := range variants() {
		pairs = append(pairs, pair(v))
	}
	if testing.Short() {
		var some []pair
		for i := 0; i < len(pairs); i += 7 {
			some = append(some, pairs[i])
		}
		pairs = some
	}
	const p = 3
	base := local(t, p)
	t.Logf("%d pairs on %d ranks", len(pairs), p)
	// The cases wait mostly on the watchdog's timer, not the CPU: run them
	// in parallel, each on its own communicator.
	t.Run("pairs", func(t *testing.T) {
		for _, tc := range pairs {
			cs := dupAll(t, base)
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
					if err := Barrier(ctx, c); err != nil {
						return fmt.Errorf("first barrier: %w", err)
					}
					f := tc.a
					if c.Rank() == p-1 {
						f = tc.b
					}
					if err := f(ctx, c); err != nil {
						return err
					}
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
					case errors.Is(err, comm.ErrRevoked):
					default:
						t.Errorf("rank %d: unexpected error %v", r, err)
					}
				}
				if !seen {
					t.Errorf("no rank reported a mismatch: %v", errs)
				}
			})
		}
	})
}
