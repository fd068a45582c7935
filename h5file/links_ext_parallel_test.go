package h5file_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestCreateExternalLinkParallel: 3 ranks make the same external link in
// one file, which h5py then follows; ranks that name different targets
// are told so instead of writing a file each rank sees differently.
func TestCreateExternalLinkParallel(t *testing.T) {
	dir := t.TempDir()
	b, err := h5file.Create(filepath.Join(dir, "b.h5"), "w")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateDatasetFrom("d", []int32{7, 8}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	mk := func(name string, target func(rank int) string) []error {
		return h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
			f, err := h5file.Create(filepath.Join(dir, name), "w", h5file.WithComm(c), h5file.WithContext(ctx))
			if err != nil {
				return err
			}
			if err := f.CreateExternalLink("grp/ext", "b.h5", target(c.Rank())); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
	}
	for r, err := range mk("a.h5", func(int) string { return "/d" }) {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	out := interop.H5Py(t, `
f = h5py.File('`+filepath.Join(dir, "a.h5")+`', 'r')
print(f.get('grp/ext', getlink=True).path, f['grp/ext'][()].tolist())
`)
	if out != "/d [7, 8]\n" {
		t.Errorf("h5py read %q", out)
	}
	failed := 0
	for _, err := range mk("bad.h5", func(r int) string { return []string{"/d", "/d", "/other"}[r] }) {
		if err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Error("ranks naming different link targets all succeeded")
	}
}
