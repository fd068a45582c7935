package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCases runs every case once at a tiny size on both sides (h5py with
// the libhdf5 plugins where Debian has one), so the command keeps working,
// and draws the plot.
func TestCases(t *testing.T) {
	script, err := scriptPath()
	if err != nil {
		t.Fatal(err)
	}
	const n, chunk = 1 << 12, 1 << 9
	x := data(n)
	py := "/usr/bin/python3"
	havePy := exec.Command(py, "-c", "import h5py, hdf5plugin").Run() == nil
	if !havePy && os.Getenv("CI") != "" {
		t.Fatal("/usr/bin/python3 with h5py and hdf5plugin is needed")
	}
	var rs []result
	for _, c := range cases() {
		p := filepath.Join(t.TempDir(), c.name+".h5")
		w, err := goWrite(p, x, chunk, c.opts)
		if err != nil {
			t.Fatalf("%s: write: %v", c.name, err)
		}
		r, err := goRead(p, x)
		if err != nil {
			t.Fatalf("%s: read: %v", c.name, err)
		}
		res := result{name: c.name, goW: w, goR: r, goRatio: ratio(p, 4*n)}
		if c.h5py && havePy {
			pp := filepath.Join(t.TempDir(), "py.h5")
			if res.pyW, err = pyOp(py, script, "write", c.name, pp, n, chunk); err != nil {
				t.Fatalf("%s: h5py write: %v", c.name, err)
			}
			if res.pyR, err = pyOp(py, script, "read", c.name, pp, n, chunk); err != nil {
				t.Fatalf("%s: h5py read: %v", c.name, err)
			}
			res.pyRatio = ratio(pp, 4*n)
		}
		rs = append(rs, res)
	}
	svg := string(plot(rs, "16KiB"))
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "blosc_zstd_shuffle_5") {
		t.Fatalf("plot: %.200s", svg)
	}
}

// TestParseTable reads back the table main prints (for -replot).
func TestParseTable(t *testing.T) {
	rs := parseTable(`| codec | ratio (gorun / h5py) | write gorun | write h5py | write speed-up | read gorun | read h5py | read speed-up |
|---|---|---|---|---|---|---|---|
| lz4 | 1.00 / 1.10 | 28 ms | 117 ms | 4.16x | 27 ms | 1132 ms | 42.32x |
| zstd | 1.50 / - | 88 ms | - | - | 60 ms | - | - |
`)
	if len(rs) != 2 || rs[0].name != "lz4" || rs[0].pyRatio != 1.1 || rs[0].pyR.Milliseconds() != 1132 || rs[1].goRatio != 1.5 || rs[1].pyW != 0 {
		t.Fatalf("%+v", rs)
	}
}
