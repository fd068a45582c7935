package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// need returns the path of an interop tool; it is a failure under CI (which
// installs them) and a skip on a workstation without them.
func need(t *testing.T, name string, args ...string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil && len(args) > 0 {
		err = exec.Command(p, args...).Run()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed (Debian: hdf5-tools, python3-h5py, netcdf-bin): %v", name, err)
		}
		t.Skipf("%s not available: %v", name, err)
	}
	return p
}

func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// TestSeed runs the seed through the real launcher with 1..8 ranks, and in
// atomic mode with 4 and 8, and reads the file back with libhdf5's h5dump
// (exactly the seed's output with 4 ranks), with h5py, and with netCDF's
// ncdump (the file is a valid netCDF-4 file: dimensions are phony_dim_N as
// for any HDF5 file without dimension scales).
func TestSeed(t *testing.T) {
	h5dump := need(t, "h5dump", "--version")
	py := need(t, "/usr/bin/python3", "-c", "import h5py")
	ncdump := need(t, "ncdump")
	bin := t.TempDir()
	gorun := build(t, bin, "./cmd/gorun")
	prog := build(t, bin, "./examples/parallel_test")
	golden, err := os.ReadFile("../../testdata/seed/parallel_test.h5dump.txt")
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		n      int
		atomic bool
	}
	for _, tc := range []run{{1, false}, {2, false}, {3, false}, {4, false}, {8, false}, {4, true}, {8, true}} {
		n := tc.n
		t.Run(fmt.Sprintf("n=%d,atomic=%v", n, tc.atomic), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "parallel_test.hdf5")
			args := []string{"-n", fmt.Sprint(n), prog}
			if tc.atomic {
				args = append(args, "-atomic")
			}
			if out, err := exec.Command(gorun, append(args, path)...).CombinedOutput(); err != nil {
				t.Fatalf("gorun: %v\n%s", err, out)
			}
			out, err := exec.Command(h5dump, path).CombinedOutput()
			if err != nil {
				t.Fatalf("h5dump: %v\n%s", err, out)
			}
			dump := strings.Replace(string(out), path, "/tmp/parallel_test.hdf5", 1)
			vals := make([]string, n)
			for i := range vals {
				vals[i] = fmt.Sprint(i)
			}
			if want := "(0): " + strings.Join(vals, ", ") + "\n"; !strings.Contains(dump, want) {
				t.Errorf("h5dump lacks %q:\n%s", want, dump)
			}
			if n == 4 && dump != string(golden) {
				t.Errorf("h5dump differs from the seed's:\n%s\nwant:\n%s", dump, golden)
			}
			nc, err := exec.Command(ncdump, path).CombinedOutput()
			if err != nil {
				t.Fatalf("ncdump: %v\n%s", err, nc)
			}
			if want := fmt.Sprintf("phony_dim_0 = %d ;", n); !strings.Contains(string(nc), want) {
				t.Errorf("ncdump lacks %q:\n%s", want, nc)
			}
			if want := " test = " + strings.Join(vals, ", ") + " ;\n"; !strings.Contains(string(nc), want) {
				t.Errorf("ncdump lacks %q:\n%s", want, nc)
			}
			script := `import h5py, sys
f = h5py.File(sys.argv[1], "r")
d = f["test"]
print(d.dtype.str, d.shape, list(d[...]))`
			got, err := exec.Command(py, "-c", script, path).CombinedOutput()
			if err != nil {
				t.Fatalf("h5py: %v\n%s", err, got)
			}
			want := fmt.Sprintf("<i4 (%d,) [%s]\n", n, strings.Join(vals, ", "))
			if string(got) != want {
				t.Errorf("h5py read %q, want %q", got, want)
			}
		})
	}
}
