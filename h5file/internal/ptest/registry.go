package main

import (
	"context"
	"sort"

	"github.com/gorun-hpc/gorun/comm"
)

// Scenario is one parallel program and how to check its file. With
// PTEST_TIME set, rank 0 prints how long each scenario took.
type Scenario struct {
	Name string `json:"name"`
	// Run is called on every rank with the same path.
	Run func(ctx context.Context, c *comm.Comm, path string) error `json:"-"`
	// Verify is Python run with numpy as np, f (the file, opened by h5py
	// for reading), n (the number of ranks) and the helpers of Prelude; it
	// raises (assert) when a value is wrong.
	Verify string `json:"verify"`
	// WantErr, if set, is text every rank's error must contain: the run
	// must fail (mismatch scenarios); the file must still open in h5dump.
	WantErr string `json:"want_err,omitempty"`
	// Leavers are ranks that end without an error (they leave early, and
	// the others' errors name them): they must report nothing.
	Leavers []int `json:"leavers,omitempty"`
	// MinRanks is the fewest ranks the scenario makes sense with.
	MinRanks int `json:"min_ranks,omitempty"`
	// Skip, if set, says why the test does not run the scenario yet.
	Skip string `json:"skip,omitempty"`
}

var registry = map[string]Scenario{}

// Register adds a scenario; names are unique.
func Register(s Scenario) {
	if _, dup := registry[s.Name]; dup {
		panic("ptest: scenario " + s.Name + " registered twice")
	}
	registry[s.Name] = s
}

// Listing is what ptest -list prints.
type Listing struct {
	Prelude   string     `json:"prelude"`
	Scenarios []Scenario `json:"scenarios"`
}

func list() Listing {
	var out []Scenario
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return Listing{Prelude: prelude, Scenarios: out}
}

// prelude is Python shared by every Verify: the same decompositions as
// the Go helpers below.
const prelude = `
def block(L, n, r):
    return L*r//n, L*(r+1)//n

def owners(L, n):
    o = np.zeros(L, dtype=np.int64)
    for r in range(n):
        lo, hi = block(L, n, r)
        o[lo:hi] = r
    return o

def grid(n):
    px = 1
    for d in range(1, int(n**0.5)+1):
        if n % d == 0:
            px = d
    return px, n//px
`

// block is rank r's share [lo, hi) of L items split over n ranks (the
// first ranks get the smaller shares when L%n != 0).
func block(L, n, r int) (lo, hi int64) {
	return int64(L * r / n), int64(L * (r + 1) / n)
}

// grid splits n ranks into px*py tiles, px the largest divisor <= sqrt(n).
func grid(n int) (px, py int) {
	px = 1
	for d := 1; d*d <= n; d++ {
		if n%d == 0 {
			px = d
		}
	}
	return px, n / px
}
