package h5file_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

// featureEntry is one line of what testdata/gen/features.py saw h5py read.
type featureEntry struct {
	Kind    string    `json:"kind"`
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	Dtype   string    `json:"dtype"`
	Shape   []uint64  `json:"shape"`
	Hex     *string   `json:"hex"`
	Strings []string  `json:"strings"`
	Vlen    *[]string `json:"vlen"`
	Empty   bool      `json:"empty"`
	Members []string  `json:"members"`
}

// goElem is the Go type a numpy dtype string reads into here.
func goElem(dtype string) reflect.Type {
	switch dtype[1:] {
	case "i1":
		return reflect.TypeFor[int8]()
	case "i2":
		return reflect.TypeFor[int16]()
	case "i4":
		return reflect.TypeFor[int32]()
	case "i8":
		return reflect.TypeFor[int64]()
	case "u1":
		return reflect.TypeFor[uint8]()
	case "u2":
		return reflect.TypeFor[uint16]()
	case "u4":
		return reflect.TypeFor[uint32]()
	case "u8":
		return reflect.TypeFor[uint64]()
	case "f2":
		return reflect.TypeFor[h5file.Half]()
	case "f4":
		return reflect.TypeFor[float32]()
	case "f8":
		return reflect.TypeFor[float64]()
	case "c8":
		return reflect.TypeFor[complex64]()
	case "c16":
		return reflect.TypeFor[complex128]()
	case "O":
		return reflect.TypeFor[string]()
	}
	if strings.HasPrefix(dtype, "|V") || strings.HasPrefix(dtype, "|S") {
		return reflect.TypeFor[[]byte]()
	}
	return nil
}

