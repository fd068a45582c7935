package h5file_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
	"github.com/gorun-hpc/gorun/internal/interop"
)

// TestHalfConversion: float32 -> half rounds to nearest, ties to even,
// overflows to infinity and keeps subnormals, as numpy's astype; half ->
// float32 is exact.
func TestHalfConversion(t *testing.T) {
	for _, tc := range []struct {
		f    float32
		bits uint16
	}{
		{0, 0x0000}, {1, 0x3c00}, {-2.5, 0xc100}, {65504, 0x7bff}, {65520, 0x7c00}, {1e6, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00}, {6.1e-5, 0x03ff}, {5.96e-8, 0x0001}, {2.9e-8, 0x0000},
		{1 + 1.0/2048, 0x3c00}, {1 + 3.0/2048, 0x3c02}, // ties to even
		{0.333333, 0x3555}, {float32(math.Copysign(0, -1)), 0x8000},
	} {
		if got := h5file.HalfOf(tc.f); uint16(got) != tc.bits {
			t.Errorf("HalfOf(%g) = %#04x, want %#04x", tc.f, uint16(got), tc.bits)
		}
	}
	for b := 0; b < 1<<16; b++ {
		h := h5file.Half(b)
		f := h.Float32()
		if f != f { // NaN stays NaN
			if g := h5file.HalfOf(f); g&0x7c00 != 0x7c00 || g&0x3ff == 0 {
				t.Fatalf("NaN %#04x -> %#04x", b, uint16(g))
			}
			continue
		}
		if g := h5file.HalfOf(f); g != h {
			t.Fatalf("half %#04x -> %g -> %#04x", b, f, uint16(g))
		}
	}
	if !math.IsNaN(float64(h5file.HalfOf(float32(math.NaN())).Float32())) {
		t.Error("NaN lost")
	}
}

// TestNewTypesWrittenReadByH5py writes float16 (from float32 and from
// raw halves), complex64/128, opaque with a tag, bitfields, an empty
// dataset and scalar variable-length attributes, and has h5py and
// h5dump read them.
func TestNewTypesWrittenReadByH5py(t *testing.T) {
	path := filepath.Join(t.TempDir(), "types.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.CreateDatasetFrom("f16", []float32{0, 1, -2.5, 65504, 0.1}, h5file.WithDtype(h5file.Float16))
	must(err)
	_, err = f.CreateDatasetFrom("f16raw", []h5file.Half{0x3c00, 0xc100})
	must(err)
	_, err = f.CreateDatasetFrom("c64", []complex64{1 + 2i, -3.5 + 0.25i})
	must(err)
	_, err = f.CreateDatasetFrom("c128", []complex128{1e300 - 1i}, h5file.WithShape(1, 1))
	must(err)
	_, err = f.CreateDatasetFrom("opaque", [][]byte{[]byte("abcd"), {0, 1, 2, 0xff}}, h5file.WithDtype(h5file.Opaque(4, "gorun:test")))
	must(err)
	_, err = f.CreateDatasetFrom("b16", []uint16{1, 0x8000}, h5file.WithDtype(h5file.Bitfield(2)))
	must(err)
	_, err = f.CreateDataset("empty", h5file.Float32, nil, h5file.Empty())
	must(err)
	must(f.Attrs().SetTyped("seq", []int32{1, 2, 3}, h5file.VlenOf(h5file.Int32), nil))
	must(f.Attrs().Set("z", complex64(1.5+2.5i)))
	must(f.Close())

	out := interop.H5Py(t, fmt.Sprintf(`
f = h5py.File(%q, 'r')
assert f['f16'].dtype == np.float16, f['f16'].dtype
assert list(f['f16'][()]) == list(np.array([0, 1, -2.5, 65504, 0.1], 'f4').astype('f2')), f['f16'][()]
assert list(f['f16raw'][()]) == [1.0, -2.5]
assert f['c64'].dtype == np.complex64 and list(f['c64'][()]) == [1+2j, -3.5+0.25j], f['c64'][()]
assert f['c128'].dtype == np.complex128 and f['c128'][0, 0] == 1e300-1j
o = f['opaque']
tid = o.id.get_type()
assert tid.get_class() == h5py.h5t.OPAQUE and tid.get_tag() == b'gorun:test', tid.get_tag()
arr = np.empty((2,), 'V4'); o.id.read(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=tid)
assert arr.tobytes() == b'abcd\x00\x01\x02\xff', arr.tobytes()
assert f['b16'].id.get_type().get_class() == h5py.h5t.BITFIELD and list(f['b16'][()]) == [1, 0x8000]
assert isinstance(f['empty'][()], h5py.Empty) and f['empty'].shape is None and f['empty'].dtype == np.float32
assert list(f.attrs['seq']) == [1, 2, 3] and f.attrs.get_id('seq').shape == ()
assert f.attrs['z'] == 1.5+2.5j
print('ok')
`, path))
	if strings.TrimSpace(out) != "ok" {
		t.Fatalf("h5py: %s", out)
	}
	dump, code := interop.H5Dump(t, path)
	if code != 0 {
		t.Fatalf("h5dump: exit %d\n%s", code, dump)
	}
	for _, want := range []string{`OPAQUE_TAG "gorun:test"`, "H5T_STD_B16LE", "DATASPACE  NULL", `H5T_IEEE_F32LE "r"`, "(0): 0, 1, -2.5, 65504, 0.0999756"} {
		if !strings.Contains(dump, want) {
			t.Errorf("h5dump lacks %q:\n%s", want, dump)
		}
	}

	// And back: our reader gives the values written.
	f, err = h5file.Open(path, "r")
	must(err)
	defer f.Close()
	d, _ := f.Dataset("f16")
	fs, err := h5file.ReadAll[float32](d)
	if err != nil || !slices.Equal(fs, []float32{0, 1, -2.5, 65504, 0.099975586}) {
		t.Errorf("f16 = %v, %v", fs, err)
	}
	d, _ = f.Dataset("c64")
	cs, err := h5file.ReadAll[complex64](d)
	if err != nil || !slices.Equal(cs, []complex64{1 + 2i, -3.5 + 0.25i}) {
		t.Errorf("c64 = %v, %v", cs, err)
	}
	d, _ = f.Dataset("opaque")
	ob, err := h5file.ReadAll[[]byte](d)
	if err != nil || len(ob) != 2 || string(ob[0]) != "abcd" || d.Dtype().Tag != "gorun:test" {
		t.Errorf("opaque = %q (tag %q), %v", ob, d.Dtype().Tag, err)
	}
	d, _ = f.Dataset("empty")
	if var_ := []float32{}; !d.IsEmpty() || !errors.Is(d.Read(&var_), h5file.ErrShape) {
		t.Errorf("empty dataset: IsEmpty %v", d.IsEmpty())
	}
	var seq []int32
	if err := f.Attrs().Read("seq", &seq); err != nil || !slices.Equal(seq, []int32{1, 2, 3}) {
		t.Errorf("scalar vlen attribute = %v, %v", seq, err)
	}
	if v, err := f.Attrs().Get("z"); err != nil {
		t.Error(err)
	} else if x, err := v.Value(); err != nil || x != complex64(1.5+2.5i) {
		t.Errorf("complex attribute Value = %v (%T), %v", x, x, err)
	}
}
