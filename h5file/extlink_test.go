package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// h5pyExternal makes, with h5py, a file whose links lead into other files:
// a group link, a link to a dataset, a chain of two files, a soft link
// onto an external link, a link found through HDF5_EXT_PREFIX, a dangling
// one and a cycle.
const h5pyExternal = `
import os
os.makedirs(os.path.join(d, 'sub'))
with h5py.File(os.path.join(d, 'b.h5'), 'w', libver=libver) as b:
    b['g/d'] = np.arange(5, dtype='<i4')
    b['g'].attrs['from'] = 'b'
    b['next'] = h5py.ExternalLink('c.h5', '/deep')
with h5py.File(os.path.join(d, 'c.h5'), 'w', libver=libver) as c:
    c['deep/v'] = np.array([1.5, -2.5])
with h5py.File(os.path.join(d, 'sub', 'p.h5'), 'w', libver=libver) as p:
    p['x'] = np.int16(7)
with h5py.File(os.path.join(d, 'a.h5'), 'w', libver=libver) as a:
    a['local'] = np.arange(3, dtype='<i4')
    a['grp'] = h5py.ExternalLink('b.h5', '/g')
    a['dset'] = h5py.ExternalLink(os.path.join(d, 'b.h5'), '/g/d')
    a['chain'] = h5py.ExternalLink('b.h5', '/next')
    a['soft'] = h5py.SoftLink('/grp')
    a['prefixed'] = h5py.ExternalLink('p.h5', '/x')
    a['missing'] = h5py.ExternalLink('nofile.h5', '/x')
    a['loop'] = h5py.ExternalLink('a.h5', '/loop')
`

// TestExternalLinks follows h5py's external links: values through them are
// what h5py reads through them, and a dangling link or a cycle of files is
// a clear error, not a failed open or a hang.
func TestExternalLinks(t *testing.T) {
	for _, libver := range []string{"earliest", "latest"} {
		t.Run(libver, func(t *testing.T) {
			d := t.TempDir()
			interop.H5Py(t, fmt.Sprintf("d, libver = %q, %q\n", d, libver)+h5pyExternal)
			t.Setenv("HDF5_EXT_PREFIX", "$ORIGIN/sub")
			// What h5py reads through the same links (it resolves them as
			// libhdf5 does, with the same HDF5_EXT_PREFIX).
			want := interop.H5Py(t, fmt.Sprintf(`import os
os.environ['HDF5_EXT_PREFIX'] = os.path.join(%q, 'sub')
a = h5py.File(os.path.join(%q, 'a.h5'), 'r')
print(list(a['grp/d'][:]), list(a['dset'][:]), list(a['chain/v'][:]), list(a['soft/d'][:]), int(a['prefixed'][()]), sorted(a['grp'].keys()))
`, d, d))
			f, err := h5file.Open(filepath.Join(d, "a.h5"), "r")
			must(t, err)
			defer f.Close()
			read := func(p string, dst any) {
				t.Helper()
				ds, err := f.Dataset(p)
				if err != nil {
					t.Fatalf("Dataset(%q): %v", p, err)
				}
				if err := ds.Read(dst); err != nil {
					t.Fatalf("%s: Read: %v", p, err)
				}
			}
			var gd, dset []int32
			var v []float64
			var sd []int32
			var x int16
			read("grp/d", &gd)
			read("dset", &dset)
			read("chain/v", &v)
			read("soft/d", &sd)
			read("prefixed", &x)
			grp, err := f.Group("grp")
			must(t, err)
			keys, err := grp.Keys()
			must(t, err)
			got := fmt.Sprintf("[%s] [%s] [%s] [%s] %d ['%s']\n", ints(gd), ints(dset), floats(v), ints(sd), x, strings.Join(keys, "', '"))
			if got != want {
				t.Errorf("through the links we read\n%s h5py reads\n%s", got, want)
			}
			// The objects are the target file's, named by their path there.
			if grp.Name() != "/g" {
				t.Errorf("group name %q, want /g (its path in b.h5)", grp.Name())
			}
			var from string
			must(t, grp.Attrs().Read("from", &from))
			if from != "b" {
				t.Errorf("attribute through the link: %q", from)
			}
			if file, path, ok := f.Root().ExternalLink("grp"); !ok || file != "b.h5" || path != "/g" {
				t.Errorf("ExternalLink(grp) = %q, %q, %v", file, path, ok)
			}
			if _, _, ok := f.Root().ExternalLink("local"); ok {
				t.Error("a dataset reported as an external link")
			}
			if !f.Contains("grp/d") || f.Contains("missing") || f.Contains("grp/nothing") {
				t.Errorf("Contains: grp/d %v, missing %v, grp/nothing %v", f.Contains("grp/d"), f.Contains("missing"), f.Contains("grp/nothing"))
			}
			_, err = f.Get("missing")
			if !h5file.IsNotFound(err) || !strings.Contains(err.Error(), "nofile.h5") {
				t.Errorf("dangling link: %v, want a not-found error naming nofile.h5", err)
			}
			_, err = f.Get("loop")
			if !h5file.IsNotFound(err) || !strings.Contains(err.Error(), "external links in a row") {
				t.Errorf("cycle: %v, want a not-found error about the chain of links", err)
			}
			// The file holding the links can be changed: its root is
			// rewritten with the external links among its link messages,
			// and they still lead where they did. (f, which holds it,
			// is closed first: a second File of a file open here is
			// ErrLocked.)
			f.Close()
			w, err := h5file.Open(filepath.Join(d, "a.h5"), "r+")
			must(t, err)
			_, err = h5file.CreateDatasetOf[int32](w, "added", []uint64{2})
			must(t, err)
			must(t, w.Close())
			again := interop.H5Py(t, fmt.Sprintf(`import os
os.environ['HDF5_EXT_PREFIX'] = os.path.join(%q, 'sub')
a = h5py.File(os.path.join(%q, 'a.h5'), 'r')
print(list(a['grp/d'][:]), list(a['dset'][:]), list(a['chain/v'][:]), list(a['soft/d'][:]), int(a['prefixed'][()]), sorted(a['grp'].keys()))
`, d, d))
			if again != want {
				t.Errorf("h5py through the links after a rewrite: %s, want %s", again, want)
			}
		})
	}
}

