//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/interop"
)

func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// members is the world ranks sharing each step when the ranks of kills
// (world rank -> step) die at their steps: a rank that dies at step s
// took part in the steps before s only (its step s is not flushed, and is
// written again by the survivors).
func members(n, steps int, kills map[int]int) [][]int {
	out := make([][]int, steps)
	for t := range steps {
		for r := range n {
			if s, ok := kills[r]; !ok || t < s {
				out[t] = append(out[t], r)
			}
		}
	}
	return out
}

// checkFile has h5py check every step of the file: its values, which rank
// wrote each column (the equal blocks of the ranks that shared the step)
// and how many ranks did.
func checkFile(t *testing.T, path string, cols int, want [][]int) {
	t.Helper()
	js, _ := json.Marshal(want)
	out := interop.H5Py(t, fmt.Sprintf(`
import json
want = json.loads(%q)
cols = %d
f = h5py.File(%q, "r")
field, owner, ranks = f["field"], f["owner"], f["ranks"]
assert field.shape == (len(want), cols), field.shape
assert owner.shape == (len(want), cols) and ranks.shape == (len(want),), (owner.shape, ranks.shape)
for t, m in enumerate(want):
    k = len(m)
    assert ranks[t] == k, ("step", t, "ranks", ranks[t], "want", k)
    assert np.array_equal(field[t], 1000.0 * t + np.arange(cols)), ("step", t, field[t])
    exp = [m[i] for i in range(k) for j in range(cols * i // k, cols * (i + 1) // k)]
    assert list(owner[t]) == exp, ("step", t, "owners", list(owner[t]), "want", exp)
print("ok", len(want))
`, string(js), cols, path))
	if strings.TrimSpace(out) != fmt.Sprintf("ok %d", len(want)) {
		t.Fatalf("h5py: %q", out)
	}
}

// TestShrinkThroughGorun runs the example under the real launcher: ranks
// die by SIGKILL mid-loop (after writing their block of a step, before
// its flush), the survivors shrink, reopen the file at its last flush and
// finish; h5py checks every step. The job's exit status is the dead
// rank's (137) even though the survivors finished. Without
// --enable-recovery the job ends at the death, with the file readable and
// right up to the last flush.
func TestShrinkThroughGorun(t *testing.T) {
	bin := t.TempDir()
	gorun := build(t, bin, "./cmd/gorun")
	prog := build(t, bin, "./examples/shrink")
	const steps, cols = 10, 12
	for _, tc := range []struct {
		name     string
		n        int
		recovery bool
		kill     string
		kills    map[int]int
		dead     int // the rank gorun names; -1: none
		stepsIn  int // steps in the file at the end
	}{
		{"no failure", 4, true, "", nil, -1, steps},
		{"one of four dies", 4, true, "1:3", map[int]int{1: 3}, 1, steps},
		{"rank 0 dies after a first shrink", 4, true, "2:3,0:6", map[int]int{2: 3, 0: 6}, 2, steps},
		{"the last rank dies at the first step", 3, true, "2:0", map[int]int{2: 0}, 2, steps},
		{"without recovery the job ends", 4, false, "1:3", map[int]int{1: 3}, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "steps.h5")
			args := []string{"--timeout", "120"} // a hang fails, with every rank's stacks
			if tc.recovery {
				args = append(args, "--enable-recovery")
			}
			args = append(args, "-n", fmt.Sprint(tc.n), prog, "-steps", fmt.Sprint(steps), "-cols", fmt.Sprint(cols))
			if tc.kill != "" {
				args = append(args, "-kill", tc.kill)
			}
			cmd := exec.Command(gorun, append(args, path)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			if tc.dead < 0 {
				if code != 0 {
					t.Fatalf("exit status %d, want 0", code)
				}
			} else {
				if code != 128+int(syscall.SIGKILL) {
					t.Fatalf("exit status %d, want 137: a rank died", code)
				}
				if want := fmt.Sprintf("gorun: rank %d killed by signal 9", tc.dead); !strings.Contains(stderr.String(), want) {
					t.Fatalf("stderr does not say %q", want)
				}
			}
			want := members(tc.n, steps, tc.kills)[:tc.stepsIn]
			checkFile(t, path, cols, want)
			if tc.recovery {
				// One shrink per death, each announced once.
				if got := strings.Count(stdout.String(), "are gone, going on with"); got != len(tc.kills) {
					t.Fatalf("%d shrinks announced, want %d", got, len(tc.kills))
				}
				last := want[len(want)-1]
				if !slices.Equal(last, members(tc.n, steps, tc.kills)[steps-1]) {
					t.Fatalf("last step by %v", last)
				}
			}
		})
	}
}

