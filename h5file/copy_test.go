package h5file_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// compareTrees is h5py's view of two objects being equal: the same
// members, links, attributes, dataset types, shapes, chunks, filters,
// fill values and data. It prints "same" or what differs.
const compareTrees = `
def same_obj(a, b, path, diffs):
    if set(a.attrs.keys()) != set(b.attrs.keys()):
        diffs.append(path + ' attrs ' + str(sorted(a.attrs.keys())) + ' vs ' + str(sorted(b.attrs.keys())))
    for k in a.attrs:
        x, y = a.attrs.get_id(k), b.attrs.get_id(k)
        if x.dtype != y.dtype or x.shape != y.shape or repr(a.attrs[k]) != repr(b.attrs[k]):
            diffs.append(path + '@' + k)
    if isinstance(a, h5py.Group):
        if not isinstance(b, h5py.Group) or set(a.keys()) != set(b.keys()):
            diffs.append(path + ' members'); return
        for k in a:
            la, lb = a.get(k, getlink=True), b.get(k, getlink=True)
            if type(la) != type(lb):
                diffs.append(path + '/' + k + ' link kind'); continue
            if isinstance(la, h5py.SoftLink):
                if la.path != lb.path: diffs.append(path + '/' + k + ' soft target')
                continue
            if isinstance(la, h5py.ExternalLink):
                if (la.filename, la.path) != (lb.filename, lb.path): diffs.append(path + '/' + k + ' ext target')
                continue
            same_obj(a[k], b[k], path + '/' + k, diffs)
    elif isinstance(a, h5py.Dataset):
        if a.dtype != b.dtype or a.shape != b.shape or a.maxshape != b.maxshape or a.chunks != b.chunks \
           or a.compression != b.compression or a.compression_opts != b.compression_opts or a.shuffle != b.shuffle:
            diffs.append('%s meta %s %s %s %s %s / %s %s %s %s %s' % (path, a.dtype, a.shape, a.maxshape, a.chunks, a.compression, b.dtype, b.shape, b.maxshape, b.chunks, b.compression))
        elif a.shape is not None and repr(a[()]) != repr(b[()]):
            diffs.append(path + ' data')
        if a.id.get_create_plist().get_layout() != b.id.get_create_plist().get_layout():
            diffs.append(path + ' layout')
        if a.shape is not None and a.dtype.kind != 'O' and a.fillvalue != b.fillvalue:  # h5py crashes on a vlen fill value
            diffs.append(path + ' fill')
    elif isinstance(a, h5py.Datatype):
        if not isinstance(b, h5py.Datatype) or a.dtype != b.dtype:
            diffs.append(path + ' named type')
def compare(fa, pa, fb, pb):
    diffs = []
    same_obj(fa[pa], fb[pb], pa, diffs)
    print("same" if not diffs else diffs)
`

// makeSource has h5py make a tree with one of every kind of thing Copy
// handles, at /src of path.
func makeSource(t *testing.T, path, libver string) {
	t.Helper()
	interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'w', libver=%q)
g = f.create_group('src')
g.attrs['title'] = 'a tree'
g.attrs['n'] = np.arange(3, dtype='<i2')
g.attrs['names'] = np.array(['x', 'yy'], dtype=h5py.string_dtype())
g.attrs['nothing'] = h5py.Empty('<f4')
g['contig'] = np.arange(12, dtype='<f8').reshape(3, 4)
g.create_dataset('gz', data=np.arange(1000, dtype='<i4').reshape(100, 10), chunks=(7, 3), compression='gzip', compression_opts=6, shuffle=True, maxshape=(None, 10), fillvalue=-5)
g.create_dataset('compact', data=np.arange(5, dtype='u1'), compression=None, chunks=None)
g.create_dataset('strs', data=np.array(['alpha', 'be', ''], dtype=h5py.string_dtype()))
g.create_dataset('scalar', data=2.5)
g.create_dataset('empty', data=h5py.Empty('<i8'))
g.create_dataset('zero', shape=(0, 3), maxshape=(None, 3), dtype='<f4', chunks=(4, 3))
g['contig'].attrs['units'] = 'm'
sub = g.create_group('sub/deeper')
sub['x'] = np.array([1, 2], dtype='>i4')
g['twice'] = g['contig']
g['soft'] = h5py.SoftLink('/src/contig')
g['ext'] = h5py.ExternalLink('other.h5', '/d')
g['pair'] = np.dtype([('a', '<i4'), ('b', '<f8')])
f.close()
`, path, libver))
}

// TestCopyWithinFile: Copy makes a tree h5py finds equal to the source in
// every respect, in both families; a second hard link in the source is a
// second link to one object in the copy.
func TestCopyWithinFile(t *testing.T) {
	for _, lv := range []string{"earliest", "latest"} {
		t.Run(lv, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "copy.h5")
			makeSource(t, path, lv)
			f, err := h5file.Open(path, "r+")
			must(t, err)
			must(t, f.Copy("src", "dst/copy"))
			must(t, f.Copy("/src/gz", "gz2"))
			must(t, f.Close())
			out := interop.H5Py(t, compareTrees+fmt.Sprintf(`
