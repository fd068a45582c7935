package h5core

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

func TestLookup3(t *testing.T) {
	for _, c := range []struct {
		in   string
		init uint32
		want uint32
	}{
		{"", 0, 0xdeadbeef},
		{"", 0xdeadbeef, 0xbd5b7dde},
		{"Four score and seven years ago", 0, 0x17770551},
		{"Four score and seven years ago", 1, 0xcd628161},
	} {
		if got := lookup3([]byte(c.in), c.init); got != c.want {
			t.Errorf("lookup3(%q, %d) = %#x, want %#x", c.in, c.init, got, c.want)
		}
	}
}

// indexKind names the chunk index a dataset was opened with.
func indexKind(d *Dataset) string {
	switch x := d.index.(type) {
	case *singleChunk:
		return "single"
	case *implicitIndex:
		return "implicit"
	case *arrayIndex:
		return x.kind
	case *btree2Index:
		return "btree2"
	case *btree1Index:
		return "btree1"
	}
	return fmt.Sprintf("%T", d.index)
}

// TestNewFormatChunkIndexKinds checks the corpus exercises every layout 4
// chunk index, filtered and not (the values are checked by
// TestLibhdf5CorpusValues).
func TestNewFormatChunkIndexKinds(t *testing.T) {
	f, _ := openPath(t, "../testdata/libhdf5/latest.h5")
	if f.SuperblockVersion() < 2 {
		t.Fatalf("superblock version %d", f.SuperblockVersion())
	}
	want := map[string]string{"single": "single", "fixed": "fixed array", "fixed_paged": "fixed array", "ext": "extensible array", "bt2": "btree2"}
	for prefix, kind := range want {
		for _, filt := range []string{"plain", "gzip", "gzip_f32"} {
			name := "data/" + prefix + "_" + filt
			if got := indexKind(mustDataset(t, f.Root(), name)); got != kind {
				t.Errorf("%s: index %s, want %s", name, got, kind)
			}
		}
	}
	if got := indexKind(mustDataset(t, f.Root(), "data/implicit")); got != "implicit" {
		t.Errorf("implicit: %s", got)
	}
	b, _ := os.ReadFile("../testdata/libhdf5/latest.h5")
	for _, sig := range []string{"EASB", "EADB", "FHIB", "BTIN"} {
		if !bytes.Contains(b, []byte(sig)) {
			t.Errorf("corpus has no %s structure", sig)
		}
	}
}

// readEverything opens a file and reads every chunk and vlen attribute.
func readEverything(r io.ReaderAt, size int64) error {
	f, err := Open(r, size)
	if err != nil {
		return err
	}
	lookups := func(g *Group) {
		// Every member's lookup, so external and soft links are followed
		// as far as h5core goes (an *ExternalLinkError, never a panic).
		for _, m := range g.Members() {
			_, _ = g.Lookup(m)
			_, _ = g.Lookup(m + "/x")
			g.ExternalLink(m)
			g.SoftLink(m)
		}
	}
	lookups(f.Root())
	return f.Root().Visit(func(path string, o Object) error {
		if g, ok := o.(*Group); ok {
			lookups(g)
		}
		for _, a := range o.Attrs() {
			if a.Type.Class == ClassVlen {
				for i := 0; i+VlenRefSize <= len(a.Data); i += VlenRefSize {
					ref, _ := DecodeVlenRef(a.Data[i:])
					if _, err := f.GetVlen(ref); err != nil {
						return err
					}
				}
			}
		}
		d, ok := o.(*Dataset)
		if !ok || d.Layout() != LayoutChunked {
			return nil
		}
		if d.ChunkBytes() > 1<<20 {
			// ReadChunk allocates whole decoded chunks (up to 4 GiB,
			// valid for compressed data): not what these tests probe.
			return nil
		}
		recs, err := d.Chunks()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, rec := range recs {
			if _, err := d.ReadChunk(r, rec.Coords); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		return nil
	})
}

// TestNewFormatChecksums corrupts one byte of each checksummed structure
// of a small libhdf5 file: reading must fail with a ChecksumError naming
// the structure and its offset.
func TestNewFormatChecksums(t *testing.T) {
	orig, err := os.ReadFile("../testdata/libhdf5/small_latest.h5")
	if err != nil {
		t.Fatal(err)
	}
	if err := readEverything(bytes.NewReader(orig), int64(len(orig))); err != nil {
		t.Fatal(err)
	}
	sigs := []string{"OHDR", "FRHP", "FHDB", "BTHD", "BTLF", "FAHD", "FADB", "EAHD", "EAIB", "EADB"}
	for _, sig := range sigs {
		// Corrupt every structure of this kind, one byte each.
		b := append([]byte(nil), orig...)
		offs := map[int64]bool{}
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(sig))
			if j < 0 {
				break
			}
			off := i + j
			offs[int64(off)] = true
			if sig == "OHDR" {
				b[off+10] ^= 0x40 // inside the first message
			} else {
				b[off+4] ^= 0x40 // the version byte: checked after the checksum
			}
			i = off + 4
		}
		if len(offs) == 0 {
			t.Errorf("no %s in the seed file", sig)
			continue
		}
		err := readEverything(bytes.NewReader(b), int64(len(b)))
		var ce *ChecksumError
		if !errors.As(err, &ce) || !errors.Is(err, ErrFormat) || !offs[ce.Off] {
			t.Errorf("%s at %v corrupted: %v", sig, offs, err)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("offset %d", ce.Off)) {
			t.Errorf("%s: error does not name the offset: %v", sig, err)
		}
	}
	b := append([]byte(nil), orig...)
	b[20] ^= 1 // superblock
	if err := readEverything(bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrChecksum) {
		t.Errorf("superblock corrupted: %v", err)
	}
}

// TestDenseAttributeOrder: dense attributes come by name without a
// creation order index, in creation order with one (as h5py lists them).
func TestDenseAttributeOrder(t *testing.T) {
	f, _ := openPath(t, "../testdata/libhdf5/latest.h5")
	names := func(path string) []string {
		o, err := f.Root().Lookup(path)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, a := range o.Attrs() {
			n = append(n, a.Name)
		}
		return n
	}
	if got := strings.Join(names("many_attrs"), ","); got != "a00,a01,a02,a03,a04,a05,a06,a07,a08,a09,a10,a11,s" {
		t.Errorf("many_attrs: %s", got)
	}
	if got := strings.Join(names("ordered_many_attrs"), ","); got != "k14,k13,k12,k11,k10,k09,k08,k07,k06,k05,k04,k03,k02,k01,k00" {
		t.Errorf("ordered_many_attrs: %s", got)
	}
	if got := strings.Join(names("ordered_attrs"), ","); got != "z,a,m" {
		t.Errorf("ordered_attrs: %s", got)
	}
}
