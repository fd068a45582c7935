package h5core

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zlib"
)

// ErrChecksum is matched by errors about a chunk whose Fletcher-32
// checksum does not match its data.
var ErrChecksum = errors.New("h5core: chunk checksum mismatch")

// EncodeChunk runs data through the pipeline fs in order and returns the
// bytes to store and the filter mask to record for the chunk (bit i set:
// filter i was skipped; always 0 here, as every filter is applied).
func EncodeChunk(fs []Filter, data []byte) ([]byte, uint32, error) {
	if err := checkFilters(fs); err != nil {
		return nil, 0, err
	}
	out := data
	for _, f := range fs {
		switch f.ID {
		case FilterShuffle:
			out = shuffle(out, shuffleSize(f))
		case FilterDeflate:
			level := 6
			if len(f.ClientData) > 0 {
				level = int(f.ClientData[0])
			}
			if level > 9 {
				level = 9
			}
			var buf bytes.Buffer
			zw, err := zlib.NewWriterLevel(&buf, level)
			if err != nil {
				return nil, 0, fmt.Errorf("h5core: deflate level %d: %w", level, err)
			}
			zw.Write(out)
			if err := zw.Close(); err != nil {
				return nil, 0, fmt.Errorf("h5core: deflate: %w", err)
			}
			out = buf.Bytes()
		case FilterFletcher32:
			sum := fletcher32(out)
			n := make([]byte, len(out), len(out)+4)
			copy(n, out)
			out = binary.LittleEndian.AppendUint32(n, sum)
		}
	}
	if len(fs) == 0 {
		out = append([]byte(nil), data...)
	}
	return out, 0, nil
}

// DecodeChunk reverses the pipeline fs for one stored chunk. mask is the
// chunk's filter mask; want is the chunk's decoded size in bytes, which
// bounds decompression so a hostile chunk cannot expand without limit.
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
		switch f.ID {
		case FilterFletcher32:
			if len(out) < 4 {
				return nil, fmt.Errorf("h5core: fletcher32 chunk of %d bytes: %w", len(out), ErrFormat)
			}
			body := out[:len(out)-4]
			stored := binary.LittleEndian.Uint32(out[len(out)-4:])
			sum := fletcher32(body)
			// libhdf5 before 1.6.3 stored the sum byte-swapped; accept both.
			if stored != sum && stored != (sum>>24|(sum>>8)&0xff00|(sum<<8)&0xff0000|sum<<24) {
				return nil, fmt.Errorf("h5core: stored %#x, computed %#x: %w", stored, sum, ErrChecksum)
			}
			out = body
		case FilterDeflate:
			zr, err := zlib.NewReader(bytes.NewReader(out))
			if err != nil {
				return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
			}
			limit := int64(want) + 1
			if limit < 1<<16 {
				limit = 1 << 16
			}
			res, err := io.ReadAll(io.LimitReader(zr, limit))
			if err != nil {
				return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
			}
			if int64(len(res)) >= limit && len(res) > want {
				return nil, fmt.Errorf("h5core: chunk inflates past its %d bytes: %w", want, ErrFormat)
			}
			out = res
		case FilterShuffle:
			out = unshuffle(out, shuffleSize(f))
		}
	}
	if len(fs) == 0 {
		out = append([]byte(nil), data...)
	}
	return out, nil
}

func shuffleSize(f Filter) int {
	if len(f.ClientData) > 0 && f.ClientData[0] > 0 {
		return int(f.ClientData[0])
	}
	return 1
}

// shuffle groups byte j of every element together (H5Z_filter_shuffle).
func shuffle(in []byte, s int) []byte {
	out := make([]byte, len(in))
	n := len(in) / s
	if s <= 1 || n <= 1 {
		copy(out, in)
		return out
	}
	for i := 0; i < n; i++ {
		for j := 0; j < s; j++ {
			out[j*n+i] = in[i*s+j]
		}
	}
	copy(out[n*s:], in[n*s:])
	return out
}

func unshuffle(in []byte, s int) []byte {
	out := make([]byte, len(in))
	n := len(in) / s
	if s <= 1 || n <= 1 {
		copy(out, in)
		return out
	}
	for i := 0; i < n; i++ {
		for j := 0; j < s; j++ {
			out[i*s+j] = in[j*n+i]
		}
	}
	copy(out[n*s:], in[n*s:])
	return out
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
