package collectives

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/comm"
)

// failDeadline bounds a test only when something is wrong: a correct run
// never waits for it, a hang turns into a failure with a message.
const failDeadline = 90 * time.Second

// local starts n ranks in this process and closes them when the test ends.
func local(t testing.TB, n int) []*comm.Comm {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failDeadline)
	defer cancel()
	cs, err := comm.NewLocal(ctx, n)
	if err != nil {
		t.Fatalf("NewLocal(%d): %v", n, err)
	}
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Add(1)
			go func() { defer wg.Done(); c.Close() }()
		}
		wg.Wait()
	})
	return cs
}

// onAll runs f on every rank at once and returns each rank's error.
func onAll(t testing.TB, cs []*comm.Comm, f func(ctx context.Context, c *comm.Comm) error) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failDeadline)
	defer cancel()
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i] = f(ctx, c)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("deadline of %v reached: a collective hung; errors: %v", failDeadline, errs)
	}
	return errs
}

// mustAll fails the test if any rank returned an error.
func mustAll(t testing.TB, cs []*comm.Comm, f func(ctx context.Context, c *comm.Comm) error) {
	t.Helper()
	for r, err := range onAll(t, cs, f) {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}
