package collectives_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/collectives/internal/colltest"
	"github.com/gorun-hpc/gorun/comm"
)

// TestCollectives checks every typed collective against a serial
// computation for every rank count in colltest.Sizes and every payload in
// colltest.Counts, over in-process ranks with real TCP.
func TestCollectives(t *testing.T) {
	for _, p := range colltest.Sizes {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			cs := collectives.LocalForTest(t, p)
			for _, n := range colltest.Counts(p, collectives.RaceEnabled) {
				for _, tc := range colltest.Checks {
					if n >= colltest.Big && !tc.Big {
						continue
					}
					if testing.Short() && n > 8192 {
						continue
					}
					t.Run(fmt.Sprintf("%s/%dB", tc.Name, n*8), func(t *testing.T) {
						collectives.MustAllForTest(t, cs, func(ctx context.Context, c *comm.Comm) error { return tc.Run(ctx, c, n) })
					})
				}
			}
		})
	}
}
