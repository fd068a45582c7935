package h5file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
)

// Variable-length data lives in the global heap, which is metadata: every
// rank's heap must hold the same objects at the same addresses. libhdf5
// cannot write vlen data in parallel at all; here a vlen write in a
// parallel file is collective: every rank encodes its own selection with
// placeholder references, the ranks allgather (selection, elements, heap
// payloads), and every rank puts every rank's payloads into its heap in
// rank order, so the heaps stay identical, then writes its own elements
// with the real references.

// placeholderAddr marks a reference made by captureCodec: Index is the
// payload's position in the rank's list.
const placeholderAddr = ^uint64(1)

// vlenCapture records the heap payloads an encoding makes instead of
// putting them into a heap.
type vlenCapture struct {
	counts []uint32
	data   [][]byte
}

func (v *vlenCapture) codec() *codec {
	return &codec{
		put: func(count uint32, data []byte) (h5core.VlenRef, error) {
			v.counts = append(v.counts, count)
			v.data = append(v.data, append([]byte(nil), data...))
			return h5core.VlenRef{Len: count, Addr: placeholderAddr, Index: uint32(len(v.data) - 1)}, nil
		},
		get: func(h5core.VlenRef) ([]byte, error) {
			return nil, fmt.Errorf("h5file: reading variable-length data while encoding: %w", h5core.ErrUnsupported)
		},
	}
}

// valueDigest summarises a value for the op log (attributes: ranks that
// set different values disagree). "" for serial files, which keep no log.
func (f *File) valueDigest(value any, t *Datatype, n uint64) string {
	if f.par == nil {
		return ""
	}
	var vc vlenCapture
	buf, err := encodeWith(vc.codec(), value, t, n, true)
	if err != nil {
		return "value=invalid"
	}
	h := fnv.New64a()
	h.Write(buf)
	for i, d := range vc.data {
		var b [12]byte
		binary.LittleEndian.PutUint32(b[:], vc.counts[i])
		binary.LittleEndian.PutUint64(b[4:], uint64(len(d)))
		h.Write(b[:])
		h.Write(d)
	}
	return fmt.Sprintf("value#%016x", h.Sum64())
}

// vlenOffsets lists where, inside one element of type t, the vlen
// references lie.
func vlenOffsets(t *Datatype) ([]uint64, error) {
	switch t.Class {
	case h5core.ClassVlen:
		if t.Base != nil && t.Base.HasVlen() {
			return nil, fmt.Errorf("h5file: nested variable-length types in a parallel file: %w", h5core.ErrUnsupported)
		}
		return []uint64{0}, nil
	case h5core.ClassCompound:
		var out []uint64
		for _, m := range t.Members {
			if !m.Type.HasVlen() {
				continue
			}
			in, err := vlenOffsets(m.Type)
			if err != nil {
				return nil, err
			}
			for _, o := range in {
				out = append(out, uint64(m.Offset)+o)
			}
		}
		return out, nil
	case h5core.ClassArray:
		in, err := vlenOffsets(t.Base)
		if err != nil {
			return nil, err
		}
		n := uint64(1)
		for _, d := range t.Dims {
			n *= uint64(d)
		}
		var out []uint64
		for i := uint64(0); i < n; i++ {
			for _, o := range in {
				out = append(out, i*uint64(t.Base.Size)+o)
			}
		}
		return out, nil
	}
	return nil, nil
}

// vlenPacket is one rank's part of a collective vlen write.
type vlenPacket struct {
	Err                         string
	Start, Stride, Count, Block []uint64
	Buf                         []byte
	Counts                      []uint32
	Data                        [][]byte
}

func (p *vlenPacket) slab() h5core.Hyperslab {
	return h5core.Hyperslab{Start: p.Start, Stride: p.Stride, Count: p.Count, Block: p.Block}
}

