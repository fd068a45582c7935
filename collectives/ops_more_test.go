package collectives

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

func TestOpsApply(t *testing.T) {
	for _, tc := range []struct {
		op      Op[int32]
		a, b, w []int32
	}{
		{BAnd[int32](), []int32{0b1100, -1}, []int32{0b1010, 5}, []int32{0b1000, 5}},
		{BOr[int32](), []int32{0b1100, 0}, []int32{0b1010, 0}, []int32{0b1110, 0}},
		{BXor[int32](), []int32{0b1100, 7}, []int32{0b1010, 7}, []int32{0b0110, 0}},
		{LAnd[int32](), []int32{2, 0, 3, 0}, []int32{-1, 4, 0, 0}, []int32{1, 0, 0, 0}},
		{LOr[int32](), []int32{2, 0, 3, 0}, []int32{-1, 4, 0, 0}, []int32{1, 1, 1, 0}},
		{LXor[int32](), []int32{2, 0, 3, 0}, []int32{-1, 4, 0, 0}, []int32{0, 1, 1, 0}},
		// (value, index) pairs; ties keep the lower index.
		{MinLoc[int32](), []int32{5, 1, 3, 4, 2, 9}, []int32{4, 7, 3, 2, 8, 0}, []int32{4, 7, 3, 2, 2, 9}},
		{MaxLoc[int32](), []int32{5, 1, 3, 4, 2, 9}, []int32{4, 7, 3, 2, 8, 0}, []int32{5, 1, 3, 2, 8, 0}},
		// Half a pair at the end comes from a.
		{MinLoc[int32](), []int32{1, 0, 6}, []int32{0, 1, 5}, []int32{0, 1, 6}},
	} {
		got := make([]int32, len(tc.a))
		tc.op.apply(got, tc.a, tc.b)
		if !slices.Equal(got, tc.w) {
			t.Errorf("%s(%v, %v) = %v, want %v", tc.op.Name(), tc.a, tc.b, got, tc.w)
		}
		// dst may alias an operand.
		a := slices.Clone(tc.a)
		tc.op.apply(a, a, tc.b)
		if !slices.Equal(a, tc.w) {
			t.Errorf("%s in place: %v, want %v", tc.op.Name(), a, tc.w)
		}
	}
	f := []float64{math.NaN(), 3}
	MinLoc[float64]().apply(f, f, []float64{1, 2})
	if !math.IsNaN(f[0]) || f[1] != 2 {
		t.Errorf("MinLoc with NaN: %v", f)
	}
}

// TestOpsAllreduce runs the new operators through Allreduce, Reduce and
// Scan on several rank counts and vector lengths (the long one is above the
// ring threshold, which MinLoc and MaxLoc must not take).
func TestOpsAllreduce(t *testing.T) {
	for _, p := range []int{1, 2, 3, 5, 8} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			cs := local(t, p)
			for _, pairs := range []int{1, 40000} {
				mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error { return opsRound(ctx, c, pairs) })
			}
		})
	}
}

