package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestHello(t *testing.T) {
	for _, n := range []int{1, 2, 4, 8, 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			res := gorun(t, "", "-n", fmt.Sprint(n), helloBin)
			if res.code != 0 {
				t.Fatalf("exit %d\nstderr:\n%s", res.code, res.stderr)
			}
			var want []string
			for r := range n {
				want = append(want, fmt.Sprintf("hello from rank %d of %d", r, n))
			}
			got := lines(res.stdout)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("stdout:\n%s\nwant one line per rank:\n%s", res.stdout, strings.Join(want, "\n"))
			}
		})
	}
}

// TestHelloPackage builds the example from its directory, as a user would.
func TestHelloPackage(t *testing.T) {
	res := gorun(t, "", "-n", "2", "-l", "../../examples/hello")
	if res.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", res.code, res.stderr)
	}
	for r := range 2 {
		if want := fmt.Sprintf("[%d] hello from rank %d of 2\n", r, r); !strings.Contains(res.stdout, want) {
			t.Errorf("stdout %q lacks %q", res.stdout, want)
		}
	}
}

// TestHelloPackageReused: a second run of an unchanged package reuses the
// binary the first built (gorun -v says which).
func TestHelloPackageReused(t *testing.T) {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(out))) // keep go's own cache
	t.Setenv("XDG_CACHE_HOME", t.TempDir())             // a build cache of gorun's own for this test
	for i, want := range []string{"reused=false", "reused=true"} {
		res := gorun(t, "", "-v", "-n", "2", "../../examples/hello")
		if res.code != 0 || !strings.Contains(res.stderr, want) {
			t.Fatalf("run %d: exit %d, want 0 and %q in the log:\n%s", i+1, res.code, want, res.stderr)
		}
	}
}

// TestRankFailure: one rank fails while the others are blocked in comm's
// Recv from it; they must get an error naming it (printed long before the
// 60s grace period ends), gorun names the rank and exits with its code.
func TestRankFailure(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		failed   int
		wantCode int
		wantMsg  string
	}{
		{"exit code 3", []string{"exit", "2", "3"}, 2, 3, "gorun: rank 2 exited with code 3"},
		{"sigkill", []string{"kill", "1"}, 1, 137, "gorun: rank 1 killed by signal 9"},
		{"abort 7", []string{"abort", "3", "7"}, 3, 7, "gorun: rank 3 called Abort(7)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-n", "4", "-l", "--grace", "60s", "-x", helperEnv + "=" + tt.args[0], selfBin}, tt.args[1:]...)
			res := gorun(t, "", args...)
			if res.code != tt.wantCode || !strings.Contains(res.stderr, tt.wantMsg) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain %q", res.code, tt.wantCode, res.stderr, tt.wantMsg)
			}
			for r := range 4 {
				if r == tt.failed {
					continue
				}
				re := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] %s .*\brank %d\b`, r, regexp.QuoteMeta(blockedPrefix), tt.failed))
				if !re.MatchString(res.stderr) {
					t.Errorf("rank %d did not report an error naming rank %d; stderr:\n%s", r, tt.failed, res.stderr)
				}
			}
			t.Logf("job ended %v after start", res.took)
		})
	}
}

// TestTimeoutInComm: ranks blocked inside comm print their stacks too.
func TestTimeoutInComm(t *testing.T) {
	res := gorun(t, "", "-n", "3", "-l", "--timeout", "2s", "-x", helperEnv+"=block", selfBin)
	if res.code != 124 {
		t.Errorf("exit %d, want 124; stderr tail:\n%s", res.code, tail(res.stderr))
	}
	for r := range 3 {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] goroutine 1 (gp=\S+ m=\S+ )?\[`, r))
		if !re.MatchString(res.stderr) {
			t.Errorf("no goroutine stack from rank %d; stderr tail:\n%s", r, tail(res.stderr))
		}
	}
}

// TestAbortReport: gorun names an Abort once ("called Abort(7)"), not
// with the rank's own words after it again.
func TestAbortReport(t *testing.T) {
	res := gorun(t, "", "-n", "2", "--grace", "60s", "-x", helperEnv+"=abort", selfBin, "1", "7")
	if want := "gorun: rank 1 called Abort(7)\n"; res.code != 7 || !strings.HasSuffix(res.stderr, want) {
		t.Errorf("exit %d, want 7; stderr:\n%s\nwant it to end with %q", res.code, res.stderr, want)
	}
}

// TestPanicReport: a rank that panics (with comm's Close deferred, as
// every program should) is said to have panicked, to its peers and in
// gorun's report, with the panic's first line; not to have closed its
// communicator.
func TestPanicReport(t *testing.T) {
	res := gorun(t, "", "-n", "3", "-l", "--grace", "60s", "-x", helperEnv+"=panic", selfBin, "1")
	if want := "gorun: rank 1 panicked: boom from rank 1"; res.code != 2 || !strings.Contains(res.stderr, want) {
		t.Errorf("exit %d, want 2; stderr:\n%s\nwant it to contain %q", res.code, res.stderr, want)
	}
	for _, r := range []int{0, 2} {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] %s .*\brank 1 failed \(panicked`, r, regexp.QuoteMeta(blockedPrefix)))
		if !re.MatchString(res.stderr) {
			t.Errorf("rank %d's error does not say that rank 1 panicked; stderr:\n%s", r, res.stderr)
		}
	}
	if strings.Contains(res.stderr, "closed its communicator") {
		t.Errorf("a panicked rank is described as one that closed its communicator:\n%s", res.stderr)
	}
}

// TestExitWithoutCloseFails: a rank that exits 0 without closing its
// communicator while the others still need it fails the job, naming it,
// even when the others (told it failed) then end cleanly: mpiexec treats
// an exit without MPI_Finalize the same way.
func TestExitWithoutCloseFails(t *testing.T) {
	res := gorun(t, "", "-n", "3", "-l", "--grace", "60s", "-x", helperEnv+"=quit", selfBin, "1")
	if want := "gorun: rank 1 exited 0 without closing its communicator"; res.code != 1 || !strings.Contains(res.stderr, want) {
		t.Errorf("exit %d, want 1; stderr:\n%s\nwant it to contain %q", res.code, res.stderr, want)
	}
}
