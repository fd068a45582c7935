package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// TestCases runs every case once at a tiny size on both sides, so the command
// keeps working, and checks gorun's files hold what the case says.
func TestCases(t *testing.T) {
	b := &bench{dir: t.TempDir(), py: "/usr/bin/python3", script: scriptPath()}
	if exec.Command(b.py, "-c", "import h5py").Run() != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("/usr/bin/python3 with h5py is needed")
		}
		t.Skip("no h5py")
	}
	for _, c := range cases(100) {
		if _, _, err := b.run(c, 1); err != nil {
			t.Fatal(err)
		}
	}
	check := func(op string, n int) {
		t.Helper()
		f, err := h5file.Open(b.dir+"/go_"+op+".h5", "r")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var got int
		switch op {
		case "datasets":
			got = f.Len()
		case "attrs":
			d, err := f.Dataset("x")
			if err != nil {
				t.Fatal(err)
			}
			got = d.Attrs().Len()
		case "links":
			g, err := f.Group("g")
			if err != nil {
				t.Fatal(err)
			}
			got = g.Len()
		}
		if got != n {
			t.Errorf("%s: %d items in gorun's file, want %d", op, got, n)
		}
	}
	// Each op's file holds its last (larger) count.
	last := map[string]int{}
	for _, c := range cases(100) {
		last[c.op] = c.n
	}
	for op, n := range last {
		check(op, n)
	}
}
