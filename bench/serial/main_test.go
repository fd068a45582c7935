package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestCases runs every benchmark case once at a tiny size, so the command
// keeps working (the h5py side only where /usr/bin/python3 has h5py).
func TestCases(t *testing.T) {
	script, err := scriptPath()
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{dir: t.TempDir(), n: 1 << 12, chunk: 1 << 9, nmeta: 20, py: "/usr/bin/python3", script: script}
	b.x = make([]float64, b.n)
	for i := range b.x {
		b.x[i] = float64(i%1000) * 0.5
	}
	for name, fn := range map[string]func() error{
		"write": func() error { _, err := b.goWrite(); return err },
		"gzip":  func() error { _, err := b.goGzipWrite(); return err },
		"meta":  func() error { _, err := b.goMeta(); return err },
		"raw":   func() error { _, err := b.rawWrite(); return err },
	} {
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for name, fn := range map[string]func() error{
		"read":     func() error { _, err := b.goRead(); return err },
		"gzipread": func() error { _, err := b.goGzipRead(); return err },
		"rawread":  func() error { _, err := b.rawRead(); return err },
	} {
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if exec.Command(b.py, "-c", "import h5py").Run() != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("/usr/bin/python3 with h5py is needed")
		}
		t.Skip("no h5py")
	}
	for _, op := range []string{"write", "read", "gzip_write", "gzip_read"} {
		file := "py_contig.h5"
		if op[0] == 'g' {
			file = "py_gzip.h5"
		}
		if _, err := b.python(op, file, b.n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.pyMeta(); err != nil {
		t.Fatal(err)
	}
}
