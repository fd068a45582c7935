package h5core

import (
	"bytes"
	"os"
	"testing"
)

// newFormatSeed is the small libhdf5 file the new-format fuzz targets
// start from, with the offsets of its structures by signature.
func newFormatSeed(f *testing.F) ([]byte, map[string][]uint64) {
	b, err := os.ReadFile("../testdata/libhdf5/small_latest.h5")
	if err != nil {
		f.Fatal(err)
	}
	offs := map[string][]uint64{}
	for _, sig := range []string{"OHDR", "OCHK", "FRHP", "BTHD", "FAHD", "EAHD"} {
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(sig))
			if j < 0 {
				break
			}
			offs[sig] = append(offs[sig], uint64(i+j))
			i += j + 4
		}
	}
	return b, offs
}

// noChecksums lets mutated inputs past the checksums for one fuzz target.
func noChecksums(f *testing.F) {
	verifyChecksums = false
	f.Cleanup(func() { verifyChecksums = true })
}

func FuzzSuperblockV2(f *testing.F) {
	b, _ := newFormatSeed(f)
	f.Add(b[:64])
	noChecksums(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeSuperblockV2(bytes.NewReader(data), int64(len(data)), 0)
	})
}

func FuzzObjectHeaderV2(f *testing.F) {
	b, offs := newFormatSeed(f)
	for _, o := range offs["OHDR"] {
		f.Add(b, o)
	}
	noChecksums(f)
	f.Fuzz(func(t *testing.T, data []byte, addr uint64) {
		msgs, _, err := decodeObjectHeaderV2(bytes.NewReader(data), int64(len(data)), addr)
		if err == nil {
			decodeLinks(bytes.NewReader(data), int64(len(data)), msgs)
			decodeDenseAttrs(bytes.NewReader(data), int64(len(data)), msgs)
		}
	})
}

func FuzzLinkMsg(f *testing.F) {
	f.Add([]byte{1, 0, 1, 'a', 0, 1, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 8, 1, 1, 'b', 2, 0, '/', 'x'})
	f.Add([]byte{1, 8, 64, 1, 'e', 7, 0, 0, 'f', 0, '/', 'p', 0, 0})
	f.Add([]byte{1, 0x1c, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'c', 0, 1, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeLinkMsg(data, 0)
		decodeLinkInfo(RawMessage{Type: MsgLinkInfo, Data: data})
		decodeAttrInfo(RawMessage{Type: MsgAttributeInfo, Data: data})
	})
}

func FuzzFractalHeap(f *testing.F) {
	b, offs := newFormatSeed(f)
	for _, o := range offs["FRHP"] {
		f.Add(b, o, []byte{0, 20, 0, 30, 0, 0, 0, 0})
		f.Add(b, o, []byte{0x20, 'x', 'y'})
	}
	noChecksums(f)
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, id []byte) {
		h, err := openFractalHeap(bytes.NewReader(data), int64(len(data)), addr)
		if err == nil {
			h.object(id, 0)
		}
	})
}

func FuzzBTree2(f *testing.F) {
	b, offs := newFormatSeed(f)
	for _, o := range offs["BTHD"] {
		if o+5 < uint64(len(b)) {
			f.Add(b, o, b[o+5])
		}
	}
	noChecksums(f)
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, typ uint8) {
		bt, err := openBTree2(bytes.NewReader(data), int64(len(data)), addr, typ)
		if err == nil {
			n := 0
			bt.walk(func([]byte, int64) error { n++; return nil })
		}
	})
}

func FuzzChunkIndexV4(f *testing.F) {
	b, _ := newFormatSeed(f)
	nf, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		f.Fatal(err)
	}
	nf.Root().Visit(func(_ string, o Object) error {
		d, ok := o.(*Dataset)
		if !ok {
			return nil
		}
		var p chunkIndexParams
		switch x := d.index.(type) {
		case *singleChunk:
			p = x.p
		case *implicitIndex:
			p = x.p
		case *arrayIndex:
			p = x.p
		case *btree2Index:
			p = x.p
		default:
			return nil
		}
		m0, m1 := p.maxShape[0], uint64(0)
		d0, d1, c0, c1 := p.shape[0], uint64(0), p.chunk[0], uint64(0)
		if len(p.shape) == 2 {
			d1, m1, c1 = p.shape[1], p.maxShape[1], p.chunk[1]
		}
		f.Add(b, p.addr, p.indexType, p.flags, p.indexInfo, p.filtered, p.elemSize, d0, d1, m0, m1, c0, c1)
		return nil
	})
	noChecksums(f)
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, typ, flags uint8, info []byte, filtered bool, es uint32, d0, d1, m0, m1, c0, c1 uint64) {
		p := chunkIndexParams{r: bytes.NewReader(data), size: int64(len(data)), addr: addr, indexType: typ, flags: flags,
			indexInfo: info, filtered: filtered, elemSize: es%64 + 1,
			shape: []uint64{d0 % 256}, maxShape: []uint64{m0}, chunk: []uint64{c0%512 + 1}}
		if c1 != 0 {
			p.shape = append(p.shape, d1%256)
			p.maxShape = append(p.maxShape, m1)
			p.chunk = append(p.chunk, c1%512+1)
		}
		for i := range p.maxShape {
			if p.maxShape[i] != Unlimited && p.maxShape[i] < p.shape[i] {
				p.maxShape[i] = p.shape[i]
			}
		}
		x, err := openIndexV4(p)
		if err != nil {
			return
		}
		x.all()
		x.lookup(make([]uint64, len(p.shape)))
		x.lookup(p.chunk)
	})
}

func FuzzNewFormatOpen(f *testing.F) {
	b, _ := newFormatSeed(f)
	f.Add(b)
	for _, fam := range []string{"earliest", "latest"} {
		if x, err := os.ReadFile("../testdata/libhdf5/extlink/" + fam + "_extlink.h5"); err == nil {
			f.Add(x) // external links in a superblock-0 and a superblock-3 file
		}
	}
	noChecksums(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		readEverything(bytes.NewReader(data), int64(len(data)))
	})
}
