package collectives

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
)

// TestAlltoallv exchanges blocks of sizes from empty to past the inline
// send limit (so both sendrecv paths run) and checks every element; a
// receiver expecting a different size than its sender sends gets a
// mismatch, never a hang.
func TestAlltoallv(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		size func(from, to int) int
	}{
		{"empty", 3, func(from, to int) int { return 0 }},
		{"small", 4, func(from, to int) int { return from + 2*to }},
		{"large", 3, func(from, to int) int { return (from + 1) * (to + 1) * 5000 }},
		{"one side", 4, func(from, to int) int {
			if from == 0 {
				return 3000 * (to + 1)
			}
			return 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := local(t, tc.n)
			mustAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
				p, r := c.Size(), c.Rank()
				scounts, rcounts := make([]int, p), make([]int, p)
				var send []int32
				for j := range p {
					scounts[j], rcounts[j] = tc.size(r, j), tc.size(j, r)
					for k := range scounts[j] {
						send = append(send, int32(r*1000000+j*1000+k%1000))
					}
				}
				total := 0
				for _, n := range rcounts {
					total += n
				}
				recv := make([]int32, total)
				if err := Alltoallv(ctx, c, send, scounts, recv, rcounts); err != nil {
					return err
				}
				i := 0
				for s := range p {
					for k := range rcounts[s] {
						if want := int32(s*1000000 + r*1000 + k%1000); recv[i] != want {
							return fmt.Errorf("from rank %d element %d: %d, want %d", s, k, recv[i], want)
						}
						i++
					}
				}
				return nil
			})
		})
	}
	t.Run("counts disagree", func(t *testing.T) {
		cs := local(t, 3)
		errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
			counts := fill(c.Size(), 2)
			rcounts := fill(c.Size(), 2)
			if c.Rank() == 2 {
				rcounts[0] = 3 // rank 0 sends it 2
			}
			return Alltoallv(ctx, c, make([]int32, 6), counts, make([]int32, sum(rcounts)), rcounts)
		})
		if errs[2] == nil || !errors.Is(errs[2], ErrMismatch) {
			t.Fatalf("rank 2: %v, want ErrMismatch", errs[2])
		}
	})
	t.Run("bad counts", func(t *testing.T) {
		cs := local(t, 2)
		errs := onAll(t, cs, func(ctx context.Context, c *comm.Comm) error {
			return Alltoallv(ctx, c, make([]int32, 4), []int{1, 1}, make([]int32, 2), []int{1, 1})
		})
		for r, err := range errs {
			if !errors.Is(err, ErrArgument) {
				t.Errorf("rank %d: %v, want ErrArgument (counts add up to 2, send holds 4)", r, err)
			}
		}
	})
}

func sum(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}
