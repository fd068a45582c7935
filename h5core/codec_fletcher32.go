package h5core

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrChecksum is matched by errors about a chunk whose Fletcher-32
// checksum does not match its data.
var ErrChecksum = errors.New("h5core: chunk checksum mismatch")

// fletcher32Codec is libhdf5's H5Z_FILTER_FLETCHER32: the data followed by
// its little-endian Fletcher-32 sum; no client data.
var fletcher32Codec = Codec{
	ID:        FilterFletcher32,
	Name:      "fletcher32",
	ClassName: "fletcher32",
	Encode: func(_ []uint32, src []byte) ([]byte, error) {
		out := make([]byte, len(src), len(src)+4)
		copy(out, src)
		return binary.LittleEndian.AppendUint32(out, fletcher32(src)), nil
	},
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		if len(src) < 4 || len(src)-4 > max {
			return nil, fmt.Errorf("h5core: fletcher32 chunk of %d bytes (at most %d expected): %w", len(src), max+4, ErrFormat)
		}
		body := src[:len(src)-4]
		stored := binary.LittleEndian.Uint32(src[len(src)-4:])
		sum := fletcher32(body)
		// libhdf5 before 1.6.3 stored the sum byte-swapped; accept both.
		if stored != sum && stored != (sum>>24|(sum>>8)&0xff00|(sum<<8)&0xff0000|sum<<24) {
			return nil, fmt.Errorf("h5core: stored %#x, computed %#x: %w", stored, sum, ErrChecksum)
		}
		return body, nil
	},
}

// fletcher32 is libhdf5's H5_checksum_fletcher32: 16-bit big-endian words.
func fletcher32(data []byte) uint32 {
	var sum1, sum2 uint32
	n := len(data) / 2
	p := 0
	for n > 0 {
		t := n
		if t > 360 {
			t = 360
		}
		n -= t
		for ; t > 0; t-- {
			sum1 += uint32(data[p])<<8 | uint32(data[p+1])
			p += 2
			sum2 += sum1
		}
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	if len(data)%2 == 1 {
		sum1 += uint32(data[p]) << 8
		sum2 += sum1
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	sum1 = (sum1 & 0xffff) + (sum1 >> 16)
	sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	return sum2<<16 | sum1
}
