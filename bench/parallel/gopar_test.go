package parallel

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoparSmoke runs every case of the Go side at tiny sizes with 2 ranks
// through gorun, so CI notices when the benchmark breaks (the comparison
// with h5py needs Open MPI and runs by hand: cmd/compare).
func TestGoparSmoke(t *testing.T) {
	bin := t.TempDir()
	gorun, gopar := filepath.Join(bin, "gorun"), filepath.Join(bin, "gopar")
	for pkg, out := range map[string]string{"../../cmd/gorun": gorun, "./gopar": gopar} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	for _, tc := range []struct{ kase, extra string }{
		{"write", ""}, {"write", "-coll"}, {"raw", ""}, {"meta", ""}, {"vpic", ""}, {"gzip", ""},
	} {
		kase := tc.kase
		t.Run(kase+tc.extra, func(t *testing.T) {
			args := []string{"-n", "2", gopar, "-case", kase, "-bytes", "1048576",
				"-particles", "1000", "-steps", "2", "-flush", "-dir", t.TempDir()}
			if tc.extra != "" {
				args = append(args, tc.extra)
			}
			out, err := exec.Command(gorun, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var res struct {
				Case    string
				Ranks   int
				Seconds float64
				Err     string
			}
			line := strings.TrimSpace(string(out))
			if err := json.Unmarshal([]byte(line), &res); err != nil || res.Case != kase || res.Ranks != 2 || res.Seconds <= 0 || res.Err != "" {
				t.Fatalf("result %q: %+v %v", line, res, err)
			}
		})
	}
}
