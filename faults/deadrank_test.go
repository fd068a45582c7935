package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// failLatency is the promise of ARCHITECTURE.md: a dead rank is reported to
// every other rank within a second on one host.
const failLatency = time.Second

// TestDeadRank kills a random rank (SIGKILL) of faultprog ops, which runs a
// random mix of collectives, a point-to-point ring and h5file calls, at a
// random moment. Every other rank's pending or next operation must fail
// with an error that errors.As finds a *comm.RankError in, naming the dead
// rank, within failLatency of the kill; gorun must exit nonzero and say
// which rank died and how.
func TestDeadRank(t *testing.T) {
	trials := 100
	if testing.Short() {
		trials = 10
	}
	_, prog := build(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var table struct {
		trials, hangs, wrong int
		worst                time.Duration
		ops                  map[string]int
		// Wrong names, not yet fixed (BUGS.md): a peer that failed because
		// of the victim and exited is named instead of the victim; gorun's
		// report names such a peer.
		cascade, report []string
	}
	table.ops = map[string]int{}
	for trial := range trials {
		n := 3 + trial%3
		if trial%10 == 9 {
			n = 8 // more ranks than cores, four times over
		}
		seed := rng.Uint64()
		victim := rng.IntN(n)
		delay := time.Duration(rng.Int64N(int64(40 * time.Millisecond)))
		path := filepath.Join(dir, fmt.Sprintf("ops%03d.h5", trial))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r := start(t, ctx, "-n", strconv.Itoa(n), prog, "ops", strconv.FormatUint(seed, 10), path)
		pids := map[int]int{}
		r.until(func(l string) bool {
			var rk, pid int
			if _, err := fmt.Sscanf(l, "ready %d %d", &rk, &pid); err == nil {
				pids[rk] = pid
			}
			return len(pids) == n
		})
		if len(pids) != n {
			cancel()
			r.wait(t, 30*time.Second)
			t.Fatalf("trial %d: job did not start:\n%s", trial, r.text())
		}
		time.Sleep(delay) // the random kill point (not synchronisation)
		killed := time.Now()
		killPID(pids[victim])
		hung := r.wait(t, 30*time.Second)
		cancel()
		table.trials++
		what := fmt.Sprintf("trial %d (n=%d seed=%d, rank %d killed after %v)", trial, n, seed, victim, delay)
		if hung {
			table.hangs++
			t.Errorf("%s: gorun did not end:\n%s", what, r.text())
			continue
		}
		bad := func(format string, args ...any) {
			table.wrong++
			t.Errorf("%s: %s\n%s", what, fmt.Sprintf(format, args...), r.text())
		}
		if r.err == nil {
			bad("gorun exited 0")
			continue
		}
		if want := fmt.Sprintf("rank %d killed by signal 9", victim); !strings.Contains(r.stderr.String(), want) {
			if !strings.Contains(r.stderr.String(), "gorun: rank ") {
				bad("gorun's report names no rank")
				continue
			}
			table.report = append(table.report, fmt.Sprintf("%s: gorun's report lacks %q:\n%s", what, want, r.stderr.String()))
		}
		seen := map[int]bool{}
		for _, l := range r.out {
			var rk, dead int
			var ts int64
			var op, is string
			if _, err := fmt.Sscanf(l, "ERR rank=%d t=%d op=%s dead=%d is=%s", &rk, &ts, &op, &dead, &is); err != nil {
				continue
			}
			seen[rk] = true
			table.ops[op]++
			lat := time.Unix(0, ts).Sub(killed)
			table.worst = max(table.worst, lat)
			switch {
			case is != "true" || dead < 0:
				bad("rank %d in %s: error does not name rank %d as a *comm.RankError: %s", rk, op, victim, l)
			case dead != victim:
				table.cascade = append(table.cascade, fmt.Sprintf("%s: rank %d names rank %d: %s", what, rk, dead, l))
			case lat > failLatency:
				bad("rank %d in %s: error after %v (more than %v)", rk, op, lat, failLatency)
			}
		}
		for rk := range n {
			if rk != victim && !seen[rk] {
				bad("rank %d reported no error", rk)
			}
		}
	}
	t.Logf("dead rank: %d trials, %d hangs, %d wrong reports; worst delay kill -> error %v; failing operations %v; a later-failed peer named instead of the victim %d times, gorun's report naming the wrong rank %d times",
		table.trials, table.hangs, table.wrong, table.worst, table.ops, len(table.cascade), len(table.report))
	t.Run("peers name the killed rank", func(t *testing.T) {
		for _, e := range table.cascade {
			t.Error(e)
		}
	})
	t.Run("gorun names the killed rank", func(t *testing.T) {
		for _, e := range table.report {
			t.Error(e)
		}
	})
}
