package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// Collective is a dataset in collective mode: the Go of h5py's
// `with dset.collective:`. Every rank of the file's communicator calls each
// method, in the same order, each with its own selection (an empty one,
// such as S(Range(0, 0)), to take part without data). The ranks first
// agree (a check point: a rank that called something else gets a
// *MismatchError), then:
//
//   - contiguous and unfiltered chunked data: each rank writes its part
//     straight to the file, as an independent write would, unless the
//     parts fall into many short runs (a 2-D or 3-D block decomposition):
//     then the ranks exchange the data so each writes one span of the
//     file in a few large writes (two-phase I/O, ROMIO's collective
//     buffering; parallel_twophase.go);
//   - filtered (compressed) chunks: each chunk is assembled by one owner,
//     the lowest rank writing into it, from every rank's pieces (and the
//     chunk's previous contents), filtered there, its size shared, space
//     allocated by every rank in the same order, and written by its owner;
//   - variable-length and compact data: gathered and applied by every rank
//     in rank order (see WriteVlen).
//
// Serially (no communicator, or one rank) it is the dataset itself.
type Collective struct{ d *Dataset }

// Collective returns the dataset in collective mode.
func (d *Dataset) Collective() *Collective { return &Collective{d: d} }

// Write writes data over the whole dataset from every rank (data of all
// ranks must then be equal, or ranks overwrite each other).
func (c *Collective) Write(data any) error {
	return c.WriteSel(Hyperslab(h5core.All(c.d.d.Shape())), data)
}

// WriteSel writes each rank's data into its selection.
func (c *Collective) WriteSel(sel Selection, data any) error {
	if d := c.d; d.f.stats != nil { // iostats
		return d.statsCall(true, statsUnknown, func() error { return c.writeSel(sel, data) })
	}
	return c.writeSel(sel, data)
}

func (c *Collective) writeSel(sel Selection, data any) error {
	d := c.d
	f := d.f
	if err := f.checkWrite(); err != nil {
		return err
	}
	h, herr := sel.hyperslab(d.d.Shape())
	if herr == nil {
		herr = h.Check(d.d.Shape())
	}
	if herr == nil {
		f.statsSel(h.NumElements()) // iostats
	}
	if !f.isParallel() {
		if herr != nil {
			return opErrf("write", d.name, "%w: %w", ErrShape, herr)
		}
		return d.write(h, data)
	}
	t := d.d.Type()
	if t.HasVlen() || d.d.Layout() == h5core.LayoutCompact {
		if herr != nil {
			return d.writeVlenCollective(emptySlab(len(d.d.Shape())), badData{herr})
		}
		return d.writeVlenCollective(h, data)
	}
	var buf []byte
	err := herr
	if err == nil {
		buf, err = f.encodeValues(data, t, h.NumElements())
	}
	if d.d.Layout() == h5core.LayoutChunked && len(d.d.Filters()) > 0 {
		return d.writeFilteredCollective(h, buf, err)
	}
	call := fmt.Sprintf("WriteCollective(%q)", d.name)
	if err != nil {
		call += " -> error"
	}
	if aerr := f.agree(f.ctx, call); aerr != nil {
		if err != nil {
			return opErr("write", d.name, err)
		}
		return aerr
	}
	if err := d.allocateLate(); err != nil { // parallel_meta_alloc.go
		return err
	}
	if !f.atomic && (d.d.Layout() == h5core.LayoutContiguous || d.d.Layout() == h5core.LayoutChunked) {
		return d.writeCollectiveRuns(h, buf) // filtered chunks went above
	}
	if err := d.writeRaw(h, buf); err != nil {
		return opErr("write", d.name, err)
	}
	return nil
}

// Read reads the whole dataset on every rank.
func (c *Collective) Read(dst any) error {
	return c.ReadSel(Hyperslab(h5core.All(c.d.d.Shape())), dst)
}

// ReadSel reads each rank's selection. After the agreement each rank
// reads its part itself, unless the parts of contiguous or unfiltered
// chunked data fall into many short runs (each rank reading back its
// block of a 2-D or 3-D decomposition): then the ranks read in two phases
// (ROMIO's collective buffering), each reading one span of the file in a
// few large reads and sending every rank the bytes it asked for
// (parallel_twophase_read.go). A rank whose read of a span fails makes
// every rank's ReadSel fail, naming it.
func (c *Collective) ReadSel(sel Selection, dst any) error {
	if d := c.d; d.f.stats != nil { // iostats
		return d.statsCall(false, statsUnknown, func() error { return c.readSel(sel, dst) })
	}
	return c.readSel(sel, dst)
}

func (c *Collective) readSel(sel Selection, dst any) error {
	d := c.d
	if err := d.f.agree(d.f.ctx, fmt.Sprintf("ReadCollective(%q)", d.name)); err != nil {
		return err
	}
	if !d.f.isParallel() {
		return d.ReadSel(sel, dst)
	}
	h, herr := sel.hyperslab(d.d.Shape())
	if herr == nil {
		herr = h.Check(d.d.Shape())
		if herr != nil {
			herr = fmt.Errorf("%w: %w", ErrShape, herr)
		}
	}
	if herr == nil {
		d.f.statsSel(h.NumElements()) // iostats
	}
	return d.readCollective(h, herr, dst)
}
