package h5file_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// libverBody writes groups, a contiguous and a chunked growing dataset and
// attributes from n ranks (n = 1: serial, no communicator), flushing in
// between, then reopens the file with "a" and appends a row: the file
// keeps its family.
func libverBody(path string, n int, opts ...h5file.Option) func(ctx context.Context, c *comm.Comm) error {
	return func(ctx context.Context, c *comm.Comm) error {
		rank := 0
		copts := slices.Clip(opts) // each rank's goroutine appends its own
		if c != nil {
			rank = c.Rank()
			copts = append(copts, h5file.WithComm(c), h5file.WithContext(ctx))
		}
		f, err := h5file.Create(path, "w", copts...)
		if err != nil {
			return err
		}
		if err := f.Attrs().Set("title", "latest"); err != nil {
			return err
		}
		g, err := f.RequireGroup("g/inner")
		if err != nil {
			return err
		}
		if err := g.Attrs().Set("n", int32(n)); err != nil {
			return err
		}
		v, err := h5file.CreateDatasetOf[int32](f, "g/v", []uint64{uint64(n)})
		if err != nil {
			return err
		}
		if err := v.WriteSel(h5file.S(h5file.Index(int64(rank))), []int32{int32(10 * rank)}); err != nil {
			return err
		}
		ext, err := h5file.CreateDatasetOf[float64](f, "ext", []uint64{0, uint64(n)}, h5file.MaxShape(h5file.Unlimited, uint64(n)), h5file.Chunks(1, 1))
		if err != nil {
			return err
		}
		for s := range 3 {
			if err := ext.Resize(uint64(s+1), uint64(n)); err != nil {
				return err
			}
			if err := ext.WriteSel(h5file.S(h5file.Index(int64(s)), h5file.Index(int64(rank))), []float64{float64(100*s + rank)}); err != nil {
				return err
			}
			if err := ext.Attrs().Set("steps", int64(s+1)); err != nil {
				return err
			}
			if err := f.Flush(); err != nil {
				return err
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
		var ropts []h5file.Option
		if c != nil {
			ropts = append(ropts, h5file.WithComm(c), h5file.WithContext(ctx))
		}
		f, err = h5file.Open(path, "a", ropts...)
		if err != nil {
			return err
		}
		ext, err = f.Dataset("ext")
		if err != nil {
			return err
		}
		if err := ext.Resize(4, uint64(n)); err != nil {
			return err
		}
		if err := ext.WriteSel(h5file.S(h5file.Index(3), h5file.Index(int64(rank))), []float64{float64(300 + rank)}); err != nil {
			return err
		}
		if err := ext.Attrs().Set("steps", int64(4)); err != nil {
			return err
		}
		if _, err := f.CreateGroup("added"); err != nil {
			return err
		}
		return f.Close()
	}
}

// libverCheck has h5py read the file of libverBody: the superblock
// version (0 classic, 3 latest) and every value.
func libverCheck(t *testing.T, path string, n int, super int) {
	t.Helper()
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
ext = f['ext']
want = np.array([[100*s + r for r in range(%d)] for s in range(4)], dtype='f8')
print(f.id.get_create_plist().get_version()[0], f.attrs['title'], f['g/inner'].attrs['n'], list(f['g/v'][()]),
      ext.shape, bool((ext[()] == want).all()), ext.attrs['steps'], sorted(f.keys()))`, path, n))
	vals := make([]string, n)
	for r := range vals {
		vals[r] = fmt.Sprint(10 * r)
	}
	want := fmt.Sprintf("%d latest %d [%s] (4, %d) True 4 ['added', 'ext', 'g']\n", super, n, strings.Join(vals, ", "), n)
	if out != want {
		t.Fatalf("h5py reads\n%s\nwant\n%s", out, want)
	}
	if dump, code := interop.H5Dump(t, path); code != 0 {
		t.Fatalf("h5dump exit %d:\n%s", code, dump)
	}
}

// TestLibverLatest writes the newer format family (WithLibver), serially
// and from 4 ranks, and reopens it with "a" to append: h5py sees
// superblock 3 and every value, h5dump reads it.
func TestLibverLatest(t *testing.T) {
	t.Run("serial", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "latest.h5")
		if err := libverBody(path, 1, h5file.WithLibver(h5file.LibverLatest))(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		libverCheck(t, path, 1, 3)
	})
	t.Run("4 ranks", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "latest.h5")
		noErrors(t, h5file.RunRanks(t, 4, libverBody(path, 4, h5file.WithLibver(h5file.LibverLatest))))
		libverCheck(t, path, 4, 3)
	})
	t.Run("default stays classic", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "classic.h5")
		noErrors(t, h5file.RunRanks(t, 2, libverBody(path, 2)))
		libverCheck(t, path, 2, 0)
	})
}

// TestAppendToH5pyLatest: a file h5py wrote with libver='latest' (dense
// group, dense attributes, an extensible-array chunk index, creation
// order tracking) is opened with "a" by 4 ranks, grown, given new
// attributes and objects; h5py then reads every old and new value and
// the file is still superblock 3.
func TestAppendToH5pyLatest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "py.h5")
	interop.H5Py(t, fmt.Sprintf(`with h5py.File(%q, 'w', libver='latest') as f:
    d = f.create_dataset('t', data=np.arange(8, dtype='<f8').reshape(2, 4), maxshape=(None, 4), chunks=(1, 4))
    for i in range(12):
        d.attrs['a%%02d' %% i] = i
    g = f.create_group('many', track_order=True)
    for i in range(20):
        g.create_group('m%%02d' %% (19 - i))
    f.attrs['title'] = 'from h5py'
`, path))
	const n = 4
	noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "a", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		d, err := f.Dataset("t")
		if err != nil {
			return err
		}
		if err := d.Resize(3, 4); err != nil {
			return err
		}
		if err := d.WriteSel(h5file.S(h5file.Index(2), h5file.Index(int64(c.Rank()))), []float64{float64(100 + c.Rank())}); err != nil {
			return err
		}
		if err := d.Attrs().Set("added", "by gorun"); err != nil {
			return err
		}
		if _, err := f.CreateGroup("many/zz"); err != nil {
			return err
		}
		return f.Close()
	}))
	out := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
d = f['t']
print(f.id.get_create_plist().get_version()[0], d.shape, d[()].ravel().tolist(), [int(d.attrs['a%%02d' %% i]) for i in range(12)], d.attrs['added'])
print(list(f['many'].keys()), f.attrs['title'])`, path))
	want := "3 (3, 4) [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 100.0, 101.0, 102.0, 103.0] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] by gorun\n"
	names := make([]string, 0, 21)
	for i := range 20 {
		names = append(names, fmt.Sprintf("'m%02d'", 19-i))
	}
	names = append(names, "'zz'")
	want += "[" + strings.Join(names, ", ") + "] from h5py\n"
	if out != want {
		t.Fatalf("h5py reads\n%s\nwant\n%s", out, want)
	}
	if dump, code := interop.H5Dump(t, path); code != 0 {
		t.Fatalf("h5dump exit %d:\n%s", code, dump)
	}
}

