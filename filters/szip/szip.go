package szip

import (
	"encoding/binary"
	"fmt"
)

// Option mask bits (H5_SZIP_*_OPTION_MASK, libaec's SZ_*_OPTION_MASK).
const (
	OptAllowK13 = 1
	OptChip     = 2
	OptEC       = 4
	OptLSB      = 8
	OptMSB      = 16
	OptNN       = 32
	OptRaw      = 128
)

// Params are the four client data values libhdf5 stores.
type Params struct {
	Options           uint32
	PixelsPerBlock    uint32
	BitsPerPixel      uint32
	PixelsPerScanline uint32
}

// ParseClientData reads libhdf5's SZIP client data.
func ParseClientData(cd []uint32) (Params, error) {
	if len(cd) != 4 {
		return Params{}, fmt.Errorf("%w: %d values, want 4", ErrParams, len(cd))
	}
	p := Params{cd[0], cd[1], cd[2], cd[3]}
	// libhdf5's set_local never makes a scanline shorter than a block;
	// refusing one bounds the padded buffer to twice the output.
	if p.PixelsPerBlock == 0 || p.PixelsPerScanline < p.PixelsPerBlock {
		return Params{}, fmt.Errorf("%w: %d pixels per block, %d per scanline", ErrParams, p.PixelsPerBlock, p.PixelsPerScanline)
	}
	switch p.BitsPerPixel {
	case 32, 64:
	default:
		if p.BitsPerPixel == 0 || p.BitsPerPixel > 32 {
			return Params{}, fmt.Errorf("%w: %d bits per pixel", ErrParams, p.BitsPerPixel)
		}
	}
	return p, nil
}

// Decode decodes one chunk libhdf5 stored with the SZIP filter: a 4-byte
// little-endian decoded size, then the SZIP stream. max bounds the output;
// a chunk claiming more is refused before anything is allocated.
func Decode(cd []uint32, src []byte, max int) ([]byte, error) {
	p, err := ParseClientData(cd)
	if err != nil {
		return nil, err
	}
	if len(src) < 4 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the size header", ErrData, len(src))
	}
	n := binary.LittleEndian.Uint32(src)
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("%w: chunk says %d bytes, at most %d", ErrTooLarge, n, max)
	}
	out := make([]byte, n)
	if err := BuffToBuffDecompress(out, src[4:], p); err != nil {
		return nil, err
	}
	return out, nil
}

// BuffToBuffDecompress is SZ_BufftoBuffDecompress: it fills dst from an
// SZIP stream written with parameters p.
func BuffToBuffDecompress(dst, src []byte, p Params) error {
	block := int(p.PixelsPerBlock)
	ppsl := int(p.PixelsPerScanline)
	rsi := (ppsl + block - 1) / block
	deinterleave := p.BitsPerPixel == 32 || p.BitsPerPixel == 64
	bps := uint(p.BitsPerPixel)
	if deinterleave {
		bps = 8
	}
	a, err := newAEC(bps, block, rsi, p.Options&OptNN != 0, p.Options&OptMSB != 0)
	if err != nil {
		return err
	}
	pixel := a.bytesPer
	pad := ppsl%block != 0
	buf := dst
	if pad || deinterleave {
		size := len(dst)
		if pad {
			scanlines := (len(dst)/pixel + ppsl - 1) / ppsl
			size = rsi * block * pixel * scanlines
		}
		buf = make([]byte, size)
	}
	if err := a.decode(buf, src); err != nil {
		return err
	}
	if pad {
		line := ppsl * pixel
		padded := rsi * block * pixel
		for i, j := line, padded; j < len(buf); i, j = i+line, j+padded {
			copy(buf[i:], buf[j:j+line])
		}
	}
	if deinterleave {
		ws := int(p.BitsPerPixel / 8)
		n := len(dst) / ws
		for i := 0; i < n; i++ {
			for j := 0; j < ws; j++ {
				dst[i*ws+j] = buf[j*n+i]
			}
		}
	} else if pad {
		copy(dst, buf)
	}
	return nil
}
