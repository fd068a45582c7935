package h5core

import (
	"errors"
	"fmt"
)

// EncodeChunk runs data through the pipeline fs in order and returns the
// bytes to store and the filter mask to record for the chunk: bit i set
// means filter i was skipped, which happens, as in libhdf5, when an
// optional filter fails because its output would not fit
// (ErrIncompressible). data is not modified, and the result never aliases
// it.
func EncodeChunk(fs []Filter, data []byte) ([]byte, uint32, error) {
	if err := checkFilters(fs); err != nil {
		return nil, 0, err
	}
	out := data
	var mask uint32
	for i, f := range fs {
		c, _ := LookupCodec(f.ID)
		enc, err := c.Encode(f.ClientData, out)
		if err != nil {
			if f.Flags&FilterOptional != 0 && i < 32 && errors.Is(err, ErrIncompressible) {
				mask |= 1 << uint(i)
				continue
			}
			return nil, 0, fmt.Errorf("h5core: %s filter (%d): %w", c.Name, c.ID, err)
		}
		out = enc
	}
	if len(out) > 0 && len(data) > 0 && &out[0] == &data[0] {
		out = append([]byte(nil), data...)
	} else if out == nil {
		out = []byte{}
	}
	return out, mask, nil
}

// DecodeChunk reverses the pipeline fs for one stored chunk. mask is the
// chunk's filter mask; want is the chunk's decoded size in bytes, which
// bounds every stage's output (see decodeBound) so that a hostile chunk
// cannot make it allocate without limit. The result never aliases data.
func DecodeChunk(fs []Filter, mask uint32, data []byte, want int) ([]byte, error) {
	if err := checkFilters(fs); err != nil {
		return nil, err
	}
	out := data
	for i := len(fs) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<uint(i)) != 0 {
			continue
		}
		f := fs[i]
		c, _ := LookupCodec(f.ID)
		dec, err := c.Decode(f.ClientData, out, decodeBound(want, i))
		if err != nil {
			return nil, fmt.Errorf("h5core: %s filter (%d): %w", c.Name, c.ID, err)
		}
		out = dec
	}
	if len(out) > 0 && len(data) > 0 && &out[0] == &data[0] {
		out = append([]byte(nil), out...)
	}
	return out, nil
}

// decodeBound is the most bytes the decoder of pipeline stage i may
// produce for a chunk of want decoded bytes: exactly want for the first
// stage (whose output is the chunk), and for later stages room for what
// the stages before them add (a checksum, a compressor's expansion of
// incompressible data, at most a few per cent plus headers).
func decodeBound(want, i int) int {
	if i == 0 {
		return want
	}
	return want + want/8 + 1<<12
}
