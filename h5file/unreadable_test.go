package h5file_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestVisitReportsUnreadable: an object h5file cannot read (here a
// dataset of VAX-ordered floats) reaches Visit's callback as an *Unreadable with
// the reason, in its place in the walk, instead of being left out; it
// takes no attributes.
func TestVisitReportsUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dtype.h5")
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
f['a'] = np.arange(3)
f['g/t'] = np.float64(2.5)
f['g/z'] = np.int32(1)
f.close()
b = open(%q, 'rb').read()
i = b.index(bytes([0x11, 0x20, 0x3f, 0, 8, 0, 0, 0]))  # the one float64 type: make it VAX-ordered
open(%q, 'wb').write(b[:i+1] + bytes([0x61]) + b[i+2:])
`, path, path, path))
	f, err := h5file.Open(path, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	var bad *h5file.Unreadable
	err = f.Visit(func(name string, o h5file.Object) error {
		names = append(names, name)
		if u, ok := o.(*h5file.Unreadable); ok {
			bad = u
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"a", "g", "g/t", "g/z"}) {
		t.Errorf("visited %q", names)
	}
	if bad == nil || bad.Name() != "/g/t" || !errors.Is(bad.Err, h5core.ErrUnsupported) {
		t.Fatalf("unreadable = %+v", bad)
	}
	if n := bad.Attrs().Names(); len(n) != 0 {
		t.Errorf("attributes %q", n)
	}
	if _, err := f.Get("g/t"); !errors.Is(err, h5core.ErrUnsupported) {
		t.Errorf("Get = %v", err)
	}
}
