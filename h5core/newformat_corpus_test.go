package h5core

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusEntry is one line of the expectations testdata/gen/libhdf5.py
// writes beside each file: what h5py reads.
type corpusEntry struct {
	Kind    string   `json:"kind"`
	Path    string   `json:"path"`
	Name    string   `json:"name"`
	Dtype   string   `json:"dtype"`
	Shape   []uint64 `json:"shape"`
	Chunks  []uint64 `json:"chunks"`
	Hex     string   `json:"hex"`
	Strings []string `json:"strings"`
	Members []string `json:"members"`
}

// numpyDtype spells t as numpy's dtype.str.
func numpyDtype(t *Datatype) string {
	ord := "<"
	if t.Order == BigEndian {
		ord = ">"
	}
	if t.Size == 1 {
		ord = "|"
	}
	switch t.Class {
	case ClassInteger:
		if t.Signed {
			return fmt.Sprintf("%si%d", ord, t.Size)
		}
		return fmt.Sprintf("%su%d", ord, t.Size)
	case ClassFloat:
		return fmt.Sprintf("%sf%d", ord, t.Size)
	case ClassString:
		return fmt.Sprintf("|S%d", t.Size)
	case ClassVlen:
		return "|O"
	}
	return fmt.Sprintf("class%d", t.Class)
}

// littleEndian returns b with every element of t in little-endian order
// (the expectations hold values so).
func littleEndian(t *Datatype, b []byte) []byte {
	if t.Order != BigEndian || t.Size == 1 || (t.Class != ClassInteger && t.Class != ClassFloat) {
		return b
	}
	out := append([]byte(nil), b...)
	n := int(t.Size)
	for i := 0; i+n <= len(out); i += n {
		slices.Reverse(out[i : i+n])
	}
	return out
}

