package launch

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/shmjob"
	"github.com/gorun-hpc/gorun/rendezvous"
)

// shmLeave is helper mode "shmleave": the rank creates a segment named as
// comm names them, prints the name, and dies by SIGKILL, as a rank killed
// between creating a ring and its peer mapping it would.
func shmLeave() int {
	env, err := rendezvous.ParseEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	name := shmjob.Name(env.Secret, env.JobID, env.Rank, []byte{0xab, byte(env.Rank)})
	if err := os.WriteFile(shmjob.Dir+name, []byte("ring"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("segment", name)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(time.Hour)
	return 1
}

// segmentNames collects the "segment NAME" lines of the ranks' output.
func segmentNames(out string) []string {
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if n, ok := strings.CutPrefix(l, "segment "); ok {
			names = append(names, n)
		}
	}
	return names
}

// TestLauncherRemovesSegments: segments that SIGKILLed ranks left in
// /dev/shm are gone once the job has ended; another job's stay.
func TestLauncherRemovesSegments(t *testing.T) {
	other := shmjob.Dir + shmjob.Name([]byte("another job's secret"), "gorun-other", 0, []byte{1})
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(other) })
	var out bytes.Buffer
	job := helperJob(t, 3, "shmleave")
	job.Stdout = &out
	err := Run(context.Background(), job)
	if err == nil {
		t.Fatal("a job whose ranks were SIGKILLed succeeded")
	}
	names := segmentNames(out.String())
	if len(names) != 3 {
		t.Fatalf("%d segment lines, want 3: %q", len(names), out.String())
	}
	for _, n := range names {
		if _, err := os.Stat(shmjob.Dir + n); !os.IsNotExist(err) {
			os.Remove(shmjob.Dir + n)
			t.Errorf("%s%s left after the job (%v)", shmjob.Dir, n, err)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another job's segment was removed: %v", err)
	}
}

// TestNodeAgentRemovesSegments: a node agent removes what its own ranks
// left once they are gone, and nothing of the job's ranks elsewhere.
func TestNodeAgentRemovesSegments(t *testing.T) {
	// nodeRecords gives its ranks job "test" and secret {1}.
	elsewhere := shmjob.Dir + shmjob.Name([]byte{1}, "test", 7, []byte{2}) // rank 7 runs on another host
	if err := os.WriteFile(elsewhere, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(elsewhere) })
	_, recs := nodeRecords(t, "shmleave", "shmleave")
	var out string
	exits := 0
	deadline := time.After(time.Minute)
	for exits < 2 {
		select {
		case r, ok := <-recs:
			if !ok {
				t.Fatalf("records ended after %d exits: %q", exits, out)
			}
			if r[0] == "x" {
				exits++
			} else if r[0] == "o" {
				out += r[2]
			}
		case <-deadline:
			t.Fatalf("no exits within a minute: %q", out)
		}
	}
	for range recs { // the agent has returned once its records end
	}
	names := segmentNames(out)
	if len(names) != 2 {
		t.Fatalf("%d segment lines, want 2: %q", len(names), out)
	}
	for _, n := range names {
		if _, err := os.Stat(shmjob.Dir + n); !os.IsNotExist(err) {
			os.Remove(shmjob.Dir + n)
			t.Errorf("%s%s left after the agent's ranks ended (%v)", shmjob.Dir, n, err)
		}
	}
	if _, err := os.Stat(elsewhere); err != nil {
		t.Errorf("the segment of a rank on another host was removed: %v", err)
	}
}
