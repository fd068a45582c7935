package h5file_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestIterationOrder: Keys and Attrs().Names list members and attributes
// in the order h5py's keys() does: creation order where it is tracked
// (track_order=True), by name elsewhere; for files h5py wrote and for
// files we wrote with WithTrackOrder.
func TestIterationOrder(t *testing.T) {
	dir := t.TempDir()
	theirs := filepath.Join(dir, "theirs.h5")
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w')
for name, to in (('tracked', True), ('plain', False)):
    g = f.create_group(name, track_order=to)
    for n in ['zeta', 'alpha', 'mid'] + ['m%%02d' %% i for i in range(20, 0, -1)]:
        g.create_group(n); g.attrs[n] = 1
    print(name, ','.join(g.keys()), ','.join(g.attrs.keys()))
`, theirs))
	ours := filepath.Join(dir, "ours.h5")
	f, err := h5file.Create(ours, "w", h5file.WithTrackOrder())
	must(t, err)
	g, err := f.CreateGroup("tracked")
	must(t, err)
	for _, n := range append([]string{"zeta", "alpha", "mid"}, func() (s []string) {
		for i := 20; i > 0; i-- {
			s = append(s, fmt.Sprintf("m%02d", i))
		}
		return
	}()...) {
		_, err := g.CreateGroup(n)
		must(t, err)
		must(t, g.Attrs().Set(n, 1))
	}
	must(t, f.Close())
	check := func(path, group, want string) {
		t.Helper()
		f, err := h5file.Open(path, "r")
		must(t, err)
		defer f.Close()
		g, err := f.Group(group)
		must(t, err)
		keys, err := g.Keys()
		must(t, err)
		if got := group + " " + strings.Join(keys, ",") + " " + strings.Join(g.Attrs().Names(), ","); got != want {
			t.Errorf("%s: we list\n%s\nh5py lists\n%s", filepath.Base(path), got, want)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("h5py printed %q", out)
	}
	check(theirs, "tracked", lines[0])
	check(theirs, "plain", lines[1])
	check(ours, "tracked", lines[0])
	if !slices.Equal(strings.Fields(lines[0])[1:2], []string{"zeta,alpha,mid,m20,m19,m18,m17,m16,m15,m14,m13,m12,m11,m10,m09,m08,m07,m06,m05,m04,m03,m02,m01"}) {
		t.Errorf("h5py's creation order is %q", lines[0])
	}
}