// datasetBytes reads a whole dataset through h5core's model.
func datasetBytes(t *testing.T, r *os.File, d *Dataset) []byte {
	t.Helper()
	es := uint64(d.Type().Size)
	n := uint64(1)
	for _, s := range d.Shape() {
		n *= s
	}
	out := make([]byte, n*es)
	switch d.Layout() {
	case LayoutCompact:
		copy(out, d.CompactData())
	case LayoutContiguous:
		addr, _ := d.DataAddr()
		if addr == UndefinedAddr {
			if v := d.Fill().Value; v != nil {
				for i := uint64(0); i < n; i++ {
					copy(out[i*es:], v)
				}
			}
			break
		}
		if _, err := r.ReadAt(out, int64(addr)); err != nil {
			t.Fatal(err)
		}
	case LayoutChunked:
		err := ChunkRuns(d.Shape(), d.ChunkShape(), es, All(d.Shape()), func(coords []uint64, runs []Run) error {
			b, err := d.ReadChunk(r, coords)
			if err != nil {
				return fmt.Errorf("chunk %v: %w", coords, err)
			}
			for _, run := range runs {
				copy(out[run.MemOff:run.MemOff+run.Len], b[run.Off:run.Off+run.Len])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestLibhdf5CorpusValues reads every dataset and attribute of the
// libhdf5-written corpus (both format families, every chunk index, dense
// links and attributes) and compares dtype, shape and values with what
// h5py read when the generator wrote the files.
func TestLibhdf5CorpusValues(t *testing.T) {
	files, _ := filepath.Glob("../testdata/libhdf5/*.json")
	ext, _ := filepath.Glob("../testdata/libhdf5/extlink/*.json")
	files = append(files, ext...)
	// testdata/gen/features.py: chunked datasets never written, for every
	// layout-4 index; user blocks (features read in h5core; the others
	// are h5file's: TestFeatureCorpus).
	feat, _ := filepath.Glob("../testdata/libhdf5/features/*.json")
	for _, p := range feat {
		if b := filepath.Base(p); b == "unwritten_latest.json" || strings.HasPrefix(b, "userblock_") {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Fatal("no corpus: run testdata/gen/libhdf5.py")
	}
	for _, jp := range files {
		t.Run(filepath.Base(jp), func(t *testing.T) {
			jb, err := os.ReadFile(jp)
			if err != nil {
				t.Fatal(err)
			}
			var want []corpusEntry
			if err := json.Unmarshal(jb, &want); err != nil {
				t.Fatal(err)
			}
			h5 := strings.TrimSuffix(jp, ".json") + ".h5"
			if strings.Contains(jp, "extlink") {
				checkExternalLinks(t, h5)
				return
			}
			f, r := openPath(t, h5)
			checked := 0
			for _, e := range want {
				o, err := f.Root().Lookup(e.Path)
				if err != nil {
					t.Errorf("%s: %v", e.Path, err)
					continue
				}
				switch e.Kind {
				case "group":
					g, ok := o.(*Group)
					if !ok {
						t.Errorf("%s: not a group", e.Path)
						continue
					}
					got, wantM := g.Members(), e.Members // h5py's list(g.keys()): by name, or creation order when tracked
					if !slices.Equal(got, wantM) {
						t.Errorf("%s: members %q, want %q", e.Path, got, wantM)
					}
				case "dataset":
					d, ok := o.(*Dataset)
					if !ok {
						t.Errorf("%s: not a dataset", e.Path)
						continue
					}
					if got := numpyDtype(d.Type()); got != e.Dtype {
						t.Errorf("%s: dtype %s, want %s", e.Path, got, e.Dtype)
					}
					if !slices.Equal(d.Shape(), e.Shape) && !(len(d.Shape()) == 0 && len(e.Shape) == 0) {
						t.Errorf("%s: shape %v, want %v", e.Path, d.Shape(), e.Shape)
					}
					if e.Chunks != nil && !slices.Equal(d.ChunkShape(), e.Chunks) {
						t.Errorf("%s: chunks %v, want %v", e.Path, d.ChunkShape(), e.Chunks)
					}
					raw := datasetBytes(t, r, d)
					if e.Strings != nil {
						if got := vlenStrings(t, f, raw); !slices.Equal(got, e.Strings) {
							t.Errorf("%s: %q, want %q", e.Path, got, e.Strings)
						}
						break
					}
					got := hex.EncodeToString(littleEndian(d.Type(), raw))
					if got != e.Hex {
						t.Errorf("%s: values\n got %s\nwant %s", e.Path, got, e.Hex)
					}
				case "attr":
					a, ok := o.Attr(e.Name)
					if !ok {
						t.Errorf("%s: no attribute %q", e.Path, e.Name)
						continue
					}
					if got := numpyDtype(a.Type); got != e.Dtype {
						t.Errorf("%s@%s: dtype %s, want %s", e.Path, e.Name, got, e.Dtype)
					}
					if !slices.Equal(a.Shape, e.Shape) && !(len(a.Shape) == 0 && len(e.Shape) == 0) {
						t.Errorf("%s@%s: shape %v, want %v", e.Path, e.Name, a.Shape, e.Shape)
					}
					if e.Strings != nil {
						if got := vlenStrings(t, f, a.Data); !slices.Equal(got, e.Strings) {
							t.Errorf("%s@%s: %q, want %q", e.Path, e.Name, got, e.Strings)
						}
					} else if got := hex.EncodeToString(littleEndian(a.Type, a.Data)); got != e.Hex {
						t.Errorf("%s@%s: %s, want %s", e.Path, e.Name, got, e.Hex)
					}
				}
				checked++
			}
			if checked != len(want) {
				t.Errorf("checked %d of %d entries", checked, len(want))
			}
			// Every corpus file can be changed (TestLibhdf5FilesRewritten),
			// those with a user block too: Flush writes at the superblock's
			// offset (userblock.go).
			if err := f.Writable(); err != nil {
				t.Errorf("Writable = %v (user block of %d bytes): want every corpus file writable", err, f.Base())
			}
		})
	}
}

// vlenStrings decodes the variable-length strings whose references raw holds.
func vlenStrings(t *testing.T, f *File, raw []byte) []string {
	t.Helper()
	var got []string
	for i := 0; i+VlenRefSize <= len(raw); i += VlenRefSize {
		ref, err := DecodeVlenRef(raw[i:])
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.GetVlen(ref)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	return got
}

// checkExternalLinks: the link decoder returns external links; Open keeps
// them as links (read-only: the writer cannot store them), and a lookup
// through one says where it leads.
func checkExternalLinks(t *testing.T, path string) {
	t.Helper()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, _ := r.Stat()
	f, err := Open(r, st.Size())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	fam := strings.TrimSuffix(filepath.Base(path), "_extlink.h5")
	if err := f.Writable(); err != nil {
		t.Errorf("Writable = %v: a group of link messages holds external links in either family", err)
	}
	defer checkExternalLinkRewrite(t, path)
	root := f.Root()
	if m := root.Members(); !slices.Equal(m, []string{"ext", "target"}) {
		t.Errorf("members %q", m)
	}
	if file, p, ok := root.ExternalLink("ext"); !ok || file != "../"+fam+".h5" || p != "/data/contig" {
		t.Errorf("ExternalLink(ext) = %q, %q, %v", file, p, ok)
	}
	if _, ok := root.SoftLink("ext"); ok {
		t.Error("the external link reported as a soft link")
	}
	for _, tc := range []struct{ path, link, rest string }{{"ext", "ext", ""}, {"/ext/a/b", "ext", "a/b"}} {
		_, err := root.Lookup(tc.path)
		var el *ExternalLinkError
		if !errors.As(err, &el) || !errors.Is(err, ErrExternalLink) || el.Link != tc.link || el.Rest != tc.rest ||
			el.File != "../"+fam+".h5" || el.Target != "/data/contig" {
			t.Errorf("Lookup(%q) = %v (%+v)", tc.path, err, el)
		}
	}
	if _, err := root.Lookup("target/x"); errors.Is(err, ErrExternalLink) || !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup(target/x) = %v", err)
	}
}

// checkExternalLinkRewrite changes a copy of a file whose root holds an
// external link: the root is rewritten with link messages, the external
// link among them, and libhdf5 reads it back.
func checkExternalLinkRewrite(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(cp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, r := openPath(t, cp)
	r.Close()
	if _, err := f.Root().CreateGroup("new"); err != nil {
		t.Fatal(err)
	}
	flushPath(t, f, cp)
	f2, r2 := openPath(t, cp)
	r2.Close()
	if m := f2.Root().Members(); !slices.Equal(m, []string{"ext", "new", "target"}) {
		t.Errorf("after rewrite: members %q", m)
	}
	if file, p, ok := f2.Root().ExternalLink("ext"); !ok || !strings.HasSuffix(file, ".h5") || p != "/data/contig" {
		t.Errorf("after rewrite: ExternalLink(ext) = %q, %q, %v", file, p, ok)
	}
	needH5dump(t)
	out := h5dump(t, "-A", cp)
	for _, want := range []string{`EXTERNAL_LINK "ext"`, `TARGETPATH "/data/contig"`, `GROUP "new"`} {
		if !strings.Contains(out, want) {
			t.Errorf("h5dump lacks %s:\n%s", want, out)
		}
	}
}