// TestExternalLinkCorpus follows the external link of the libhdf5-made
// corpus (testdata/gen/libhdf5.py) into the file beside it: the values are
// those of the target dataset read directly.
func TestExternalLinkCorpus(t *testing.T) {
	for _, fam := range []string{"earliest", "latest"} {
		f, err := h5file.Open(filepath.Join("..", "testdata", "libhdf5", "extlink", fam+"_extlink.h5"), "r")
		must(t, err)
		direct, err := h5file.Open(filepath.Join("..", "testdata", "libhdf5", fam+".h5"), "r")
		must(t, err)
		var got, want []int32
		for _, x := range []struct {
			f   *h5file.File
			p   string
			dst *[]int32
		}{{f, "ext", &got}, {direct, "/data/contig", &want}} {
			d, err := x.f.Dataset(x.p)
			must(t, err)
			*x.dst, err = h5file.ReadAll[int32](d)
			must(t, err)
		}
		if !reflect.DeepEqual(got, want) || len(got) != 24 {
			t.Errorf("%s: through the link %v, directly %v", fam, got, want)
		}
		must(t, f.Close())
		must(t, direct.Close())
	}
}

func ints(v []int32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func floats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// TestExternalLinkParallel follows the corpus's external link from a file
// opened by 3 ranks together: each rank opens the linked file read-only on
// its own and reads the same values.
func TestExternalLinkParallel(t *testing.T) {
	path := filepath.Join("..", "testdata", "libhdf5", "extlink", "earliest_extlink.h5")
	got := make([][]int32, 3)
	errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := f.Dataset("ext")
		if err != nil {
			f.Close()
			return err
		}
		got[c.Rank()], err = h5file.ReadSlice[int32](d, h5file.S(h5file.Index(int64(c.Rank())), h5file.Range(0, 6)))
		if err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	noErrors(t, errs)
	for r, v := range got {
		want := []int32{int32(6 * r), int32(6*r + 1), int32(6*r + 2), int32(6*r + 3), int32(6*r + 4), int32(6*r + 5)}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("rank %d read %v, want %v", r, v, want)
		}
	}
}