// TestCorpusChangedByRanks opens libhdf5-made files of both families
// (testdata/libhdf5, every structure of each family) with "a" from 4
// ranks, sets an attribute on every object (each header rewritten in
// place, dense attribute storage rewritten), grows an extensible-array
// (latest) or B-tree (earliest) indexed dataset with a row per rank, and
// adds a group: h5py then reads every old value (the generator's JSON)
// and every new one, and h5dump reads the file.
func TestCorpusChangedByRanks(t *testing.T) {
	const n = 4
	for _, fam := range []string{"earliest", "latest"} {
		t.Run(fam, func(t *testing.T) {
			src := filepath.Join("..", "testdata", "libhdf5", fam+".h5")
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), fam+".h5")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			var specs []string
			noErrors(t, h5file.RunRanks(t, n, func(ctx context.Context, c *comm.Comm) error {
				f, err := h5file.Open(path, "a", h5file.WithComm(c), h5file.WithContext(ctx))
				if err != nil {
					return err
				}
				i := 0
				var mine []string
				err = f.Visit(func(name string, o h5file.Object) error {
					i++
					if name != "data/be" { // deleted below
						mine = append(mine, fmt.Sprintf("/%s|gorun|%d", name, i))
					}
					return o.Attrs().Set("gorun", int32(i))
				})
				if err != nil {
					return err
				}
				d, err := f.Dataset("data/ext_plain")
				if err != nil {
					return err
				}
				rows := d.Shape()[0]
				if err := d.Resize(rows+n, 2); err != nil {
					return err
				}
				r := int64(c.Rank())
				if err := d.WriteSel(h5file.S(h5file.Index(int64(rows)+r), h5file.Range(0, 2)), []int16{int16(r), int16(-r)}); err != nil {
					return err
				}
				if _, err := f.CreateGroup("gorun_new"); err != nil {
					return err
				}
				// Deletions: a dataset, and an attribute from dense storage.
				if err := f.Delete("data/be"); err != nil {
					return err
				}
				g, err := f.Group("many_attrs")
				if err != nil {
					return err
				}
				if err := g.Attrs().Delete("a05"); err != nil {
					return err
				}
				if c.Rank() == 0 {
					specs = mine
				}
				return f.Close()
			}))
			args := append([]string{filepath.Join("..", "testdata", "gen", "check_corpus.py"), path,
				strings.TrimSuffix(src, ".h5") + ".json", "skip:/data/ext_plain", "skip:/data", "skip:/data/be", "skip:/many_attrs"}, specs...)
			out, err := exec.Command(interop.Python, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("check_corpus: %v\n%s", err, out)
			}
			got := interop.H5Py(t, fmt.Sprintf(`f = h5py.File(%q, 'r')
d = f['data/ext_plain']
print(d.shape, d[:290].ravel().tolist() == list(range(580)), d[320:325].ravel().tolist(), d[330:].tolist(), 'gorun_new' in f)
a = f['many_attrs'].attrs
print('be' in f['data'], 'contig' in f['data'], 'a05' in a, len(a), int(a['a04']))`, path))
			want := "(334, 2) True [5, 5, 5, 5, 5, 5, 5, 5, 5, 5] [[0, 0], [1, -1], [2, -2], [3, -3]] True\nFalse True False 13 7000\n"
			if got != want {
				t.Fatalf("h5py reads\n%s\nwant\n%s", got, want)
			}
			if dump, code := interop.H5Dump(t, path); code != 0 {
				t.Fatalf("h5dump exit %d:\n%.3000s", code, dump)
			}
		})
	}
}
