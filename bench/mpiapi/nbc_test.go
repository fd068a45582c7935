package mpiapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestNBCQuick builds gorun and nbc and runs it on 3 ranks in -quick mode;
// every line rank 0 prints must be a complete JSON result.
func TestNBCQuick(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"../../cmd/gorun", "./nbc"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, filepath.Base(p)), p).CombinedOutput()
		if err != nil {
			t.Fatalf("build %s: %v\n%s", p, err, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(dir, "gorun"), "-n", "3", filepath.Join(dir, "nbc"), "-quick").Output()
	if err != nil {
		t.Fatalf("gorun -n 3 nbc -quick: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			Bench string   `json:"bench"`
			Size  *int     `json:"size"`
			Ranks int      `json:"ranks"`
			Usec  *float64 `json:"usec"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if r.Bench == "" || r.Size == nil || r.Usec == nil || *r.Usec <= 0 || r.Ranks != 3 {
			t.Errorf("incomplete result %q", sc.Text())
		}
		seen[r.Bench] = true
	}
	for _, b := range []string{"sendrecv", "iallreduce", "ibarrier", "allreduce+compute", "iallreduce||compute"} {
		if !seen[b] {
			t.Errorf("no %s result in output:\n%s", b, out)
		}
	}
}