// writeVlenCollective is Write/WriteSel for a vlen or compact dataset of
// a parallel file (both change metadata: the heap, the object header):
// every rank calls it, each with its own selection and data (an empty
// selection to contribute nothing).
func (d *Dataset) writeVlenCollective(h h5core.Hyperslab, data any) error {
	f := d.f
	t := d.d.Type()
	pk := vlenPacket{Start: h.Start, Stride: h.Stride, Count: h.Count, Block: h.Block}
	offs, err := vlenOffsets(t)
	if bad, ok := data.(badData); ok {
		err = bad.err
	}
	if err == nil && h.NumElements() > 0 {
		var vc vlenCapture
		pk.Buf, err = encodeWith(vc.codec(), data, t, h.NumElements(), true)
		pk.Counts, pk.Data = vc.counts, vc.data
	}
	if err != nil {
		// Still take part, so every rank fails together.
		pk = vlenPacket{Err: err.Error()}
	}
	if aerr := f.agree(f.ctx, fmt.Sprintf("WriteVlen(%q)", d.name)); aerr != nil {
		return aerr
	}
	all, gerr := collectives.AllgatherValue(f.ctx, f.comm, pk)
	if gerr != nil {
		return f.fail(opErrf("write", d.name, "exchanging variable-length data: %w", gerr))
	}
	if err != nil {
		return opErr("write", d.name, err)
	}
	for r, p := range all {
		if p.Err != "" {
			return opErrf("write", d.name, "rank %d could not encode its data or selection (nothing was written): %s", r, p.Err)
		}
		if err := p.slab().Check(d.d.Shape()); err != nil || uint64(len(p.Buf)) != p.slab().NumElements()*uint64(t.Size) || len(p.Counts) != len(p.Data) {
			return opErrf("write", d.name, "rank %d sent a malformed selection (nothing was written): %w", r, errors.Join(ErrShape, err))
		}
	}
	// Every rank: the same PutVlen calls in the same order.
	err = f.apply(metaOp{name: "PutVlen", path: d.name, fn: func() error {
		for _, p := range all {
			refs := make([]h5core.VlenRef, len(p.Data))
			for i := range p.Data {
				ref, err := f.model.PutVlen(p.Counts[i], p.Data[i])
				if err != nil {
					return err
				}
				refs[i] = ref
			}
			if err := patchRefs(p.Buf, uint64(t.Size), offs, refs); err != nil {
				return err
			}
		}
		return nil
	}})
	if err != nil {
		return opErr("write", d.name, err)
	}
	// Raw data: contiguous and unfiltered chunks are written by each rank,
	// its own part; compact data and filtered chunks are metadata, so
	// every rank applies every rank's part in rank order.
	own := d.d.Layout() != h5core.LayoutCompact && len(d.d.Filters()) == 0
	if addr, _ := d.d.DataAddr(); d.d.Layout() == h5core.LayoutContiguous && addr == h5core.UndefinedAddr {
		own = false // storage a libhdf5 file never allocated: allocate on every rank
	}
	for r, p := range all {
		if own && r != f.comm.Rank() {
			continue
		}
		if err := d.writeRaw(p.slab(), p.Buf); err != nil {
			return opErrf("write", d.name, "part of rank %d: %w", r, err)
		}
	}
	return nil
}

// patchRefs replaces the placeholder references in buf (elements of size
// bytes, references at offs within each) with refs.
func patchRefs(buf []byte, size uint64, offs []uint64, refs []h5core.VlenRef) error {
	for e := uint64(0); e+size <= uint64(len(buf)); e += size {
		for _, o := range offs {
			b := buf[e+o : e+o+h5core.VlenRefSize]
			ref, err := h5core.DecodeVlenRef(b)
			if err != nil {
				return err
			}
			if ref.Addr != placeholderAddr {
				continue
			}
			if int(ref.Index) >= len(refs) {
				return fmt.Errorf("h5file: variable-length reference %d of %d: %w", ref.Index, len(refs), h5core.ErrFormat)
			}
			refs[ref.Index].Encode(b)
		}
	}
	return nil
}

// WriteVlen writes variable-length data (strings, sequences) or compact
// data into the selected part of the dataset, from every rank at once:
// each rank passes its own selection and data (an empty selection, such
// as S(Range(0, 0)), to contribute nothing), and every rank must call it.
// Both kinds of data change metadata (the global heap, the object
// header), which libhdf5 cannot do in parallel; here the ranks gather
// every rank's part and apply them all in rank order, so each rank's copy
// of the metadata stays identical. Parts that overlap end up with one of
// the ranks' values. Serially, and for other datasets, it is WriteSel.
func (d *Dataset) WriteVlen(sel Selection, data any) error {
	if err := d.f.checkWrite(); err != nil {
		return err
	}
	if !d.f.isParallel() || !d.d.Type().HasVlen() && d.d.Layout() != h5core.LayoutCompact {
		return d.WriteSel(sel, data)
	}
	h, err := sel.hyperslab(d.d.Shape())
	if err == nil {
		err = h.Check(d.d.Shape())
	}
	if err != nil {
		// Still take part, so the other ranks fail with this rank instead
		// of waiting for it.
		return d.writeVlenCollective(emptySlab(len(d.d.Shape())), badData{err})
	}
	return d.writeVlenCollective(h, data)
}

// badData carries a rank's selection error into the collective write,
// where encoding it fails and every rank reports it.
type badData struct{ err error }
