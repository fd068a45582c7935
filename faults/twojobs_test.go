package faults

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestTwoJobs runs two jobs of the write loop at once on this host (same
// program, same tags, same collectives): both finish and each file holds
// its own job's complete data, so nothing crossed between them. The wire
// side (a rank of one job refused by the other) is comm's TestWireTwoJobs.
func TestTwoJobs(t *testing.T) {
	_, prog := build(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const steps, per = 30, 8
	var runs []*run
	var paths []string
	for j, n := range []int{4, 3} {
		path := filepath.Join(dir, fmt.Sprintf("job%d.h5", j))
		paths = append(paths, path)
		runs = append(runs, start(t, ctx, "-n", fmt.Sprint(n), prog, "crash", path, fmt.Sprint(steps), fmt.Sprint(per)))
	}
	for j, r := range runs {
		if r.wait(t, 50*time.Second) {
			t.Fatalf("job %d hung:\n%s", j, r.text())
		}
		if r.err != nil {
			t.Fatalf("job %d: %v\n%s", j, r.err, r.text())
		}
	}
	for j, n := range []int{4, 3} {
		step, err := checkCrashFile(paths[j], n, per, false)
		if err != nil || step != steps-1 {
			t.Errorf("job %d's file: step %d, %v", j, step, err)
		}
	}
}
