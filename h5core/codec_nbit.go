package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/nbit"
)

// Nbit returns libhdf5's N-bit filter, as H5Pset_nbit: it stores only the
// precision bits of each value (a Datatype whose Precision is less than
// 8*Size, such as a 12-bit integer in 2 bytes). For a full-precision type
// it stores the values as they are.
func Nbit() Filter {
	return Filter{ID: FilterNbit, Flags: FilterOptional, Name: nbitCodec.ClassName}
}

// nbitCodec is H5Z_FILTER_NBIT (filters/nbit); its set_local describes the
// datatype in the client data.
var nbitCodec = Codec{
	ID:        FilterNbit,
	Name:      "nbit",
	ClassName: "nbit",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		out, err := nbit.Encode(cd, src)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
	Decode: func(cd []uint32, src []byte, max int) ([]byte, error) {
		out, err := nbit.Decode(cd, src, max)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
	SetLocal: func(_ []uint32, t *Datatype, chunk []uint64) []uint32 {
		n := uint64(1)
		for _, c := range chunk {
			n *= c
		}
		full := true
		cd := []uint32{0, 0, uint32(n)}
		switch t.Class {
		case ClassInteger, ClassFloat, ClassArray, ClassCompound:
			cd = nbitDescribe(cd, t, &full)
		}
		cd[0] = uint32(len(cd))
		if full {
			cd[1] = 1
		}
		return cd
	},
}

// nbitDescribe appends libhdf5's description of t (H5Z__set_parms_*):
// class 1 atomic, 2 array, 3 compound, 4 anything else (copied whole).
// full is cleared by a value whose precision is not its whole size.
func nbitDescribe(cd []uint32, t *Datatype, full *bool) []uint32 {
	switch t.Class {
	case ClassInteger, ClassFloat:
		prec := uint32(t.Precision)
		if prec == 0 {
			prec = 8 * t.Size
		}
		order := uint32(nbit.OrderLE)
		if t.Order == BigEndian {
			order = nbit.OrderBE
		}
		if prec != 8*t.Size || t.BitOffset != 0 {
			*full = false
		}
		return append(cd, 1, t.Size, order, prec, uint32(t.BitOffset))
	case ClassArray:
		cd = append(cd, 2, t.Size)
		return nbitDescribe(cd, t.Base, full)
	case ClassCompound:
		cd = append(cd, 3, t.Size, uint32(len(t.Members)))
		for i := range t.Members {
			m := &t.Members[i]
			cd = append(cd, m.Offset)
			cd = nbitDescribe(cd, m.Type, full)
		}
		return cd
	}
	return append(cd, 4, t.Size)
}
