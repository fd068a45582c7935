package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/h5file"
)

// crashRanks, crashPer: a small parallel write loop, so that one trial
// costs a fraction of a second and the kill lands anywhere in it.
const (
	crashRanks = 4
	crashPer   = 16
	crashSteps = 400
)

// TestCrashConsistency kills the flushing write loop (faultprog crash) with
// SIGKILL, one random rank or all of them, at random moments, writing
// files of both format families (classic and LibverLatest), and checks
// every file: it opens in h5file, h5dump and h5py and shows exactly the
// state of the last completed flush.
//
// Telling the two possible states apart: rank 0 prints "flushed k" after
// Flush k returned; a kill between the superblock write of flush k+1 and
// that print leaves the file at k+1. Every flush also writes the root
// attribute "step" = k, so the file says which flush it holds: it must be
// the last printed k or k+1, and the rest of the file must match that step
// exactly: datasets s0000..s<step> with their data, no later s dataset,
// rows 0..step of /data, and /ext (chunked, grown by Resize every step)
// with exactly step+1 rows of the right data. Rows of /data after step may hold data written
// before the kill (raw data goes straight to the file, as with MPI-IO).
func TestCrashConsistency(t *testing.T) {
	trials := 50
	if testing.Short() {
		trials = 10
	}
	_, prog := build(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	type checked struct {
		path  string
		step  int64
		ranks int
	}
	var files []checked
	var table struct{ trials, hangs, lost, atPrinted, atNext, finished int }
	minStep, maxStep := int64(crashSteps), int64(-2)
	for trial := range trials {
		all := trial%2 == 1
		path := filepath.Join(dir, fmt.Sprintf("crash%02d.h5", trial))
		delay := time.Duration(rng.Int64N(int64(80 * time.Millisecond)))
		// Every fifth trial is a serial file (one rank: no communicator).
		ranks := crashRanks
		if trial%5 == 4 {
			ranks = 1
		}
		victim := rng.IntN(ranks)
		// Trials alternate between the two format families in pairs (so
		// each family gets kills of one rank and of all ranks).
		family := "earliest"
		if trial%4 >= 2 {
			family = "latest"
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r := start(t, ctx, "-n", strconv.Itoa(ranks), prog, "crash", path, strconv.Itoa(crashSteps), strconv.Itoa(crashPer), family)
		// Every rank prints its pid and rank 0 then "flushed -1", but
		// gorun forwards each rank's output on its own: a pid line may
		// come after rank 0's flush line. Read until both are in.
		pids := map[int]int{}
		flushed := false
		r.until(func(l string) bool {
			var rk, pid int
			if _, err := fmt.Sscanf(l, "pid %d %d", &rk, &pid); err == nil {
				pids[rk] = pid
			}
			flushed = flushed || l == "flushed -1"
			return flushed && len(pids) == ranks
		})
		if len(pids) != ranks {
			cancel()
			r.wait(t, 30*time.Second)
			t.Fatalf("trial %d: job did not start:\n%s", trial, r.text())
		}
		time.Sleep(delay) // the random kill point (not synchronisation)
		what := fmt.Sprintf("rank %d of %d, %s family", victim, ranks, family)
		if all {
			what = fmt.Sprintf("all %d ranks, %s family", ranks, family)
			for _, rk := range rng.Perm(ranks) {
				killPID(pids[rk])
			}
		} else {
			killPID(pids[victim])
		}
		hung := r.wait(t, 30*time.Second)
		cancel()
		table.trials++
		if hung {
			table.hangs++
			t.Errorf("trial %d (%s killed after %v): gorun did not end:\n%s", trial, what, delay, r.text())
			continue
		}
		printed := int64(-1)
		for _, l := range r.out {
			var k int64
			if _, err := fmt.Sscanf(l, "flushed %d", &k); err == nil {
				printed = k
			}
		}
		step, err := checkCrashFile(path, ranks, crashPer, false)
		switch {
		case err != nil:
			table.lost++
			t.Errorf("trial %d (%s killed after %v, last printed flush %d): %v\n%s", trial, what, delay, printed, err, r.text())
			continue
		case step == printed:
			table.atPrinted++
		case step == printed+1:
			table.atNext++
		default:
			table.lost++
			t.Errorf("trial %d (%s killed after %v): file holds step %d, last printed flush %d", trial, what, delay, step, printed)
			continue
		}
		minStep, maxStep = min(minStep, step), max(maxStep, step)
		if step == crashSteps-1 {
			table.finished++
		}
		if out, err := exec.Command("h5dump", path).CombinedOutput(); err != nil {
			table.lost++
			t.Errorf("trial %d (%s killed after %v): h5dump: %v\n%.2000s", trial, what, delay, err, out)
			continue
		}
		files = append(files, checked{path, step, ranks})
	}
	// h5py checks every file in one interpreter (its start costs more
	// than a trial).
	var script strings.Builder
	script.WriteString(`import h5py, numpy as np, sys
per = ` + strconv.Itoa(crashPer) + `
bad = 0
for path, step, n in [`)
	for _, f := range files {
		fmt.Fprintf(&script, "(%q, %d, %d),", f.path, f.step, f.ranks)
	}
	script.WriteString(`]:
    try:
        with h5py.File(path, 'r') as f:
            assert f.attrs['step'] == step, (f.attrs['step'], step)
            want = lambda k: k*1000000 + np.arange(n*per)
            for k in range(step + 1):
                assert (f['s%04d' % k][()] == want(k)).all(), k
                assert (f['data'][k] == want(k)).all(), k
            rows = f['ext'].shape[0]
            assert f['ext'].shape in ((step + 1, n*per), (step + 2, n*per)), f['ext'].shape
            for k in range(rows):
                assert (f['ext'][k] == want(k)).all(), k
            assert 's%04d' % (step + 1) not in f
    except Exception as e:
        bad += 1
        print(path, 'step', step, repr(e))
print('h5py checked', bad, 'bad')
sys.exit(1 if bad else 0)
`)
	out, err := exec.Command("/usr/bin/python3", "-c", script.String()).CombinedOutput()
	if err != nil {
		table.lost++
		t.Errorf("h5py: %v\n%s", err, out)
	}
	t.Logf("crash consistency: %d trials, %d hangs, %d with data lost; file at the last printed flush %d, at the one after %d, loop finished before the kill %d; steps in the files %d..%d; h5py: %s",
		table.trials, table.hangs, table.lost, table.atPrinted, table.atNext, table.finished, minStep, maxStep, strings.TrimSpace(string(out)))
}

// checkCrashFile opens the file of a loop of ranks x per (killed, or
// failed) with h5file and checks that it is the state after some flush
// (each object as of that flush or, if the kill came during the next one,
// as of the next); it returns the step the root says. With closedAfterError, dataset
// s<step+1> may exist: the ranks created it, a write into it failed, and
// their Close (a flush too) recorded it; its data is not checked.
func checkCrashFile(path string, ranks, per int, closedAfterError bool) (int64, error) {
	f, err := h5file.Open(path, "r")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	step, err := h5file.AttrValue[int64](f, "step")
	if err != nil {
		return 0, fmt.Errorf("attribute step: %w", err)
	}
	d, err := f.Dataset("data")
	if err != nil {
		return step, err
	}
	want := func(k int64) []int64 {
		v := make([]int64, ranks*per)
		for i := range v {
			v[i] = k*1e6 + int64(i)
		}
		return v
	}
	for k := int64(0); k <= step; k++ {
		s, err := f.Dataset(fmt.Sprintf("s%04d", k))
		if err != nil {
			return step, err
		}
		got, err := h5file.ReadAll[int64](s)
		if err != nil {
			return step, err
		}
		if err := same(got, want(k)); err != nil {
			return step, fmt.Errorf("s%04d: %w", k, err)
		}
		row, err := h5file.ReadSlice[int64](d, h5file.S(h5file.Index(k), h5file.Range(0, int64(ranks*per))))
		if err != nil {
			return step, err
		}
		if err := same(row, want(k)); err != nil {
			return step, fmt.Errorf("data row %d: %w", k, err)
		}
	}
	ext, err := f.Dataset("ext")
	if err != nil {
		return step, err
	}
	// A kill inside flush step+1 may leave ext as of that flush: headers
	// are rewritten in place one by one, ext's before the root's (which
	// holds step), and each object is as of one flush or the next
	// (ARCHITECTURE.md decision 5). Its rows must then all be right.
	rows := int64(ext.Shape()[0])
	if rows != step+1 && rows != step+2 {
		return step, fmt.Errorf("ext has %d rows in a file whose step is %d", rows, step)
	}
	for k := int64(0); k < rows; k++ {
		row, err := h5file.ReadSlice[int64](ext, h5file.S(h5file.Index(k), h5file.Range(0, int64(ranks*per))))
		if err != nil {
			return step, err
		}
		if err := same(row, want(k)); err != nil {
			return step, fmt.Errorf("ext row %d: %w", k, err)
		}
	}
	if f.Contains(fmt.Sprintf("s%04d", step+1+btoi(closedAfterError))) {
		return step, fmt.Errorf("dataset s%04d exists in a file whose step is %d", step+1, step)
	}
	return step, nil
}

func same(got, want []int64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("[%d] = %d, want %d", i, got[i], want[i])
		}
	}
	return nil
}

func btoi(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
