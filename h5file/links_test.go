package h5file_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestRequireDataset: a matching dataset is returned (the same object), a
// missing one is created, and a different type, shape or a group at the
// path is an ErrExists error, as h5py's require_dataset refuses them.
func TestRequireDataset(t *testing.T) {
	for _, libver := range []h5file.Libver{h5file.LibverEarliest, h5file.LibverLatest} {
		t.Run(fmt.Sprint(libver), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "req.h5")
			f, err := h5file.Create(path, "w", h5file.WithLibver(libver))
			must(t, err)
			d, err := f.CreateDataset("g/d", h5file.Float64, []uint64{4, 3})
			must(t, err)
			must(t, d.Write([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
			g, err := f.Group("g")
			must(t, err)
			for _, tc := range []struct {
				name    string
				path    string
				dtype   *h5file.Datatype
				shape   []uint64
				wantErr error
				same    bool // returns the dataset at g/d
			}{
				{"match", "d", h5file.Float64, []uint64{4, 3}, nil, true},
				{"absolute", "/g/d", h5file.Float64, []uint64{4, 3}, nil, true},
				{"other shape", "d", h5file.Float64, []uint64{3, 4}, h5file.ErrExists, false},
				{"other rank", "d", h5file.Float64, []uint64{12}, h5file.ErrExists, false},
				{"other type", "d", h5file.Float32, []uint64{4, 3}, h5file.ErrExists, false},
				{"other endian", "d", h5file.Float64BE, []uint64{4, 3}, h5file.ErrExists, false},
				{"a group", "/g", h5file.Float64, []uint64{4, 3}, h5file.ErrExists, false},
				{"new", "e", h5file.Int32, []uint64{5}, nil, false},
				{"new nested", "h/s", h5file.Int16, nil, nil, false},
			} {
				got, err := g.RequireDataset(tc.path, tc.dtype, tc.shape)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) || got != nil {
						t.Errorf("%s: RequireDataset(%s, %v, %v) = %v, %v; want %v", tc.name, tc.path, tc.dtype, tc.shape, got, err, tc.wantErr)
					} else if !strings.Contains(err.Error(), "/g") {
						t.Errorf("%s: error %q does not name the path", tc.name, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if !got.Dtype().Equal(tc.dtype) || fmt.Sprint(got.Shape()) != fmt.Sprint(append([]uint64{}, tc.shape...)) {
					t.Errorf("%s: got %v %v", tc.name, got.Dtype(), got.Shape())
				}
				if tc.same {
					var v []float64
					must(t, got.Read(&v))
					if len(v) != 12 || v[11] != 11 {
						t.Errorf("%s: read %v, want the values written", tc.name, v)
					}
				}
			}
			// A second require of a created dataset returns it, not a new one.
			e, err := f.RequireDataset("g/e", h5file.Int32, []uint64{5})
			must(t, err)
			must(t, e.Write([]int32{1, 2, 3, 4, 5}))
			must(t, f.Close())
			out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['g/d'].shape, f['g/d'].dtype, list(f['g/e'][:]), f['g/e'].dtype, f['g/h/s'].shape, f['g/h/s'].dtype)
f.require_dataset('g/e', (5,), 'i4', exact=True)
`, path))
			if want := "(4, 3) float64 [1, 2, 3, 4, 5] int32 () int16\n"; out != want {
				t.Errorf("h5py read %q, want %q", out, want)
			}
		})
	}
}

// TestHardLink: a second name made by HardLink is, for h5py, the same
// object as the first (h5py compares objects by their identity in the
// file), for a dataset and a group; and it survives deleting
// the first name.
func TestHardLink(t *testing.T) {
	for _, libver := range []h5file.Libver{h5file.LibverEarliest, h5file.LibverLatest} {
		t.Run(fmt.Sprint(libver), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hard.h5")
			f, err := h5file.Create(path, "w", h5file.WithLibver(libver))
			must(t, err)
			d, err := f.CreateDatasetFrom("a", []int32{7, 8, 9})
			must(t, err)
			g, err := f.CreateGroup("g")
			must(t, err)
			must(t, f.HardLink("b", d))
			must(t, g.HardLink("sub/alias", d))
			must(t, f.HardLink("g2", g))
			_, err = f.CreateDatasetFrom("gone", []int32{1})
			must(t, err)
			gone, err := f.Dataset("gone")
			must(t, err)
			must(t, f.HardLink("kept", gone))
			must(t, f.Delete("gone"))
			// A group inside itself, an object of another file and a taken
			// name are refused.
			for _, o := range []h5file.Object{g, f} {
				if err := g.HardLink("loop", o); err == nil || !strings.Contains(err.Error(), "contain itself") {
					t.Errorf("HardLink of %s into /g: %v, want a refusal", o.Name(), err)
				}
			}
			if err := f.HardLink("a", g); !errors.Is(err, h5file.ErrExists) {
				t.Errorf("HardLink onto a taken name: %v, want ErrExists", err)
			}
			other, err := h5file.Create(filepath.Join(t.TempDir(), "other.h5"), "w")
			must(t, err)
			od, err := other.CreateDatasetFrom("x", []int32{1})
			must(t, err)
			if err := f.HardLink("x", od); !errors.Is(err, h5file.ErrType) {
				t.Errorf("HardLink to another file's dataset: %v, want ErrType", err)
			}
			must(t, other.Close())
			must(t, err)
			must(t, f.Close())
			out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['a'] == f['b'], f['a'] == f['g/sub/alias'], f['g'] == f['g2'], f['a'] == f['g'])
print(h5py.h5o.get_info(f['a'].id).rc, h5py.h5o.get_info(f['g'].id).rc, list(f['g2/sub/alias'][:]), list(f['kept'][:]), 'gone' in f)
`, path))
			if want := "True True True False\n3 2 [7, 8, 9] [1] False\n"; out != want {
				t.Errorf("h5py read %q, want %q", out, want)
			}
		})
	}
}