// leBytes encodes the values of slice v as h5py's expectations hold them.
func leBytes(t *testing.T, v reflect.Value) []byte {
	t.Helper()
	var b bytes.Buffer
	if v.Type().Elem().Kind() == reflect.Slice { // opaque or fixed strings: bytes per element
		for i := 0; i < v.Len(); i++ {
			b.Write(v.Index(i).Bytes())
		}
		return b.Bytes()
	}
	if err := binary.Write(&b, binary.LittleEndian, v.Interface()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFeatureCorpus reads every file testdata/gen/features.py made with
// libhdf5 (unwritten chunked datasets of every index kind, user blocks,
// external storage, virtual datasets, float16, complex, opaque,
// bitfields, empty datasets and attributes, scalar variable-length
// attributes) through h5file and compares with what h5py read.
func TestFeatureCorpus(t *testing.T) {
	files, _ := filepath.Glob("../testdata/libhdf5/features/*.json")
	if len(files) < 8 {
		t.Fatalf("feature corpus incomplete (%d files): run testdata/gen/features.py", len(files))
	}
	for _, jp := range files {
		t.Run(filepath.Base(jp), func(t *testing.T) {
			jb, err := os.ReadFile(jp)
			if err != nil {
				t.Fatal(err)
			}
			var want []featureEntry
			if err := json.Unmarshal(jb, &want); err != nil {
				t.Fatal(err)
			}
			f, err := h5file.Open(strings.TrimSuffix(jp, ".json")+".h5", "r")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, e := range want {
				o, err := f.Get(e.Path)
				if err != nil {
					t.Errorf("%s: %v", e.Path, err)
					continue
				}
				switch e.Kind {
				case "group":
					g := o.(*h5file.Group)
					keys, _ := g.Keys()
					w := slices.Clone(e.Members)
					slices.Sort(w)
					if !slices.Equal(keys, w) {
						t.Errorf("%s: members %q, want %q", e.Path, keys, w)
					}
				case "dataset":
					checkFeatureDataset(t, o.(*h5file.Dataset), e)
				case "attr":
					checkFeatureAttr(t, o, e)
				}
			}
		})
	}
}

func checkFeatureDataset(t *testing.T, d *h5file.Dataset, e featureEntry) {
	t.Helper()
	if e.Empty {
		var x []float64
		if !d.IsEmpty() || d.Size() != 0 || len(d.Shape()) != 0 || !errors.Is(d.Read(&x), h5file.ErrShape) {
			t.Errorf("%s: IsEmpty %v, Size %d, Shape %v, want an empty dataset", e.Path, d.IsEmpty(), d.Size(), d.Shape())
		}
		return
	}
	if !slices.Equal(d.Shape(), e.Shape) && !(len(d.Shape()) == 0 && len(e.Shape) == 0) {
		t.Errorf("%s: shape %v, want %v", e.Path, d.Shape(), e.Shape)
	}
	et := goElem(e.Dtype)
	if et == nil {
		t.Fatalf("%s: no Go type for %s in this test", e.Path, e.Dtype)
	}
	p := reflect.New(reflect.SliceOf(et))
	if err := d.Read(p.Interface()); err != nil {
		t.Errorf("%s: %v", e.Path, err)
		return
	}
	if e.Strings != nil {
		if got := p.Elem().Interface().([]string); !slices.Equal(got, e.Strings) {
			t.Errorf("%s: %q, want %q", e.Path, got, e.Strings)
		}
		return
	}
	if got := hex.EncodeToString(leBytes(t, p.Elem())); e.Hex == nil || got != *e.Hex {
		t.Errorf("%s (%s): values\n got %s\nwant %v", e.Path, d.Dtype(), got, *e.Hex)
	}
}

func checkFeatureAttr(t *testing.T, o h5file.Object, e featureEntry) {
	t.Helper()
	a, err := o.Attrs().Get(e.Name)
	if err != nil {
		t.Errorf("%s@%s: %v", e.Path, e.Name, err)
		return
	}
	where := e.Path + "@" + e.Name
	switch {
	case e.Empty:
		var x float64
		if !a.IsEmpty() || a.Read(&x) == nil {
			t.Errorf("%s: IsEmpty %v, want an empty attribute", where, a.IsEmpty())
		}
	case e.Vlen != nil:
		base := goElem(string(e.Dtype[0]) + "i4")
		switch {
		case a.Dtype.Base != nil && a.Dtype.Base.Size == 8:
			base = reflect.TypeFor[float64]()
		case a.Dtype.Base != nil && a.Dtype.Base.Size == 2:
			base = reflect.TypeFor[int16]()
		}
		var got []string
		if len(e.Shape) == 0 {
			// A scalar sequence reads into a pointer to one slice.
			p := reflect.New(reflect.SliceOf(base))
			if err := a.Read(p.Interface()); err != nil {
				t.Errorf("%s: %v", where, err)
				return
			}
			got = append(got, hex.EncodeToString(leBytes(t, p.Elem())))
		} else {
			p := reflect.New(reflect.SliceOf(reflect.SliceOf(base)))
			if err := a.Read(p.Interface()); err != nil {
				t.Errorf("%s: %v", where, err)
				return
			}
			for i := 0; i < p.Elem().Len(); i++ {
				got = append(got, hex.EncodeToString(leBytes(t, p.Elem().Index(i))))
			}
		}
		if !slices.Equal(got, *e.Vlen) {
			t.Errorf("%s: %q, want %q", where, got, *e.Vlen)
		}
	case e.Strings != nil:
		var got []string
		if len(e.Shape) == 0 {
			var s string
			err = a.Read(&s)
			got = []string{s}
		} else {
			err = a.Read(&got)
		}
		if err != nil || !slices.Equal(got, e.Strings) {
			t.Errorf("%s: %q (%v), want %q", where, got, err, e.Strings)
		}
	default:
		p := reflect.New(reflect.SliceOf(goElem(e.Dtype)))
		if len(e.Shape) == 0 {
			v := reflect.New(goElem(e.Dtype))
			if err := a.Read(v.Interface()); err != nil {
				t.Errorf("%s: %v", where, err)
				return
			}
			p.Elem().Set(reflect.Append(p.Elem(), v.Elem()))
		} else if err := a.Read(p.Interface()); err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if got := hex.EncodeToString(leBytes(t, p.Elem())); got != *e.Hex {
			t.Errorf("%s: %s, want %s", where, got, *e.Hex)
		}
	}
}
