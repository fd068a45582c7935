package h5file_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestCreateExternalLink: links we make are followed by h5py to the right
// data and by us on read, in both families (a classic group is converted
// to link messages, as libhdf5 does), in the root and in a new subgroup.
func TestCreateExternalLink(t *testing.T) {
	for _, lv := range []h5file.Libver{h5file.LibverEarliest, h5file.LibverLatest} {
		t.Run(fmt.Sprint(int(lv)), func(t *testing.T) {
			dir := t.TempDir()
			b, err := h5file.Create(filepath.Join(dir, "b.h5"), "w")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.CreateDatasetFrom("g/d", []int32{4, 5, 6}); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			a, err := h5file.Create(filepath.Join(dir, "a.h5"), "w", h5file.WithLibver(lv))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.CreateDatasetFrom("local", []float64{1.5}); err != nil {
				t.Fatal(err)
			}
			if err := a.CreateExternalLink("ext", "b.h5", "/g/d"); err != nil {
				t.Fatal(err)
			}
			if err := a.CreateExternalLink("sub/grp", "b.h5", "/g"); err != nil {
				t.Fatal(err)
			}
			if err := a.CreateExternalLink("ext", "b.h5", "/g"); !errors.Is(err, h5file.ErrExists) {
				t.Errorf("second link at ext: %v, want ErrExists", err)
			}
			if err := a.CreateExternalLink("bad", "", "/g"); err == nil {
				t.Error("link without a file name accepted")
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			out := interop.H5Py(t, `
f = h5py.File('`+filepath.Join(dir, "a.h5")+`', 'r')
l = f.get('ext', getlink=True)
print(type(l).__name__, l.filename, l.path)
print(list(f['ext'][()]), list(f['sub/grp/d'][()]), list(f['local'][()]))
`)
			want := "ExternalLink b.h5 /g/d\n[4, 5, 6] [4, 5, 6] [1.5]\n"
			if out != want {
				t.Errorf("h5py read:\n%s\nwant:\n%s", out, want)
			}
			r, err := h5file.Open(filepath.Join(dir, "a.h5"), "r")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			d, err := r.Dataset("sub/grp/d")
			if err != nil {
				t.Fatal(err)
			}
			got, err := h5file.ReadAll[int32](d)
			if err != nil || !reflect.DeepEqual(got, []int32{4, 5, 6}) {
				t.Errorf("read through our link: %v, %v", got, err)
			}
			var links []string
			r.VisitLinks(func(name string, l h5file.Link) error {
				links = append(links, name+":"+l.Kind.String()+":"+l.File+":"+l.Path)
				return nil
			})
			if s := strings.Join(links, " "); s != "ext:external:b.h5:/g/d local:hard:: sub:hard:: sub/grp:external:b.h5:/g" {
				t.Errorf("links: %s", s)
			}
		})
	}
}
