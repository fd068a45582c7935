package h5core

import (
	"fmt"
	"io"
)

// signature is the HDF5 format signature at the start of the superblock.
const signature = "\x89HDF\r\n\x1a\n"

// encodeSuperblock returns a version 0 superblock with 8-byte offsets and
// lengths, or version 1 if the chunk B-tree K is not libhdf5's default
// (only version 1 can store it).
// base is the superblock's offset in the file (a user block's size):
// libhdf5 records it, and the EOF it stores is base+eof, an absolute end.
func encodeSuperblock(base, eof uint64, root symbolEntry, leafK, groupK, istoreK int) []byte {
	b := make([]byte, 0, superblockSize+4)
	b = append(b, signature...)
	ver := uint8(0)
	if istoreK != chunkBTreeK {
		ver = 1
	}
	b = append(b, ver, 0, 0, 0, 0, 8, 8, 0)
	b = put16(b, uint16(leafK))
	b = put16(b, uint16(groupK))
	b = put32(b, 0) // file consistency flags
	if ver == 1 {
		b = put16(b, uint16(istoreK))
		b = put16(b, 0)
	}
	b = put64(b, base)
	b = put64(b, UndefinedAddr) // free-space info
	b = put64(b, base+eof)
	b = put64(b, UndefinedAddr) // driver information block
	return root.encode(b)
}

// superblock is what the reader needs from a superblock of any version.
type superblock struct {
	version  uint8
	eof      uint64
	rootAddr uint64
	leafK    int
	groupK   int
	istoreK  int
	driver   uint64 // driver information block address
	v2       superblockV2
}

func (f *File) readSuperblock() (superblock, error) {
	var sb superblock
	at, err := locateSignature(f.r, f.size)
	if err != nil {
		return sb, err
	}
	if at > 0 {
		// Past a user block: from here on every address is relative to
		// the superblock (userblock.go).
		f.base = uint64(at)
		f.r = io.NewSectionReader(f.r, at, f.size-at)
		f.size -= at
	}
	hdr, err := f.readAt(0, 9, "superblock")
	if err != nil {
		return sb, err
	}
	sb.version = hdr[8]
	sb.istoreK = chunkBTreeK
	switch sb.version {
	case 0, 1:
	case 2, 3:
		sb.driver = UndefinedAddr // in the superblock extension, if anywhere
		sb.v2, sb.rootAddr, sb.eof, err = decodeSuperblockV2(f.r, f.size, 0)
		return sb, err
	default:
		return sb, formatErr(8, "superblock version", sb.version)
	}
	n := uint64(superblockSize)
	if sb.version == 1 {
		n += 4
	}
	b, err := f.readAt(0, n, "superblock")
	if err != nil {
		return sb, err
	}
	c := newCursor(b, 0, "superblock")
	c.skip(13)
	so, sl := c.u8(), c.u8()
	if so != 8 || sl != 8 {
		return sb, fmt.Errorf("superblock with %d-byte offsets and %d-byte lengths (only 8 is supported): %w", so, sl, ErrUnsupported)
	}
	c.skip(1)
	sb.leafK = int(c.u16())
	sb.groupK = int(c.u16())
	c.u32()
	if sb.version == 1 {
		sb.istoreK = int(c.u16())
		c.skip(2)
	}
	base := c.u64()
	c.u64() // free space
	sb.eof = c.u64()
	sb.driver = c.u64()
	root := decodeSymbolEntry(c)
	if c.err != nil {
		return sb, c.err
	}
	if base != 0 && base != f.base {
		return sb, fmt.Errorf("superblock base address %d (the superblock is at %d): %w", base, f.base, ErrUnsupported)
	}
	if sb.leafK == 0 || sb.groupK == 0 || sb.istoreK == 0 || sb.leafK > 1<<14 || sb.groupK > 1<<14 || sb.istoreK > 1<<14 {
		return sb, formatErr(16, "zero B-tree K value", nil)
	}
	sb.rootAddr = root.addr
	return sb, nil
}
