package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/scaleoffset"
)

// ScaleOffset returns libhdf5's scale-offset filter as h5py's
// create_dataset(scaleoffset=factor) sets it up: for an integer dataset
// factor is the number of bits per value (0: as few as each chunk's range
// needs, lossless); for a float dataset it is the number of decimal digits
// kept (D-scale, lossy). float says which. fill is the dataset's fill value
// in its byte order (nil: the default, zero), which the filter stores as
// all ones and so must know.
func ScaleOffset(float bool, factor int, fill []byte) Filter {
	st := scaleoffset.Int
	if float {
		st = scaleoffset.FloatDScale
	}
	cd := []uint32{uint32(st), uint32(int32(factor))}
	if fill != nil {
		// Carried to set_local, which knows the type's size and order.
		cd = append(cd, uint32(len(fill)))
		for _, b := range fill {
			cd = append(cd, uint32(b))
		}
	}
	return Filter{ID: FilterScaleOffset, Flags: FilterOptional, Name: scaleOffsetCodec.ClassName, ClientData: cd}
}

// scaleOffsetCodec is H5Z_FILTER_SCALEOFFSET (filters/scaleoffset).
var scaleOffsetCodec = Codec{
	ID:        FilterScaleOffset,
	Name:      "scaleoffset",
	ClassName: "scaleoffset",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		out, err := scaleoffset.Encode(cd, src)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
	Decode: func(cd []uint32, src []byte, max int) ([]byte, error) {
		out, err := scaleoffset.Decode(cd, src, max)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
	SetLocal: func(cd []uint32, t *Datatype, chunk []uint64) []uint32 {
		if len(cd) == scaleoffset.NParams {
			return cd // already complete (a pipeline copied from a file)
		}
		n := uint64(1)
		for _, c := range chunk {
			n *= c
		}
		st, factor := scaleoffset.Int, int32(0)
		if len(cd) > 0 {
			st = scaleoffset.ScaleType(cd[0])
		}
		if len(cd) > 1 {
			factor = int32(cd[1])
		}
		ty := scaleoffset.Type{Float: t.Class == ClassFloat, Size: int(t.Size), Signed: t.Signed, BigEndian: t.Order == BigEndian}
		fill := make([]byte, t.Size) // libhdf5's default fill value, zero, is a defined one
		if len(cd) > 2 && int(cd[2]) == len(cd)-3 {
			fill = fill[:0]
			for _, v := range cd[3:] {
				fill = append(fill, byte(v))
			}
		}
		out, err := scaleoffset.ClientData(st, factor, uint32(n), ty, fill)
		if err != nil {
			// CreateDataset checks the type first (CheckScaleOffset); keep
			// what was asked so that Encode reports the problem.
			return cd
		}
		return out
	},
}

// CheckScaleOffset reports whether the scale-offset filter can take
// elements of type t (integers of 1, 2, 4, 8 bytes, floats of 4, 8), as
// libhdf5's can_apply does.
func CheckScaleOffset(t *Datatype) error {
	ok := false
	switch t.Class {
	case ClassInteger:
		ok = t.Size == 1 || t.Size == 2 || t.Size == 4 || t.Size == 8
	case ClassFloat:
		ok = t.Size == 4 || t.Size == 8
	}
	if !ok {
		return fmt.Errorf("h5core: the scale-offset filter takes integers of 1, 2, 4 or 8 bytes and floats of 4 or 8, not %s: %w", t, ErrUnsupported)
	}
	return nil
}
