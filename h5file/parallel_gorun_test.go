package h5file_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/internal/interop"
)

// ptestListing is what `ptest -list` prints (h5file/internal/ptest).
type ptestListing struct {
	Prelude   string `json:"prelude"`
	Scenarios []struct {
		Name     string `json:"name"`
		Verify   string `json:"verify"`
		WantErr  string `json:"want_err"`
		MinRanks int    `json:"min_ranks"`
		Skip     string `json:"skip"`
		Leavers  []int  `json:"leavers"`
	} `json:"scenarios"`
}

// TestGorunScenarios runs every scenario of h5file/internal/ptest as real
// processes through cmd/gorun with 1, 2, 3, 4, 8 and 16 ranks: the
// scenarios that must succeed in one job per rank count, each file then
// opened by h5dump and netCDF's ncdump (exit 0) and checked value by value by h5py (one Python
// process per rank count); each mismatch scenario in a job of its own,
// which must fail on every rank with its error text and leave a file that
// h5dump opens and h5py finds as of the last flush.
func TestGorunScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bin := t.TempDir()
	gorun, ptest := filepath.Join(bin, "gorun"), filepath.Join(bin, "ptest")
	for _, b := range [][2]string{{gorun, "./cmd/gorun"}, {ptest, "./h5file/internal/ptest"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	out, err := exec.CommandContext(ctx, ptest, "-list").Output()
	if err != nil {
		t.Fatalf("ptest -list: %v", err)
	}
	var list ptestListing
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("ptest -list: %v\n%s", err, out)
	}
	var good []string
	verify := map[string]string{}
	var runnable = list.Scenarios[:0]
	for _, s := range list.Scenarios {
		if s.Skip != "" {
			t.Logf("scenario %s skipped: %s", s.Name, s.Skip)
			continue
		}
		runnable = append(runnable, s)
	}
	list.Scenarios = runnable
	for _, s := range list.Scenarios {
		verify[s.Name] = s.Verify
		if s.WantErr == "" {
			good = append(good, s.Name)
		}
	}
	gorunJob := func(n int, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, gorun, append([]string{"-n", fmt.Sprint(n), "--timeout", "240s", ptest}, args...)...)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		return buf.String(), err
	}
	for _, n := range []int{1, 2, 3, 4, 8, 16} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			if len(good) > 0 {
				if out, err := gorunJob(n, strings.Join(good, ","), dir); err != nil {
					t.Fatalf("gorun -n %d ptest %s: %v\n%s", n, strings.Join(good, ","), err, out)
				}
				for _, name := range good {
					files[name] = filepath.Join(dir, name+".h5")
				}
			}
			for _, s := range list.Scenarios {
				if s.WantErr == "" || n < max(s.MinRanks, 1) {
					continue
				}
				path := filepath.Join(dir, s.Name+".h5")
				out, err := gorunJob(n, s.Name, path)
				if err == nil {
					t.Errorf("%s with %d ranks succeeded; want every rank to fail with %q\n%s", s.Name, n, s.WantErr, out)
					continue
				}
				if bad := rankErrors(out, s.Name, s.WantErr, n, s.Leavers); len(bad) > 0 {
					t.Errorf("%s with %d ranks: %s\n%s", s.Name, n, strings.Join(bad, "; "), out)
				}
				files[s.Name] = path
			}
			script := list.Prelude + "\nimport sys, traceback\nn = " + fmt.Sprint(n) + "\n"
			for name, path := range files {
				if out, code := interop.H5Dump(t, "-H", path); code != 0 {
					t.Errorf("%s: h5dump -H exit %d\n%s", name, code, out)
				}
				if out, code := interop.NCDump(t, "-h", path); code != 0 {
					t.Errorf("%s: ncdump -h exit %d (netCDF-4 readers must open it)\n%s", name, code, out)
				}
				script += fmt.Sprintf("def check_%s(f):\n%s\n", name, indent(verify[name]))
				script += fmt.Sprintf(`try:
    with h5py.File(%q, 'r') as f:
        check_%s(f)
    print(%q, 'ok')
except Exception:
    print(%q, 'FAIL', traceback.format_exc().replace('\n', ' | '))
`, path, name, name, name)
			}
			res := interop.H5Py(t, script)
			for name := range files {
				if !strings.Contains(res, name+" ok\n") {
					t.Errorf("h5py check of %s with %d ranks:\n%s", name, n, res)
				}
			}
		})
	}
}

// rankErrors checks ptest's error lines ("ptest: rank K: <scenario>: <error>"):
// every rank but the leavers reports an error containing want, and the
// leavers report none. It returns what is wrong.
func rankErrors(out, scenario, want string, n int, leavers []int) []string {
	var bad []string
	for rk := range n {
		prefix := fmt.Sprintf("ptest: rank %d: %s: ", rk, scenario)
		var msg string
		found := false
		for _, line := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				msg, found = rest, true
				break
			}
		}
		switch {
		case slices.Contains(leavers, rk) && found:
			bad = append(bad, fmt.Sprintf("rank %d left early but reported %q", rk, msg))
		case !slices.Contains(leavers, rk) && !found:
			bad = append(bad, fmt.Sprintf("rank %d reported no error", rk))
		case !slices.Contains(leavers, rk) && !strings.Contains(msg, want):
			bad = append(bad, fmt.Sprintf("rank %d's error lacks %q: %s", rk, want, msg))
		}
	}
	return bad
}

func indent(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "    pass"
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// TestGorunForgotComm runs a 4-rank program through gorun whose ranks
// each create the same file without WithComm (ptest's forgot_comm): one
// rank creates it, the others get an error telling them to pass
// h5file.WithComm(c), and the file holds one rank's values, not a mix.
func TestGorunForgotComm(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := t.TempDir()
	gorun, ptest := filepath.Join(bin, "gorun"), filepath.Join(bin, "ptest")
	for _, b := range [][2]string{{gorun, "./cmd/gorun"}, {ptest, "./h5file/internal/ptest"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	for trial := range 3 {
		path := filepath.Join(t.TempDir(), "forgot.h5")
		out, err := exec.CommandContext(ctx, gorun, "-n", "4", "--timeout", "120s", ptest, "forgot_comm", path).CombinedOutput()
		if err != nil {
			t.Fatalf("trial %d: gorun -n 4 ptest forgot_comm: %v\n%s", trial, err, out)
		}
		res := interop.H5Py(t, fmt.Sprintf(`x = h5py.File(%q, 'r')['x'][()]
w = int(x[0]) // 1000000
print(x.shape == (100000,) and bool((x == w * 1000000 + np.arange(100000)).all()))`, path))
		if res != "True\n" {
			t.Fatalf("trial %d: the file holds values of more than one rank: %q", trial, res)
		}
	}
}
