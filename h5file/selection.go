package h5file

import (
	"fmt"
	"math"

	"github.com/gorun-hpc/gorun/h5core"
)

// End as a Slice's Stop means "to the end of the dimension", Python's
// empty stop in dset[5:].
const End = math.MaxInt64

// Slice is one dimension of a NumPy-style selection, Python's
// start:stop:step. Negative Start/Stop count from the end; Step 0 means 1
// (negative steps are not supported, as in h5py).
type Slice struct{ Start, Stop, Step int64 }

// All selects a whole dimension (Python's ":").
var All = Slice{0, End, 1}

// Range is start:stop.
func Range(start, stop int64) Slice { return Slice{start, stop, 1} }

// RangeStep is start:stop:step. A step of 0 is an error when the selection
// is used (numpy and h5py refuse it); a Slice literal's zero Step means 1.
func RangeStep(start, stop, step int64) Slice {
	if step == 0 {
		step = zeroStep
	}
	return Slice{start, stop, step}
}

// zeroStep marks RangeStep(a, b, 0), which is refused.
const zeroStep = math.MinInt64

// Index selects the single index i of a dimension (dset[i]; the
// dimension stays, with length 1, in the flat buffer's shape). A negative
// i counts from the end (Index(-1) is the last element); an index outside
// the dimension is an error, as h5py's IndexError.
func Index(i int64) Slice { return Slice{i, indexStop, 1} }

// indexStop as a Slice's Stop marks Index: one element at Start.
const indexStop = math.MinInt64 + 1

// Selection is a part of a dataset: Slices (NumPy style) or Hyperslab
// (HDF5's start/stride/count/block).
type Selection interface {
	hyperslab(shape []uint64) (h5core.Hyperslab, error)
}

// Slices is the Go of dset[a:b, ::2]: Slices{Range(a, b), RangeStep(0, End, 2)}.
// Missing trailing dimensions are selected whole.
type Slices []Slice

// S builds a Slices selection: S(Range(10, 20), RangeStep(0, End, 2)).
func S(s ...Slice) Slices { return Slices(s) }

func (ss Slices) hyperslab(shape []uint64) (h5core.Hyperslab, error) {
	if len(ss) > len(shape) {
		return h5core.Hyperslab{}, fmt.Errorf("%d slices for a rank-%d dataset: %w", len(ss), len(shape), ErrShape)
	}
	n := len(shape)
	v := make([]uint64, 4*n) // one allocation: every write of every rank makes one
	h := h5core.Hyperslab{Start: v[:n:n], Stride: v[n : 2*n : 2*n], Count: v[2*n : 3*n : 3*n], Block: v[3*n:]}
	for i, dim := range shape {
		s := All
		if i < len(ss) {
			s = ss[i]
		}
		step := s.Step
		if step == 0 {
			step = 1
		}
		if step == zeroStep {
			return h, fmt.Errorf("dimension %d: slice step cannot be zero: %w", i, ErrShape)
		}
		if step < 0 {
			return h, fmt.Errorf("dimension %d: negative step %d is not supported (h5py refuses it too): %w", i, step, ErrShape)
		}
		d := int64(dim)
		if s.Stop == indexStop {
			j := s.Start
			if j < 0 {
				j += d
			}
			if j < 0 || j >= d {
				return h, fmt.Errorf("dimension %d: index %d out of range for length %d: %w", i, s.Start, d, ErrShape)
			}
			h.Start[i], h.Stride[i], h.Count[i], h.Block[i] = uint64(j), 1, 1, 1
			continue
		}
		start, stop := s.Start, s.Stop
		if start < 0 {
			start += d
		}
		if stop < 0 {
			stop += d
		}
		if start < 0 {
			start = 0
		}
		if stop > d {
			stop = d
		}
		if start > d {
			return h, fmt.Errorf("dimension %d: start %d beyond length %d: %w", i, s.Start, d, ErrShape)
		}
		count := int64(0)
		if stop > start {
			count = (stop - start + step - 1) / step
		}
		h.Start[i], h.Stride[i], h.Count[i], h.Block[i] = uint64(start), uint64(step), uint64(count), 1
	}
	return h, nil
}

// Hyperslab is HDF5's selection: Count blocks of Block elements, Stride
// apart, from Start, per dimension (nil Stride or Block means all ones).
type Hyperslab struct{ Start, Stride, Count, Block []uint64 }

func (h Hyperslab) hyperslab(shape []uint64) (h5core.Hyperslab, error) {
	hs := h5core.Hyperslab{Start: h.Start, Stride: h.Stride, Count: h.Count, Block: h.Block}
	if err := hs.Check(shape); err != nil {
		return hs, fmt.Errorf("%w: %w", ErrShape, err)
	}
	return hs, nil
}
