package multihost_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/netns"
)

// TestSplitShared: on a job over 3 hosts (2, 3 and 1 ranks), SplitShared
// gives every rank the ranks of its own host, as MPI_Comm_split_type with
// MPI_COMM_TYPE_SHARED does under Open MPI.
func TestSplitShared(t *testing.T) {
	skipUnlessPossible(t)
	bin := binaries(t)
	prog := filepath.Join(t.TempDir(), "nodeprog")
	if out, err := exec.Command("go", "build", "-o", prog, "./internal/nodeprog").CombinedOutput(); err != nil {
		t.Fatalf("go build nodeprog: %v\n%s", err, out)
	}
	c := netns.New(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := gorun(ctx, bin, c, "-H", "h1:2,h2:3,h3:1", prog).CombinedOutput()
	t.Logf("gorun -H h1:2,h2:3,h3:1 nodeprog: %v\n%s", err, out)
	if err != nil {
		t.Fatalf("gorun: %v", err)
	}
	for _, want := range []string{
		"rank 0 on h1: node rank 0 of 2", "rank 1 on h1: node rank 1 of 2",
		"rank 2 on h2: node rank 0 of 3", "rank 3 on h2: node rank 1 of 3", "rank 4 on h2: node rank 2 of 3",
		"rank 5 on h3: node rank 0 of 1",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
