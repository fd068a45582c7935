package h5core

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Snapshots (ARCHITECTURE.md decision 28). A flush changes bytes that a
// reader of the previous flush may be using in two places only: the
// superblock and the object headers it rewrites in place (decision 5);
// everything else it writes goes to space nothing on disk refers to, and
// space it frees is reused only after it. Flush calls a Publisher's
// BeginPublish before the first of those in-place writes and EndPublish
// after the last, so a writer can bracket them: with a generation number
// a follower checks (a seqlock), and with a file lock libhdf5's readers
// respect.
//
// The generation lives in the snapshot block: SnapshotBlockSize bytes
// right after the superblock of a file made with WithSnapshotBlock, which
// no HDF5 structure refers to (libhdf5 never reads it, h5repack drops it):
//
//	0  "GORUNSNP"   magic
//	8  generation   uint64, little-endian: 2n after n published flushes,
//	                odd while a flush rewrites things in place
//	16 checksum     lookup3 of bytes 0-15, as HDF5 checksums metadata
//	20 reserved     zero

// Publisher is implemented by a writer given to Flush that wants to know
// when the flush changes bytes a reader of the previous flush may be
// reading. Everything Flush writes before BeginPublish goes to space no
// structure reachable from the previous superblock uses; between
// BeginPublish and EndPublish it writes the superblock and the headers it
// rewrites in place; after EndPublish, nothing.
type Publisher interface {
	BeginPublish() error
	EndPublish() error
}

// SnapshotBlockSize is the size of the snapshot block.
const SnapshotBlockSize = 24

const snapshotMagic = "GORUNSNP"

// ErrNoSnapshotBlock is matched by LocateSnapshotBlock's error for a file
// made without WithSnapshotBlock.
var ErrNoSnapshotBlock = errors.New("h5core: file has no snapshot block")

// WithSnapshotBlock reserves the snapshot block in a new file: its first
// allocation, right after the superblock, where LocateSnapshotBlock finds
// it. Ranks that differ in it disagree at the first check.
func WithSnapshotBlock() Option { return func(f *File) { f.snapBlock = true } }

// SnapshotBlock is the address (relative to the superblock) of the
// snapshot block NewFile reserved, or UndefinedAddr.
func (f *File) SnapshotBlock() uint64 {
	if f.snapAddr == 0 {
		return UndefinedAddr
	}
	return f.snapAddr
}

// reserveSnapshotBlock is NewFile's part: the block takes the space right
// after the superblock, before the root group's header.
func (f *File) reserveSnapshotBlock() {
	f.mix("SnapshotBlock")
	f.snapAddr = f.alloc(SnapshotBlockSize)
}

// EncodeSnapshotBlock returns the snapshot block holding gen.
func EncodeSnapshotBlock(gen uint64) []byte {
	b := make([]byte, SnapshotBlockSize)
	copy(b, snapshotMagic)
	binary.LittleEndian.PutUint64(b[8:], gen)
	binary.LittleEndian.PutUint32(b[16:], lookup3(b[:16], 0))
	return b
}

// DecodeSnapshotBlock returns the generation a snapshot block holds. A
// block whose magic is wrong is ErrNoSnapshotBlock; one whose checksum is
// wrong (torn by a concurrent write, or damaged) matches ErrChecksum.
func DecodeSnapshotBlock(b []byte) (uint64, error) {
	if len(b) < SnapshotBlockSize || string(b[:8]) != snapshotMagic {
		return 0, ErrNoSnapshotBlock
	}
	if err := verifySum(b[:20], 0, "snapshot block"); err != nil {
		return 0, err
	}
	if binary.LittleEndian.Uint32(b[20:]) != 0 {
		return 0, formatErr(20, "snapshot block: reserved bytes", b[20:24])
	}
	return binary.LittleEndian.Uint64(b[8:]), nil
}

// LocateSnapshotBlock returns the file offset of the snapshot block of the
// file r (size bytes): right after its superblock (past a user block, if
// any). A file without one is ErrNoSnapshotBlock.
func LocateSnapshotBlock(r io.ReaderAt, size int64) (int64, error) {
	at, err := locateSignature(r, size)
	if err != nil {
		return 0, err
	}
	var v [1]byte
	if _, err := r.ReadAt(v[:], at+8); err != nil {
		return 0, fmt.Errorf("h5core: read superblock version: %w", err)
	}
	var n int64
	switch v[0] {
	case 0:
		n = superblockSize
	case 2, 3:
		n = superblockV2Size
	default:
		return 0, fmt.Errorf("superblock version %d: %w", v[0], ErrNoSnapshotBlock)
	}
	off := at + n
	if off+SnapshotBlockSize > size {
		return 0, ErrNoSnapshotBlock
	}
	b := make([]byte, SnapshotBlockSize)
	if _, err := r.ReadAt(b, off); err != nil {
		return 0, fmt.Errorf("h5core: read snapshot block at %d: %w", off, err)
	}
	if string(b[:8]) != snapshotMagic {
		return 0, ErrNoSnapshotBlock
	}
	return off, nil
}

// publisher returns w's Publisher, looking through the user-block
// wrapper.
func publisher(w io.WriterAt) Publisher {
	if bw, ok := w.(*baseWriter); ok {
		w = bw.w
	}
	p, _ := w.(Publisher)
	return p
}
