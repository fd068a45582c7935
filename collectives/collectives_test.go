package collectives

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

// TestAllreduceBitIdentical: float sums combine in the same order on every
// rank, so all ranks hold the same bits (metadata agreement relies on it).
func TestAllreduceBitIdentical(t *testing.T) {
	for _, p := range []int{3, 5, 8} {
		for _, n := range []int{7, 40000} {
			t.Run(fmt.Sprintf("p=%d/n=%d", p, n), func(t *testing.T) {
				cs := local(t, p)
				results := make([][]float64, p)
				mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
					rng := rand.New(rand.NewPCG(uint64(c.Rank()), 9))
					send := make([]float64, n)
					for i := range send {
						send[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
					}
					recv := make([]float64, n)
					results[c.Rank()] = recv
					return Allreduce(ctx, c, send, recv, Sum[float64]())
				})
				for r := 1; r < p; r++ {
					for i := range results[0] {
						if math.Float64bits(results[r][i]) != math.Float64bits(results[0][i]) {
							t.Fatalf("rank %d element %d = %v, rank 0 has %v", r, i, results[r][i], results[0][i])
						}
					}
				}
			})
		}
	}
}

type record struct {
	Name string
	Rank int
	Tags []string
}

func TestValues(t *testing.T) {
	mk := func(r int) record {
		return record{Name: fmt.Sprintf("r%d", r), Rank: r, Tags: slices.Repeat([]string{"x"}, r)}
	}
	for _, p := range []int{1, 2, 3, 4, 5, 7, 8, 16} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			cs := local(t, p)
			mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
				r := c.Rank()
				for _, root := range slices.Compact([]int{0, p / 2, p - 1}) {
					var v record
					if r == root {
						v = mk(root)
					}
					if err := BcastValue(ctx, c, &v, root); err != nil {
						return err
					}
					if fmt.Sprint(v) != fmt.Sprint(mk(root)) {
						return fmt.Errorf("BcastValue root %d: got %v", root, v)
					}
					all, err := GatherValue(ctx, c, mk(r), root)
					if err != nil {
						return err
					}
					if r == root {
						for i, x := range all {
							if fmt.Sprint(x) != fmt.Sprint(mk(i)) {
								return fmt.Errorf("GatherValue root %d: [%d] = %v", root, i, x)
							}
						}
					} else if all != nil {
						return fmt.Errorf("GatherValue on non-root: %v, want nil", all)
					}
					var vs []record
					if r == root {
						for i := range p {
							vs = append(vs, mk(i))
						}
					}
					got, err := ScatterValue(ctx, c, vs, root)
					if err != nil {
						return err
					}
					if fmt.Sprint(got) != fmt.Sprint(mk(r)) {
						return fmt.Errorf("ScatterValue root %d: got %v", root, got)
					}
				}
				all, err := AllgatherValue(ctx, c, mk(r))
				if err != nil {
					return err
				}
				for i, x := range all {
					if fmt.Sprint(x) != fmt.Sprint(mk(i)) {
						return fmt.Errorf("AllgatherValue: [%d] = %v", i, x)
					}
				}
				out := make([]string, p)
				for j := range out {
					out[j] = fmt.Sprintf("%d->%d", r, j)
				}
				in, err := AlltoallValue(ctx, c, out)
				if err != nil {
					return err
				}
				for i, x := range in {
					if x != fmt.Sprintf("%d->%d", i, r) {
						return fmt.Errorf("AlltoallValue: [%d] = %q", i, x)
					}
				}
				s, err := AllreduceValue(ctx, c, fmt.Sprint(r), func(a, b string) string { return a + "," + b })
				if err != nil {
					return err
				}
				want := ""
				for i := range p {
					if i > 0 {
						want += ","
					}
					want += fmt.Sprint(i)
				}
				if s != want {
					return fmt.Errorf("AllreduceValue = %q, want %q", s, want)
				}
				return nil
			})
		})
	}
}
