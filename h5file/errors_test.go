package h5file_test

import (
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

// TestErrorSentinels: errors about taken and missing names match both
// h5file's and h5core's sentinels (the contract from when they were the
// same value), read as h5file's, and are *OpErrors naming the operation
// and the path.
func TestErrorSentinels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.CreateGroup("a"); err != nil {
		t.Fatal(err)
	}
	_, exists := f.CreateGroup("a")
	_, missing := f.Group("nope")
	_, fileExists := h5file.Create(path, "x")
	_, attrMissing := f.Attrs().Get("nope")
	delMissing := f.Delete("gone")
	moveMissing := f.Move("gone", "b")
	linkTaken := f.SoftLink("a", "/x")
	cases := []struct {
		name    string
		err     error
		h5file  error
		h5core  error
		op, obj string
	}{
		{"CreateGroup of a taken name", exists, h5file.ErrExists, h5core.ErrExists, "create group", "/a"},
		{"Group of a missing path", missing, h5file.ErrNotFound, h5core.ErrNotFound, "get", "/nope"},
		{"Create x of an existing file", fileExists, h5file.ErrExists, h5core.ErrExists, "create", path},
		{"a missing attribute", attrMissing, h5file.ErrNotFound, h5core.ErrNotFound, "get attribute nope of", "/"},
		{"Delete of a missing path", delMissing, h5file.ErrNotFound, h5core.ErrNotFound, "delete", "/gone"},
		{"Move of a missing path", moveMissing, h5file.ErrNotFound, h5core.ErrNotFound, "move", "/gone"},
		{"SoftLink over a group", linkTaken, h5file.ErrExists, h5core.ErrExists, "create soft link", "/a"},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.h5file) || !errors.Is(c.err, c.h5core) {
			t.Errorf("%s: %v: errors.Is h5file's %v, h5core's %v; want both", c.name, c.err, errors.Is(c.err, c.h5file), errors.Is(c.err, c.h5core))
		}
		if strings.Contains(c.err.Error(), "h5core") {
			t.Errorf("%s: %q speaks of h5core", c.name, c.err)
		}
		var oe *h5file.OpError
		if !errors.As(c.err, &oe) || oe.Op != c.op || oe.Path != c.obj {
			t.Errorf("%s: %v: want an *OpError{Op: %q, Path: %q}", c.name, c.err, c.op, c.obj)
		}
		if n := strings.Count(c.err.Error(), "h5file: "+c.op+" "); n != 1 {
			t.Errorf("%s: %q: the operation is named %d times, want once", c.name, c.err, n)
		}
	}
	if !h5file.IsNotFound(missing) {
		t.Errorf("IsNotFound(%v) = false", missing)
	}
}

// An *OpError says which call failed on which path; errors.Is sees its
// cause.
func ExampleOpError() {
	f, err := h5file.Create(tempPath("operror.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[float64](f, "temp", []uint64{4})
	if err != nil {
		log.Fatal(err)
	}
	err = d.Write([]float64{1, 2, 3}) // one element short
	var oe *h5file.OpError
	if errors.As(err, &oe) {
		fmt.Println(oe.Op, oe.Path, errors.Is(err, h5file.ErrShape))
	}
	// Output: write /temp true
}