f = h5py.File(%q, 'r')
compare(f, 'src', f, 'dst/copy')
compare(f, 'src/gz', f, 'gz2')
print(f['dst/copy/twice'].id == f['dst/copy/contig'].id, f['dst/copy/contig'].id != f['src/contig'].id)
`, path))
			if out != "same\nsame\nTrue True\n" {
				t.Errorf("h5py compared:\n%s", out)
			}
			if _, rc := interop.H5Dump(t, path); rc != 0 {
				t.Error("h5dump failed on the file with copies")
			}
		})
	}
}

// TestCopyAcrossFiles: CopyObject copies a tree of an h5py file into a
// new file of ours, variable-length values and all, and into itself
// (a group copied below itself is copied as it was).
func TestCopyAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	srcPath, dstPath := filepath.Join(dir, "a.h5"), filepath.Join(dir, "b.h5")
	makeSource(t, srcPath, "earliest")
	src, err := h5file.Open(srcPath, "r")
	must(t, err)
	defer src.Close()
	dst, err := h5file.Create(dstPath, "w", h5file.WithLibver(h5file.LibverLatest))
	must(t, err)
	g, err := src.Group("src")
	must(t, err)
	root, err := dst.Group("/")
	must(t, err)
	must(t, h5file.CopyObject(g, root, "copied"))
	must(t, dst.Copy("copied/sub", "copied/sub/again"))
	must(t, dst.Close())
	out := interop.H5Py(t, compareTrees+fmt.Sprintf(`
a = h5py.File(%q, 'r')
b = h5py.File(%q, 'r')
compare(a, 'src', b, 'copied')
print(sorted(b['copied/sub/again'].keys()), 'again' in b['copied/sub/again'])
`, srcPath, dstPath))
	// The copy of sub made below sub holds sub's members as they were.
	if out != "['src/sub members']\n['deeper'] False\n" {
		t.Errorf("h5py compared:\n%s", out)
	}
}

// TestCopyOptions: Shallow, WithoutAttrs and ExpandSoftLinks do what
// h5py's shallow, without_attrs and expand_soft do.
func TestCopyOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opts.h5")
	makeSource(t, path, "earliest")
	f, err := h5file.Open(path, "r+")
	must(t, err)
	must(t, f.Copy("src", "shallow", h5file.Shallow()))
	must(t, f.Copy("src", "noattrs", h5file.WithoutAttrs()))
	must(t, f.Copy("src", "expanded", h5file.ExpandSoftLinks()))
	must(t, f.Close())
	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
print(sorted(f['shallow/sub'].keys()), 'contig' in f['shallow'])
print(len(f['noattrs'].attrs), len(f['noattrs/contig'].attrs), len(f['src'].attrs))
print(type(f['expanded'].get('soft', getlink=True)).__name__, f['expanded/soft'][0].tolist())
`, path))
	want := "[] True\n0 0 4\nHardLink [0.0, 1.0, 2.0, 3.0]\n"
	if out != want {
		t.Errorf("h5py read\n%s\nwant\n%s", out, want)
	}
}

// TestCopyParallel: 3 ranks copy a tree collectively, each writing a share
// of the data; the copy is the one h5py expects.
func TestCopyParallel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "par.h5")
	makeSource(t, path, "latest")
	errs := h5file.RunRanks(t, 3, func(ctx context.Context, c *comm.Comm) error {
		f, err := h5file.Open(path, "r+", h5file.WithComm(c), h5file.WithContext(ctx))
		if err != nil {
			return err
		}
		if err := f.Copy("src", "dst"); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	out := interop.H5Py(t, compareTrees+fmt.Sprintf(`
f = h5py.File(%q, 'r')
compare(f, 'src', f, 'dst')
`, path))
	if out != "same\n" {
		t.Errorf("h5py compared:\n%s", out)
	}
}

// TestCopyErrors: a missing source and a taken destination are errors
// naming the paths.
func TestCopyErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "err.h5")
	f, err := h5file.Create(path, "w")
	must(t, err)
	defer f.Close()
	_, err = f.CreateDatasetFrom("a", []int32{1})
	must(t, err)
	if err := f.Copy("missing", "b"); err == nil || !strings.Contains(err.Error(), "/missing") {
		t.Errorf("missing source: %v", err)
	}
	if err := f.Copy("a", "a"); err == nil || !strings.Contains(err.Error(), "/a") {
		t.Errorf("taken destination: %v", err)
	}
}
