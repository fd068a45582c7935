package interop

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PluginDir is where Debian's libhdf5 filter plugins live
// (hdf5-filter-plugin, hdf5-plugin-lzf, hdf5-filter-plugin-blosc-serial).
const PluginDir = "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins"

// plugins are the plugin libraries H5PyPlugins needs, with their packages.
var plugins = map[string]string{
	"liblzf_filter.so":   "hdf5-plugin-lzf",
	"libh5lz4.so":        "hdf5-filter-plugin",
	"libh5bz2.so":        "hdf5-filter-plugin",
	"libblosc_filter.so": "hdf5-filter-plugin-blosc-serial",
}

// H5PyPlugins runs script as H5Py does, with libhdf5's plugin path set to
// PluginDir and hdf5plugin imported, so that h5py reads and writes LZF,
// LZ4, bzip2 and Blosc chunks with the reference implementations.
func H5PyPlugins(t testing.TB, script string) string {
	t.Helper()
	for lib, pkg := range plugins {
		if _, err := os.Stat(filepath.Join(PluginDir, lib)); err != nil {
			need(t, "libhdf5 plugin "+lib+" (Debian: "+pkg+")", err)
		}
	}
	if err := exec.Command(Python, "-c", "import h5py, hdf5plugin").Run(); err != nil {
		need(t, "h5py and hdf5plugin for "+Python+" (Debian: python3-hdf5plugin)", err)
	}
	cmd := exec.Command(Python, "-c", "import h5py, hdf5plugin, numpy as np\n"+script)
	cmd.Env = append(os.Environ(), "HDF5_PLUGIN_PATH="+PluginDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("h5py script failed: %v\n%s\nscript:\n%s", err, stderr.String(), script)
	}
	return string(out)
}

// Zstd runs the zstd command with args, stdin as its input, and returns
// its output; a failure fails the test.
func Zstd(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool(t, "zstd"), args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zstd %v: %v\n%s", args, err, stderr.String())
	}
	return out
}
