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

// DecodeChunkInto is DecodeChunk writing the decoded chunk into dst,
// which must be exactly the chunk's decoded size: a chunk that decodes to
// any other size is an error matching ErrFormat. Stages whose codec has
// DecodeInto decode with no allocation (into dst for the last stage, into
// pooled buffers before it), so a read can decode a chunk straight into
// its caller's memory.
func DecodeChunkInto(fs []Filter, mask uint32, data, dst []byte) error {
	if err := checkFilters(fs); err != nil {
		return err
	}
	want := len(dst)
	last := -1 // the last stage to run (the pipeline's first unmasked filter)
	for i := range fs {
		if i >= 32 || mask&(1<<uint(i)) == 0 {
			last = i
			break
		}
	}
	cur, pooled := data, false
	done := func(next []byte, nextPooled bool) {
		if pooled {
			PutChunkBuf(cur)
		}
		cur, pooled = next, nextPooled
	}
	defer func() {
		if pooled {
			PutChunkBuf(cur)
		}
	}()
	for i := len(fs) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<uint(i)) != 0 {
			continue
		}
		f := fs[i]
		c, _ := LookupCodec(f.ID)
		if c.DecodeInto != nil {
			out, isPooled := dst, false
			if i != last {
				out, isPooled = GetChunkBuf(decodeBound(want, i)), true
			}
			n, err := c.DecodeInto(f.ClientData, cur, out)
			if err != nil {
				if isPooled {
					PutChunkBuf(out)
				}
				return fmt.Errorf("h5core: %s filter (%d): %w", c.Name, c.ID, err)
			}
			if i == last && n != want {
				return fmt.Errorf("h5core: %s filter (%d): chunk decodes to %d bytes, want %d: %w", c.Name, c.ID, n, want, ErrFormat)
			}
			done(out[:n], isPooled)
			continue
		}
		dec, err := c.Decode(f.ClientData, cur, decodeBound(want, i))
		if err != nil {
			return fmt.Errorf("h5core: %s filter (%d): %w", c.Name, c.ID, err)
		}
		done(dec, false)
	}
	if len(cur) != want {
		return fmt.Errorf("h5core: chunk decodes to %d bytes, want %d: %w", len(cur), want, ErrFormat)
	}
	if len(cur) > 0 && &cur[0] != &dst[0] {
		copy(dst, cur)
	}
	return nil
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
