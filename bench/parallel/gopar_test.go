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
		{"write", ""}, {"write", "-coll"}, {"raw", ""}, {"meta", ""}, {"meta", "-batch"}, {"vpic", ""}, {"gzip", ""},
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
			var res Result
			line := strings.TrimSpace(string(out))
			if err := json.Unmarshal([]byte(line), &res); err != nil || res.Case != kase || res.Ranks != 2 || res.Seconds <= 0 || res.Err != "" {
				t.Fatalf("result %q: %+v %v", line, res, err)
			}
			if kase == "vpic" {
				// h5bench's figures: one time per step, the parts within
				// the whole, 2 ranks x 1000 particles x 8 arrays x 4 bytes
				// x 2 steps.
				v := res.VPIC
				if v == nil || len(v.StepSeconds) != 2 || v.TotalBytes != 2*1000*8*4*2 {
					t.Fatalf("VPIC figures %q", line)
				}
				// Each figure is the slowest rank's, so no figure exceeds
				// the whole, and the raw writes lie within the steps.
				steps := 0.0
				for _, s := range v.StepSeconds {
					if s <= 0 || s > res.Seconds {
						t.Errorf("step time %v of %v s: %q", s, res.Seconds, line)
					}
					steps += s
				}
				for _, x := range []float64{v.RawSeconds, v.MetaSeconds, v.CreateSeconds, v.CloseSeconds} {
					if x <= 0 || x > res.Seconds {
						t.Errorf("a VPIC figure %v out of (0, %v]: %q", x, res.Seconds, line)
					}
				}
				if v.RawSeconds > steps || v.MetaSeconds > steps {
					t.Errorf("raw %v or metadata %v time over the steps' %v: %q", v.RawSeconds, v.MetaSeconds, steps, line)
				}
			}
		})
	}
}
