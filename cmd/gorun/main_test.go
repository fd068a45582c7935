package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Built once per test binary by TestMain.
var (
	gorunBin string // this command
	helloBin string // examples/hello
	selfBin  string // this test binary, the rank program of the failure tests (see helper_test.go)
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode, os.Args[1:]))
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	// gorun reads a batch allocation from these (flags_place.go): tests run
	// inside salloc or sbatch must still start their ranks here, as on a
	// workstation. The tests of allocations set them themselves.
	for _, v := range []string{"SLURM_JOB_NODELIST", "SLURM_NODELIST", "PBS_NODEFILE"} {
		os.Unsetenv(v)
	}
	dir, err := os.MkdirTemp("", "gorun-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gorunBin = filepath.Join(dir, "gorun")
	builds := []struct{ out, pkg string }{{gorunBin, "."}}
	if withComm {
		helloBin = filepath.Join(dir, "hello")
		builds = append(builds, struct{ out, pkg string }{helloBin, "../../examples/hello"})
	}
	for _, b := range builds {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n", b.pkg, err)
			return 1
		}
	}
	if selfBin, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// result is one finished gorun.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// failGuard bounds a gorun that should end by itself: it only fires when
// the code under test hangs.
const failGuard = 2 * time.Minute

// gorun runs the gorun binary with args and stdin, and returns its output
// and exit status.
func gorun(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, gorunBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = bytes.NewReader([]byte(stdin))
	start := time.Now()
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("gorun %q hung for %v\nstdout:\n%s\nstderr:\n%s", args, failGuard, res.stdout, res.stderr)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("gorun %q: %v", args, err)
	}
	return res
}
