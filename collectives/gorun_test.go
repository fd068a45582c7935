package collectives_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGorun runs the colltest program (every collective checked against a
// serial computation) as real processes through cmd/gorun, with 1 to 16
// ranks, and the mismatch mode, which must end with an error on every rank
// rather than a hang.
func TestGorun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	root := moduleRoot(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	gorun := filepath.Join(dir, "gorun")
	prog := filepath.Join(dir, "colltest")
	for _, b := range [][2]string{{gorun, "./cmd/gorun"}, {prog, "./collectives/internal/colltest/cmd/colltest"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	for _, tc := range []struct {
		n    int
		args []string
	}{
		{1, nil}, {2, nil}, {3, nil}, {4, nil}, {8, nil}, {16, []string{"-small"}},
		{2, []string{"-mismatch"}}, {5, []string{"-mismatch"}},
		{2, []string{"-nbmismatch"}}, {4, []string{"-nbmismatch"}},
	} {
		t.Run(fmt.Sprintf("n=%d%s", tc.n, strings.Join(tc.args, "")), func(t *testing.T) {
			args := append([]string{"-n", fmt.Sprint(tc.n), "--timeout", "300s", prog}, tc.args...)
			cmd := exec.CommandContext(ctx, gorun, args...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("gorun %s: %v\n%s", strings.Join(args, " "), err, out.String())
			}
			want := fmt.Sprintf("all collectives correct on %d ranks", tc.n)
			if len(tc.args) > 0 && tc.args[0] == "-mismatch" {
				want = " is in Barrier #" // the mismatch text, from the ranks involved
			}
			if len(tc.args) > 0 && tc.args[0] == "-nbmismatch" {
				want = " is in Iallreduce #"
			}
			if !strings.Contains(out.String(), want) {
				t.Fatalf("output lacks %q:\n%s", want, out.String())
			}
		})
	}
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}