// h5pyVisitLinks prints every link below the root of the file at path as
// libhdf5's H5Lvisit reports it (h5py's low-level links.visit; h5py 3.11's
// visit_links is the same call): name, kind and target.
const h5pyVisitLinks = `
f = h5py.File(path, 'r')
kinds = {h5py.h5l.TYPE_HARD: 'hard', h5py.h5l.TYPE_SOFT: 'soft', h5py.h5l.TYPE_EXTERNAL: 'external'}
def cb(name, info):
    name = name.decode()
    l = f.get(name, getlink=True)
    if isinstance(l, h5py.SoftLink):
        print(name, 'soft', '', l.path)
    elif isinstance(l, h5py.ExternalLink):
        print(name, 'external', l.filename, l.path)
    else:
        print(name, kinds[info.type], '', '')
f.id.links.visit(cb, info=True)
`

// TestVisitLinks: VisitLinks reports the links libhdf5's H5Lvisit does, in
// its order and with their kinds and targets, for a file h5py made (soft,
// external, dangling and repeated hard links) and for one we made.
func TestVisitLinks(t *testing.T) {
	goLinks := func(t *testing.T, path string) string {
		f, err := h5file.Open(path, "r")
		must(t, err)
		defer f.Close()
		var b strings.Builder
		must(t, f.VisitLinks(func(name string, l h5file.Link) error {
			fmt.Fprintln(&b, name, l.Kind, l.File, l.Path)
			return nil
		}))
		return b.String()
	}
	for _, libver := range []string{"earliest", "latest"} {
		t.Run("h5py-"+libver, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "links.h5")
			interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'w', libver=%q)
f['g/d'] = np.arange(3)
f['g/sub/x'] = 1.5
f['g2'] = f['g']
f['g/again'] = f['g/d']
f['s'] = h5py.SoftLink('/g/d')
f['g/dangling'] = h5py.SoftLink('/nowhere')
f['e'] = h5py.ExternalLink('other.h5', '/x/y')
f.close()
`, path, libver))
			want := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+h5pyVisitLinks)
			if got := goLinks(t, path); got != want {
				t.Errorf("VisitLinks:\n%s\nh5py's H5Lvisit:\n%s", got, want)
			}
			if !strings.Contains(want, "g2 hard") || !strings.Contains(want, "e external other.h5 /x/y") {
				t.Fatalf("h5py's listing lacks links the file has:\n%s", want)
			}
		})
	}
	t.Run("ours", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ours.h5")
		f, err := h5file.Create(path, "w", h5file.WithLibver(h5file.LibverLatest))
		must(t, err)
		d, err := f.CreateDatasetFrom("g/d", []int32{1, 2})
		must(t, err)
		must(t, f.HardLink("z/same", d))
		must(t, f.SoftLink("g/soft", "../z"))
		must(t, f.Close())
		want := interop.H5Py(t, fmt.Sprintf("path = %q\n", path)+h5pyVisitLinks)
		if got := goLinks(t, path); got != want {
			t.Errorf("VisitLinks:\n%s\nh5py's H5Lvisit:\n%s", got, want)
		}
	})
	t.Run("stop", func(t *testing.T) {
		f, err := h5file.Create(filepath.Join(t.TempDir(), "stop.h5"), "w")
		must(t, err)
		defer f.Close()
		for _, p := range []string{"a", "b/c", "d"} {
			_, err := f.CreateGroup(p)
			must(t, err)
		}
		stop := errors.New("stop")
		var seen []string
		err = f.VisitLinks(func(name string, l h5file.Link) error {
			seen = append(seen, name)
			if name == "b/c" {
				return stop
			}
			return nil
		})
		if err != stop || strings.Join(seen, " ") != "a b b/c" {
			t.Errorf("VisitLinks stopped with %v after %v, want stop after [a b b/c]", err, seen)
		}
	})
}

// TestParallelLinks: 3 ranks require a dataset (created once, then found),
// hard-link it under two more names and list the links: every rank sees
// the same links, and h5py reads one object with three names. A rank that
// links a different name is caught as ErrMismatch on every rank.
func TestParallelLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plinks.h5")
	listings := make([]string, 3)
	noErrors(t, h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(path, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := f.RequireDataset("d", h5file.Int32, []uint64{3})
		if err != nil {
			return err
		}
		again, err := f.RequireDataset("d", h5file.Int32, []uint64{3})
		if err != nil {
			return err
		}
		if again.ObjectID() != d.ObjectID() {
			return fmt.Errorf("rank %d: second RequireDataset gave another object", c.Rank())
		}
		if err := f.HardLink("alias", d); err != nil {
			return err
		}
		if err := f.HardLink("g/back", again); err != nil {
			return err
		}
		var b strings.Builder
		if err := f.VisitLinks(func(name string, l h5file.Link) error {
			fmt.Fprintln(&b, name, l.Kind)
			return nil
		}); err != nil {
			return err
		}
		listings[c.Rank()] = b.String()
		return f.Close()
	}))
	want := "alias hard\nd hard\ng hard\ng/back hard\n"
	for r, l := range listings {
		if l != want {
			t.Errorf("rank %d lists %q, want %q", r, l, want)
		}
	}
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
print(f['d'] == f['alias'], f['d'] == f['g/back'], h5py.h5o.get_info(f['d'].id).rc, f['d'].shape, f['d'].dtype)
`, path))
	if want := "True True 3 (3,) int32\n"; out != want {
		t.Errorf("h5py read %q, want %q", out, want)
	}

	bad := filepath.Join(t.TempDir(), "bad.h5")
	errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Create(bad, "w", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := f.CreateDatasetFrom("d", []int32{1})
		if err != nil {
			return err
		}
		name := "alias"
		if c.Rank() == 1 {
			name = "other"
		}
		if err := f.HardLink(name, d); err != nil {
			return err
		}
		return f.Close()
	})
	for r, err := range errs {
		if !errors.Is(err, h5file.ErrMismatch) || !strings.Contains(err.Error(), "HardLink") {
			t.Errorf("rank %d: %v, want ErrMismatch naming HardLink", r, err)
		}
	}
}