func TestParseKills(t *testing.T) {
	got, err := parseKills("2:3,0:6")
	if err != nil || len(got) != 2 || got[2] != 3 || got[0] != 6 {
		t.Fatalf("parseKills: %v, %v", got, err)
	}
	for _, bad := range []string{"2", "a:1", "1:-1", "1:2,"} {
		if _, err := parseKills(bad); err == nil {
			t.Errorf("parseKills(%q) accepted", bad)
		}
	}
}

// TestShrinkKilledFromOutside: the test, not the program, kills a rank:
// gorun -v names every rank's pid, and once rank 0 reports step 10
// flushed, world rank 2 gets SIGKILL wherever it is (in a write, a flush,
// an open, Agree or Shrink). The survivors finish all steps; h5py checks
// that every step's values are right and that each step was written by
// the equal blocks of a set of ranks that only shrinks, from all four to
// the three survivors.
func TestShrinkKilledFromOutside(t *testing.T) {
	bin := t.TempDir()
	gorun := build(t, bin, "./cmd/gorun")
	prog := build(t, bin, "./examples/shrink")
	const steps, cols = 1000, 12
	path := filepath.Join(t.TempDir(), "steps.h5")
	cmd := exec.Command(gorun, "-v", "--timeout", "300", "--enable-recovery", "-n", "4", prog,
		"-progress", "-steps", fmt.Sprint(steps), "-cols", fmt.Sprint(cols), path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pids := make(chan int, 4)
	var errText strings.Builder
	errDone := make(chan struct{})
	go func() {
		defer close(errDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			errText.WriteString(line + "\n")
			var pid int
			if strings.Contains(line, `msg="rank started" rank=2 `) {
				if _, err := fmt.Sscanf(line[strings.Index(line, "pid="):], "pid=%d", &pid); err == nil {
					pids <- pid
				}
			}
		}
	}()
	killed := false
	var lastStep string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lastStep = sc.Text()
		if lastStep == "step 10" && !killed {
			var pid int
			select {
			case pid = <-pids:
			case <-time.After(time.Minute): // gorun -v names every rank's pid at its start
				t.Fatal("no pid of rank 2 in gorun -v's log")
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatalf("kill rank 2 (pid %d): %v", pid, err)
			}
			killed = true
		}
	}
	<-errDone
	err = cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if !killed || code != 137 || !strings.Contains(errText.String(), "gorun: rank 2 killed by signal 9") {
		t.Fatalf("killed %v, exit %d, last %q; stderr:\n%s", killed, code, lastStep, errText.String())
	}
	out := interop.H5Py(t, fmt.Sprintf(`
cols = %d
f = h5py.File(%q, "r")
field, owner, ranks = f["field"][:], f["owner"][:], f["ranks"][:]
assert field.shape == (%d, cols), field.shape
prev = [0, 1, 2, 3]
for t in range(len(ranks)):
    k = int(ranks[t])
    m = [int(owner[t][cols * i // k]) for i in range(k)]
    exp = [m[i] for i in range(k) for j in range(cols * i // k, cols * (i + 1) // k)]
    assert list(owner[t]) == exp, ("step", t, list(owner[t]))
    assert m == sorted(set(m)) and set(m) <= set(prev), ("step", t, m, prev)
    assert np.array_equal(field[t], 1000.0 * t + np.arange(cols)), ("step", t)
    if t <= 10:
        assert m == [0, 1, 2, 3], ("step", t, m)
    prev = m
assert prev == [0, 1, 3], prev
print("ok")
`, cols, path, steps))
	if strings.TrimSpace(out) != "ok" {
		t.Fatalf("h5py: %q", out)
	}
}
