package h5file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/ranktest"
)

// runRanks runs body on n in-process ranks and returns each rank's error
// (internal/ranktest).
func runRanks(t testing.TB, n int, body func(ctx context.Context, c *comm.Comm) error) []error {
	t.Helper()
	return ranktest.Run(t, n, body)
}

// RunRanks is runRanks for the external tests (package h5file_test).
var RunRanks = runRanks

// checkCount is how many agreements the file's ranks made.
func (f *File) checkCount() int {
	if f.par == nil {
		return 0
	}
	return f.par.checks
}

// TestBatchedAgreement: 2*checkEvery+100 creates cost two agreements (one
// each checkEvery calls), plus the ones of Create and Close.
func TestBatchedAgreement(t *testing.T) {
	path := filepath.Join(t.TempDir(), "batch.h5")
	checks := make([]int, 3)
	errs := runRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := Create(path, "w", WithComm(c), WithContext(ctx))
		if err != nil {
			return err
		}
		before := f.checkCount()
		for i := range 2*checkEvery + 100 {
			if _, err := f.CreateGroup(fmt.Sprintf("g%05d", i)); err != nil {
				return err
			}
		}
		checks[c.Rank()] = f.checkCount() - before
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	for r, n := range checks {
		if n != 2 {
			t.Errorf("rank %d: %d agreements for %d creates, want 2", r, n, 2*checkEvery+100)
		}
	}
}

// TestMismatchMessage checks the grouping and wording of the error.
func TestMismatchMessage(t *testing.T) {
	for _, tc := range []struct {
		logs [][]string
		want string
	}{
		{[][]string{{"A", "Close"}, {"A", `CreateGroup("/x")`, "Close"}, {"A", "Close"}, {"A", "Close"}},
			`ranks disagree at metadata operation #11: rank 1 called CreateGroup("/x") but ranks 0,2,3 called Close`},
		{[][]string{{"A", "B"}, {"A", "C"}},
			`#11: rank 1 called C but rank 0 called B`},
		{[][]string{{"A", "B"}, {"A", "C"}, {"A", "D"}, {"A", "C"}, {"A"}},
			`#11: rank 0 called B, rank 2 called D, rank 4 made no operation #11 but ranks 1,3 called C`},
	} {
		e := newMismatch("f.h5", 10, tc.logs, make([]uint64, len(tc.logs)))
		if !strings.Contains(e.Error(), tc.want) {
			t.Errorf("%q lacks %q", e.Error(), tc.want)
		}
		if !errors.Is(e, ErrMismatch) {
			t.Errorf("%v is not ErrMismatch", e)
		}
	}
	e := newMismatch("f.h5", 10, [][]string{{"A"}, {"A"}}, []uint64{1, 2})
	if !e.SameCalls || !strings.Contains(e.Error(), "models differ") {
		t.Errorf("equal logs, different models: %v", e)
	}
}

// FuzzMismatch: any logs the ranks send (they come from the network)
// give an error naming an operation and every rank exactly once.
func FuzzMismatch(f *testing.F) {
	f.Add(uint8(4), "A\nB\nClose", "A\nClose", uint64(1))
	f.Add(uint8(2), "", "x", uint64(7))
	f.Fuzz(func(t *testing.T, n uint8, a, b string, first uint64) {
		n = n%16 + 1
		logs := make([][]string, n)
		for r := range logs {
			s := a
			if r%3 == 1 {
				s = b
			}
			if s != "" {
				logs[r] = strings.Split(s, "\n")
			}
		}
		e := newMismatch("f", first, logs, make([]uint64, n))
		seen := map[int]bool{}
		for _, g := range e.Calls {
			for _, r := range g.Ranks {
				if seen[r] {
					t.Fatalf("rank %d twice: %+v", r, e)
				}
				seen[r] = true
			}
		}
		if len(seen) != int(n) {
			t.Fatalf("%d ranks named of %d: %+v", len(seen), n, e)
		}
		_ = e.Error()
	})
}
