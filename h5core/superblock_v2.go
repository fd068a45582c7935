package h5core

import "io"

// superblockV2Size is a version 2/3 superblock with 8-byte offsets.
const superblockV2Size = 8 + 4 + 4*8 + 4

// decodeSuperblockV2 reads a version 2 or 3 superblock at addr: sizes,
// consistency flags, base, extension, EOF and root header addresses, and
// the checksum over all of them.
func decodeSuperblockV2(r io.ReaderAt, size int64, addr uint64) (s superblockV2, rootAddr, eof uint64, err error) {
	b, err := readBlock(r, size, addr, superblockV2Size, "version 2 or 3 superblock")
	if err != nil {
		return s, 0, 0, err
	}
	what := "version 2 superblock"
	if b[8] == 3 {
		what = "version 3 superblock"
	}
	if b[9] != 8 || b[10] != 8 {
		return s, 0, 0, formatErr(int64(addr)+9, "superblock with offsets/lengths other than 8 bytes (not supported)", [2]byte{b[9], b[10]})
	}
	if err := verifySum(b, int64(addr), what); err != nil {
		return s, 0, 0, err
	}
	c := newCursor(b, int64(addr), what)
	c.skip(8)
	s.version = c.u8()
	c.skip(3)
	base := c.u64()
	s.ext = c.u64() // superblock extension: file space and shared message info, kept as is
	eof = c.u64()
	rootAddr = c.u64()
	_ = base // the superblock's own place in the file (a user block's size): Open reads relative to it
	return s, rootAddr, eof, c.err
}

// superblockV2 is what a version 2 or 3 superblock holds besides the root
// and EOF addresses: kept from an opened file so a flush writes it back.
type superblockV2 struct {
	version uint8  // 2, or 3 (SWMR-capable: libhdf5 1.10 with libver latest)
	ext     uint64 // superblock extension object header, UndefinedAddr if none
}

// encodeSuperblockV2 returns a version 2 or 3 superblock with 8-byte
// offsets and lengths, file consistency flags clear (the file is closed
// as far as libhdf5's SWMR locking is concerned) and its checksum.
// base is the superblock's own offset in the file (a user block's size),
// which libhdf5 records there; the EOF it stores is base+eof.
func encodeSuperblockV2(s superblockV2, base, eof, root uint64) []byte {
	b := make([]byte, 0, superblockV2Size)
	b = append(b, signature...)
	b = append(b, s.version, 8, 8, 0)
	b = put64(b, base)
	b = put64(b, s.ext)
	b = put64(b, base+eof)
	b = put64(b, root)
	return put32(b, lookup3(b, 0))
}