func opsRound(ctx context.Context, c *comm.Comm, pairs int) error {
	p, r := c.Size(), c.Rank()
	// Pair i of rank r: value (r+i)%3, index r. The minimum 0 is held by
	// the ranks with r ≡ -i (mod 3); the lowest of them wins.
	in := make([]float64, 2*pairs)
	for i := range pairs {
		in[2*i], in[2*i+1] = float64((r+i)%3), float64(r)
	}
	for _, tc := range []struct {
		op   Op[float64]
		best int // the value that wins
	}{{MinLoc[float64](), 0}, {MaxLoc[float64](), 2}} {
		out := make([]float64, len(in))
		if err := Allreduce(ctx, c, in, out, tc.op); err != nil {
			return err
		}
		for i := range pairs {
			wantV, wantI := -1, -1
			for q := range p {
				v := (q + i) % 3
				if wantI < 0 || (tc.best == 0 && v < wantV) || (tc.best == 2 && v > wantV) {
					wantV, wantI = v, q
				}
			}
			if out[2*i] != float64(wantV) || out[2*i+1] != float64(wantI) {
				return fmt.Errorf("%s pair %d: (%v, %v), want (%d, %d)", tc.op.Name(), i, out[2*i], out[2*i+1], wantV, wantI)
			}
		}
	}
	bits := []uint64{1 << r, ^uint64(0) &^ (1 << r), uint64(r)}
	or, and, xor := make([]uint64, 3), make([]uint64, 3), make([]uint64, 3)
	for _, x := range []struct {
		op  Op[uint64]
		out []uint64
	}{{BOr[uint64](), or}, {BAnd[uint64](), and}, {BXor[uint64](), xor}} {
		if err := Allreduce(ctx, c, bits, x.out, x.op); err != nil {
			return err
		}
	}
	var wantX uint64
	for q := range p {
		wantX ^= uint64(q)
	}
	if or[0] != 1<<p-1 || and[1] != ^uint64(0)<<p || xor[2] != wantX {
		return fmt.Errorf("bitwise: or %b and %b xor %d", or[0], and[1], xor[2])
	}
	flag := []int8{int8(r % 2), 1, 0}
	land, lor, lxor := make([]int8, 3), make([]int8, 3), make([]int8, 3)
	if err := Allreduce(ctx, c, flag, land, LAnd[int8]()); err != nil {
		return err
	}
	if err := Reduce(ctx, c, flag, lor, LOr[int8](), 0); err != nil {
		return err
	}
	if err := Allreduce(ctx, c, flag, lxor, LXor[int8]()); err != nil {
		return err
	}
	odd := int8(p / 2 % 2) // parity of the number of odd ranks
	if !slices.Equal(land, []int8{0, 1, 0}) || (r == 0 && !slices.Equal(lor, []int8{b2i(p > 1), 1, 0})) || !slices.Equal(lxor, []int8{odd, int8(p % 2), 0}) {
		return fmt.Errorf("logical: and %v or %v xor %v", land, lor, lxor)
	}
	return nil
}

func b2i(b bool) int8 {
	if b {
		return 1
	}
	return 0
}

// TestReduceScatter checks both forms against a serial computation, with a
// commutative op (the ring) and a non-commutative one (reduce + scatter),
// uneven counts, and empty blocks.
func TestReduceScatter(t *testing.T) {
	first := NewOp("first", false, func(a, b int64) int64 { return a })
	for _, p := range []int{1, 2, 3, 4, 7} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			cs := local(t, p)
			for _, n := range []int{0, 1, 5000} {
				mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
					r := c.Rank()
					for _, op := range []Op[int64]{Sum[int64](), first} {
						full := make([]int64, p*n)
						for q := range p {
							for i, v := range seqData(q, p*n) {
								if op.Name() == "sum" {
									full[i] += v
								} else if q == 0 {
									full[i] = v
								}
							}
						}
						got := make([]int64, n)
						if err := ReduceScatterBlock(ctx, c, seqData(r, p*n), got, op); err != nil {
							return err
						}
						if !slices.Equal(got, full[r*n:(r+1)*n]) {
							return fmt.Errorf("ReduceScatterBlock %s n=%d: wrong block", op.Name(), n)
						}
						// Uneven: rank i gets i*n/p... elements, the last the rest.
						counts := make([]int, p)
						off := 0
						for i := range p - 1 {
							counts[i] = (i + 1) * n / p
							off += counts[i]
						}
						counts[p-1] = p*n - off
						start := 0
						for i := range r {
							start += counts[i]
						}
						got = make([]int64, counts[r])
						if err := ReduceScatter(ctx, c, seqData(r, p*n), got, counts, op); err != nil {
							return err
						}
						if !slices.Equal(got, full[start:start+counts[r]]) {
							return fmt.Errorf("ReduceScatter %s n=%d counts %v: wrong block", op.Name(), n, counts)
						}
					}
					return nil
				})
			}
		})
	}
}
