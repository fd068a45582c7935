package interop

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Update regenerates golden files instead of comparing with them
// (go test ./h5file -update).
var Update = flag.Bool("update", false, "rewrite golden files in testdata/h5dump")

// Python is the interpreter with h5py. Plain python3 on PATH may lack h5py.
const Python = "/usr/bin/python3"

// need fails under CI (which installs the tools) and skips elsewhere.
func need(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is needed (Debian: hdf5-tools, python3-h5py, netcdf-bin, python3-netcdf4, python3-xarray, python3-h5netcdf): %v", what, err)
	}
	t.Skipf("%s not available: %v", what, err)
}

func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		need(t, name, err)
	}
	return p
}

// run returns combined output and the exit code (-1 if it did not start).
func run(t testing.TB, cmd *exec.Cmd) (string, int) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("%s: %v", cmd.Path, err)
	return "", -1
}

// H5Dump runs h5dump with args and returns its output and exit code.
func H5Dump(t testing.TB, args ...string) (string, int) {
	t.Helper()
	return run(t, exec.Command(tool(t, "h5dump"), args...))
}

// NCDump runs netCDF's ncdump with args (netCDF-4 reads HDF5 files) and
// returns its output and exit code.
func NCDump(t testing.TB, args ...string) (string, int) {
	t.Helper()
	return run(t, exec.Command(tool(t, "ncdump"), args...))
}

// H5Ls runs h5ls with args and returns its output and exit code.
func H5Ls(t testing.TB, args ...string) (string, int) {
	t.Helper()
	return run(t, exec.Command(tool(t, "h5ls"), args...))
}

// H5Py runs script with /usr/bin/python3 (h5py and numpy imported as h5py,
// np) and returns its stdout; a failing script fails the test.
func H5Py(t testing.TB, script string) string {
	t.Helper()
	if _, err := os.Stat(Python); err != nil {
		need(t, Python, err)
	}
	if err := exec.Command(Python, "-c", "import h5py").Run(); err != nil {
		need(t, "h5py for "+Python, err)
	}
	cmd := exec.Command(Python, "-c", "import h5py, numpy as np\n"+script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("h5py script failed: %v\n%s\nscript:\n%s", err, stderr.String(), script)
	}
	return string(out)
}

// NormalizeDump replaces the file name h5dump prints on its first line so
// outputs compare across temporary directories.
func NormalizeDump(out, path, name string) string {
	return strings.Replace(out, `HDF5 "`+path+`"`, `HDF5 "`+name+`"`, 1)
}

// Golden compares got with testdata/h5dump/<name>.txt under root (the
// repository's testdata directory), or rewrites it with -update.
func Golden(t testing.TB, root, name, got string) {
	t.Helper()
	p := filepath.Join(root, "h5dump", name+".txt")
	if *Update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update to create it)", p, err)
	}
	if string(want) != got {
		t.Errorf("h5dump output differs from %s (go test -update rewrites it if the change is right):\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

// DumpGolden runs h5dump on path (exit status 0 required), normalises the
// file name to name+".h5" and compares with the golden file.
func DumpGolden(t testing.TB, root, name, path string, args ...string) string {
	t.Helper()
	out, code := H5Dump(t, append(args, path)...)
	if code != 0 {
		t.Fatalf("h5dump %s: exit %d\n%s", path, code, out)
	}
	out = NormalizeDump(out, path, name+".h5")
	Golden(t, root, name, out)
	return out
}

// NetCDFPy runs script with /usr/bin/python3 after importing netCDF4,
// xarray, h5netcdf and numpy (as np) and returns its stdout; a failing
// script fails the test. Missing modules fail under CI (Debian:
// python3-netcdf4, python3-xarray, python3-h5netcdf) and skip elsewhere.
func NetCDFPy(t testing.TB, script string) string {
	t.Helper()
	if _, err := os.Stat(Python); err != nil {
		need(t, Python, err)
	}
	const imports = "import netCDF4, xarray, h5netcdf, numpy as np\n"
	if out, err := exec.Command(Python, "-c", imports).CombinedOutput(); err != nil {
		need(t, "netCDF4, xarray and h5netcdf for "+Python+" ("+strings.TrimSpace(string(out))+")", err)
	}
	cmd := exec.Command(Python, "-c", imports+script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python script failed: %v\n%s\nscript:\n%s", err, stderr.String(), script)
	}
	return string(out)
}

// NCGen runs netCDF's ncgen with args and fails the test if it fails.
func NCGen(t testing.TB, args ...string) {
	t.Helper()
	if out, code := run(t, exec.Command(tool(t, "ncgen"), args...)); code != 0 {
		t.Fatalf("ncgen %v: exit %d\n%s", args, code, out)
	}
}

// PyTables runs a Python script with PyTables (the tables module) and
// numpy imported, and returns its stdout.
func PyTables(t testing.TB, script string) string {
	t.Helper()
	if _, err := os.Stat(Python); err != nil {
		need(t, Python, err)
	}
	if out, err := exec.Command(Python, "-c", "import tables").CombinedOutput(); err != nil {
		need(t, "PyTables (python3-tables) for "+Python+" ("+strings.TrimSpace(string(out))+")", err)
	}
	cmd := exec.Command(Python, "-c", "import tables, numpy as np\n"+script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("PyTables script failed: %v\n%s\nscript:\n%s", err, stderr.String(), script)
	}
	return string(out)
}
