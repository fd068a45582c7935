package h5core

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

// lookup3 is Bob Jenkins' hashlittle (lookup3.c), which libhdf5 uses as
// the checksum of every metadata structure of its newer format family
// (H5_checksum_metadata with initval 0).
func lookup3(k []byte, initval uint32) uint32 {
	a := 0xdeadbeef + uint32(len(k)) + initval
	b, c := a, a
	for len(k) > 12 {
		a += binary.LittleEndian.Uint32(k[0:])
		b += binary.LittleEndian.Uint32(k[4:])
		c += binary.LittleEndian.Uint32(k[8:])
		a -= c
		a ^= bits.RotateLeft32(c, 4)
		c += b
		b -= a
		b ^= bits.RotateLeft32(a, 6)
		a += c
		c -= b
		c ^= bits.RotateLeft32(b, 8)
		b += a
		a -= c
		a ^= bits.RotateLeft32(c, 16)
		c += b
		b -= a
		b ^= bits.RotateLeft32(a, 19)
		a += c
		c -= b
		c ^= bits.RotateLeft32(b, 4)
		b += a
		k = k[12:]
	}
	if len(k) == 0 {
		return c
	}
	var tail [12]byte
	copy(tail[:], k)
	a += binary.LittleEndian.Uint32(tail[0:])
	b += binary.LittleEndian.Uint32(tail[4:])
	c += binary.LittleEndian.Uint32(tail[8:])
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c
}

// ChecksumError says which metadata structure failed its checksum and
// where it lies; it matches ErrChecksum and ErrFormat.
type ChecksumError struct {
	What           string // structure, in the spec's words
	Off            int64  // file offset of the structure
	Stored, Actual uint32
}

// Error names the structure, its offset and both checksums.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("h5core: %s at offset %d: checksum %#08x stored, %#08x computed (file corrupt or truncated)", e.What, e.Off, e.Stored, e.Actual)
}

// Is lets callers match both ErrChecksum and ErrFormat.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksum || target == ErrFormat }

// verifyChecksums is cleared only by fuzz targets, so mutated inputs reach
// the decoders behind the checksums.
var verifyChecksums = true

// verifySum checks that the last 4 bytes of b are the lookup3 checksum of
// the bytes before them. b was read from file offset off.
func verifySum(b []byte, off int64, what string) error {
	if len(b) < 4 {
		return formatErr(off, what+": too short for a checksum", len(b))
	}
	if !verifyChecksums {
		return nil
	}
	n := len(b) - 4
	stored := binary.LittleEndian.Uint32(b[n:])
	if sum := lookup3(b[:n], 0); sum != stored {
		return &ChecksumError{What: what, Off: off, Stored: stored, Actual: sum}
	}
	return nil
}

// readBlock reads n bytes at addr from r after checking they lie inside a
// file of the given size, so no allocation exceeds what the file holds.
func readBlock(r io.ReaderAt, size int64, addr, n uint64, what string) ([]byte, error) {
	if addr == UndefinedAddr || size < 0 || addr > uint64(size) || n > uint64(size)-addr {
		return nil, formatErr(int64(min(addr, 1<<62)), what+" lies beyond the end of the file", n)
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, int64(addr)); err != nil {
		return nil, fmt.Errorf("h5core: reading %s at offset %d: %w", what, addr, err)
	}
	return b, nil
}

// readSigned reads a checksummed block of n bytes at addr, checks its
// 4-byte signature and its checksum, and returns a cursor after the
// signature over the bytes before the checksum (sig "": no signature,
// as in array pages).
func readSigned(r io.ReaderAt, size int64, addr, n uint64, sig, what string) (*cursor, error) {
	b, err := readBlock(r, size, addr, n, what)
	if err != nil {
		return nil, err
	}
	if sig != "" && (len(b) < 8 || string(b[:4]) != sig) {
		return nil, formatErr(int64(addr), what+": signature is not "+sig, nil)
	}
	if err := verifySum(b, int64(addr), what); err != nil {
		return nil, err
	}
	c := newCursor(b[:len(b)-4], int64(addr), what)
	if sig != "" {
		c.skip(4)
	}
	return c, nil
}
