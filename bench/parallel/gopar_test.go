package parallel

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/internal/interop"
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
		{"write", ""}, {"write", "-coll"}, {"raw", ""}, {"meta", ""}, {"meta", "-batch"}, {"vpic", ""}, {"vpic", "-multi"}, {"gzip", ""}, {"tiles", ""}, {"tiles", "-coll"},
		{"tilesread", ""}, {"tilesread", "-coll"}, // gopar checks the values it read
	} {
		kase := tc.kase
		t.Run(kase+tc.extra, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"-n", "2", gopar, "-case", kase, "-bytes", "1048576",
				"-particles", "1000", "-steps", "2", "-flush", "-keep", "-dir", dir}
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
			checkWritten(t, dir, kase)
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

// checks are h5py scripts that prove a kept benchmark file holds what the
// case's 2 ranks wrote (TestGoparSmoke's sizes), so no figure comes from a
// case that skipped its work. "raw" writes no HDF5 file.
var checks = map[string]string{
	"write": `assert np.array_equal(f['x'][:], (np.arange(131072) % 1000) * 0.5)`,
	"gzip": `d = f['x']
assert d.compression == 'gzip' and d.chunks is not None
assert np.array_equal(d[:], (np.arange(131072) % 1000) * 0.5)`,
	"meta": `want = np.zeros(16, 'i4'); want[1] = 1
for g in range(10):
    for i in range(100):
        assert np.array_equal(f['g%d/d%d' % (g, i)][:], want), (g, i)`,
	// tiles: 2 ranks' blocks of the largest cube within 1 MiB (50^3 float64).
	"tiles": `x = f['x'][...]
assert x.shape == (50, 50, 50)
assert np.array_equal(x, (np.arange(50 ** 3).reshape(50, 50, 50) % 1000) * 0.5)`,
	"tilesread": `x = f['x'][...]
assert np.array_equal(x, (np.arange(50 ** 3).reshape(50, 50, 50) % 1000) * 0.5)`,
	"vpic": `fl = np.tile(np.arange(1000, dtype='f4') * np.float32(0.001), 2)
ids = np.tile(np.arange(1000, dtype='i4'), 2)
for s in range(2):
    g = f['Timestep_%d' % s]
    for v in ('x', 'y', 'z', 'px', 'py', 'pz'):
        assert g[v].dtype == np.float32 and np.array_equal(g[v][:], fl), (s, v)
    for v in ('id1', 'id2'):
        assert g[v].dtype == np.int32 and np.array_equal(g[v][:], ids), (s, v)`,
}

// checkWritten opens the file gopar kept in dir with h5py and runs the
// case's check.
func checkWritten(t *testing.T, dir, kase string) {
	t.Helper()
	check, ok := checks[kase]
	if !ok {
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "gopar-"+kase+"-*.h5"))
	if len(files) != 1 {
		t.Fatalf("want the one file gopar kept in %s, found %v", dir, files)
	}
	script := "f = h5py.File(" + pyString(files[0]) + ", 'r')\n" + check + "\nprint('ok')"
	if out := strings.TrimSpace(interop.H5Py(t, script)); out != "ok" {
		t.Fatalf("h5py check of %s printed %q", files[0], out)
	}
}

func pyString(s string) string { b, _ := json.Marshal(s); return string(b) }
