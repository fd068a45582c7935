//go:build linux

package main

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fakeSrun puts an "srun" first on PATH that logs its arguments, one
// line per job step, and runs gorun's agent here, whatever node it is
// given: the launcher's side of an allocation without Slurm.
func fakeSrun(t *testing.T) (log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "steps")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\nexec " + gorunBin + " --agent\n"
	if err := os.WriteFile(filepath.Join(dir, "srun"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

// steps returns the job steps fakeSrun logged, and clears the log.
func steps(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	_ = os.Remove(log)
	return lines(string(b))
}

// TestSrunStepPerNode: inside an allocation gorun starts one srun step
// per node, which starts all of that node's ranks (decision 40), not one
// step per rank; each rank still gets its own environment, program
// (MPMD), directory, binding and output, and the launcher still names a
// rank that fails and how, and feeds rank 0's stdin.
func TestSrunStepPerNode(t *testing.T) {
	log := fakeSrun(t)
	base := []string{"--launcher", "srun", "--bind", "127.0.0.1"}

	res := gorun(t, "", append(base, "-H", "n1:2,n2:3", "sh", "-c", `echo "$GORUN_RANK $GORUN_HOST"; echo "err $GORUN_RANK" >&2`)...)
	l := lines(res.stdout)
	sort.Strings(l)
	if want := []string{"0 n1", "1 n1", "2 n2", "3 n2", "4 n2"}; res.code != 0 || !reflect.DeepEqual(l, want) {
		t.Fatalf("exit %d, ranks on %q, want %q\n%s", res.code, l, want, res.stderr)
	}
	for _, r := range []string{"0", "1", "2", "3", "4"} {
		if !strings.Contains(res.stderr, "err "+r+"\n") {
			t.Errorf("rank %s's stderr line missing:\n%s", r, res.stderr)
		}
	}
	st := steps(t, log)
	if len(st) != 2 || !strings.Contains(st[0]+st[1], "-w n1 ") || !strings.Contains(st[0]+st[1], "-w n2 ") {
		t.Errorf("5 ranks on 2 nodes started %d job steps, want one per node:\n%s", len(st), strings.Join(st, "\n"))
	}

	// MPMD, --wdir, --output-filename and --report-bindings through the
	// node's agent.
	dir := t.TempDir()
	res = gorun(t, "", append(base, "-H", "n1:2,n2:1", "--output-filename", dir, "--wdir", dir, "--bind-to", "core", "--report-bindings",
		"-n", "1", "sh", "-c", `echo "a $GORUN_RANK $(pwd)"`, ":", "-n", "2", "sh", "-c", `echo "b $GORUN_RANK app=$GORUN_APPNUM"`)...)
	if res.code != 0 {
		t.Fatalf("MPMD: exit %d\n%s", res.code, res.stderr)
	}
	for r, want := range []string{"a 0 " + dir, "b 1 app=1", "b 2 app=1"} {
		got, err := os.ReadFile(filepath.Join(dir, "1", "rank."+string(rune('0'+r)), "stdout"))
		if err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("rank %d's output file: %q (%v), want %q", r, got, err, want)
		}
	}
	if m := reportRe.FindAllStringSubmatch(res.stderr, -1); len(m) != 3 {
		t.Errorf("%d binding reports, want 3:\n%s", len(m), res.stderr)
	}
	if st := steps(t, log); len(st) != 2 {
		t.Errorf("3 ranks on 2 nodes: %d job steps, want 2", len(st))
	}

	// Failures: a rank's exit code and signal reach the launcher, which
	// names that rank.
	res = gorun(t, "", append(base, "-H", "n1:2,n2:2", "sh", "-c", `if [ $GORUN_RANK = 2 ]; then exit 3; fi; sleep 60`)...)
	if res.code != 3 || !strings.Contains(res.stderr, "rank 2 exited with code 3") {
		t.Errorf("rank 2 exits 3: gorun exit %d, want 3 naming it\n%s", res.code, res.stderr)
	}
	res = gorun(t, "", append(base, "-H", "n1:2,n2:2", "sh", "-c", `if [ $GORUN_RANK = 3 ]; then kill -9 $$; fi; sleep 60`)...)
	if res.code != 137 || !strings.Contains(res.stderr, "rank 3 killed by signal 9") {
		t.Errorf("rank 3 killed: gorun exit %d, want 137 naming it\n%s", res.code, res.stderr)
	}
	_ = steps(t, log)

	// Rank 0's stdin, through its node's agent.
	res = gorun(t, "to rank 0\n", append(base, "-H", "n1:1,n2:1", "sh", "-c", `if [ $GORUN_RANK = 0 ]; then cat; fi`)...)
	if res.code != 0 || res.stdout != "to rank 0\n" {
		t.Errorf("stdin: exit %d, stdout %q, want rank 0 to echo it\n%s", res.code, res.stdout, res.stderr)
	}
}

// TestSSHSessionPerHost: over ssh too, one session per remote host starts
// that host's ranks (decision 40), not a login per rank.
func TestSSHSessionPerHost(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "sessions")
	ssh := filepath.Join(dir, "fakessh")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\nSSH_CONNECTION='127.0.0.1 40000 127.0.0.1 22' exec " + gorunBin + " --agent\n"
	if err := os.WriteFile(ssh, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	res := gorun(t, "", "--ssh", ssh, "-H", "n1:3,n2:2", "sh", "-c", `echo "$GORUN_RANK $GORUN_HOST"`)
	l := lines(res.stdout)
	sort.Strings(l)
	if want := []string{"0 n1", "1 n1", "2 n1", "3 n2", "4 n2"}; res.code != 0 || !reflect.DeepEqual(l, want) {
		t.Fatalf("exit %d, ranks on %q, want %q\n%s", res.code, l, want, res.stderr)
	}
	if st := steps(t, log); len(st) != 2 {
		t.Errorf("5 ranks on 2 hosts: %d ssh sessions, want one per host:\n%s", len(st), strings.Join(st, "\n"))
	}
}
