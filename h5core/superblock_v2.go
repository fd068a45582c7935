package h5core

import "io"

// superblockV2Size is a version 2/3 superblock with 8-byte offsets.
const superblockV2Size = 8 + 4 + 4*8 + 4

// decodeSuperblockV2 reads a version 2 or 3 superblock at addr: sizes,
// consistency flags, base, extension, EOF and root header addresses, and
// the checksum over all of them.
func decodeSuperblockV2(r io.ReaderAt, size int64, addr uint64) (rootAddr, eof uint64, err error) {
	b, err := readBlock(r, size, addr, superblockV2Size, "version 2 superblock")
	if err != nil {
		return 0, 0, err
	}
	if b[9] != 8 || b[10] != 8 {
		return 0, 0, formatErr(int64(addr)+9, "superblock with offsets/lengths other than 8 bytes (not supported)", [2]byte{b[9], b[10]})
	}
	if err := verifySum(b, int64(addr), "version 2 superblock"); err != nil {
		return 0, 0, err
	}
	c := newCursor(b, int64(addr), "version 2 superblock")
	c.skip(12)
	base := c.u64()
	c.u64() // superblock extension: holds file space and shared message info we need not read
	eof = c.u64()
	rootAddr = c.u64()
	_ = base // the superblock's own place in the file (a user block's size): Open reads relative to it
	return rootAddr, eof, c.err
}
