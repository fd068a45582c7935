package h5file

import (
	"errors"
	"fmt"
	"path"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/h5core"
)

// phaseIndep is a bit of an exchanged record's phase word: the rank holds
// creations of its own (File.Independent) for this flush. Records are
// compared without it, so a Flush or Close learns, in the exchange it
// makes anyway, whether any rank has creations to merge; a file where no
// rank made any pays no extra message.
const phaseIndep = 1 << 32

// indepBit is this rank's phaseIndep bit.
func (f *File) indepBit() uint64 {
	if f.pendingOps() {
		return phaseIndep
	}
	return 0
}

// mergeIndependent is the step of a Flush or Close (after the ranks
// agreed on the collective calls, before any metadata is written) that
// puts every rank's own creations into every rank's model and this rank's
// held data into the file. cerr is a collision (the same on every rank;
// nothing of the epoch applied, the flush goes on); werr is this rank's
// failure to apply or write (the flush reports it on every rank); err
// means the ranks could not exchange their logs (the file is unusable).
func (f *File) mergeIndependent(call string) (cerr, werr, err error) {
	s := f.indep
	f.indep = nil // creations after this flush begin a new epoch
	me := 0
	var logs [][]indepOp
	var local [][]byte
	if s != nil {
		local = s.local
	}
	if f.par == nil {
		if s == nil || len(s.ops) == 0 {
			return nil, nil, nil
		}
		logs = [][]indepOp{s.ops}
	} else {
		if !f.par.indepAny {
			return nil, nil, nil
		}
		var mine []indepOp
		if s != nil {
			mine = s.ops
		}
		me = f.comm.Rank()
		enc, eerr := encodeLog(mine)
		if eerr != nil {
			// Still take part: every rank then fails to read this log.
			enc = []byte("cannot encode: " + eerr.Error())
		}
		all, err := collectives.AllgatherValue(f.ctx, f.comm, enc)
		if err != nil {
			err = f.fail(opErrf("flush", f.path, "exchanging the ranks' own creations: %w", err))
			if s != nil {
				s.epoch.done, s.epoch.err = true, err
			}
			return nil, nil, err
		}
		logs = make([][]indepOp, len(all))
		for r, b := range all {
			if logs[r], err = decodeLog(b); err != nil {
				err = opErrf("flush", f.path, "the creation log of rank %d (none of this epoch's own creations were applied): %w", r, err)
				if s != nil {
					s.epoch.done, s.epoch.err = true, err
				}
				return err, nil, nil
			}
		}
	}
	plan, perr := planMerge(logs, f.lookupMemo())
	if perr != nil {
		perr = opErr("flush", f.path, perr)
		if s != nil {
			s.epoch.done, s.epoch.err = true, perr
		}
		return perr, nil, nil
	}
	wrote, werr := f.applyPlan(plan, me, local)
	if s != nil {
		s.epoch.done, s.epoch.err = true, werr
	}
	if werr == nil && wrote && call == "Flush" && f.par != nil {
		// MPI_File_sync for the data written just now (rank 0 syncs again
		// after the metadata).
		if err := f.os.Sync(); err != nil {
			werr = opErrf("flush", f.path, "sync: %w", err)
		}
	}
	return nil, werr, nil
}

// lookupMemo is lookupKind for planMerge, remembering what it found: a
// path whose parent the file does not hold is not in the file either, so
// the thousand creations of one new group cost one failed lookup.
func (f *File) lookupMemo() func(string) objKind {
	known := map[string]objKind{"/": kindGroup}
	var kind func(p string) objKind
	kind = func(p string) objKind {
		if k, ok := known[p]; ok {
			return k
		}
		k := kindNone
		if kind(path.Dir(p)) != kindNone {
			k = f.lookupKind(p)
		}
		known[p] = k
		return k
	}
	return kind
}

// lookupKind says what p names in the model.
func (f *File) lookupKind(p string) objKind {
	o, err := f.model.Root().Lookup(p)
	if err != nil {
		if errors.Is(err, h5core.ErrNotFound) {
			return kindNone
		}
		return kindOther
	}
	switch o.(type) {
	case *h5core.Group:
		return kindGroup
	case *h5core.Dataset:
		return kindDataset
	}
	return kindOther
}

// applyPlan applies a checked plan: every rank the same model calls in
// the same order, and this rank (me) the data of its own datasets, from
// local. wrote says whether this rank wrote raw data.
func (f *File) applyPlan(plan *mergePlan, me int, local [][]byte) (wrote bool, err error) {
	root := f.model.Root()
	fail := func(ro rankOp, err error) error {
		return opErrf("flush", f.path, "applying rank %d's %s: %w", ro.rank, ro.op.String(), err)
	}
	var mine []*Dataset
	made := map[string]*h5core.Dataset{} // writes go to datasets created here
	for _, ro := range plan.creates {
		switch ro.op.Kind {
		case indepGroup:
			// RequireGroup: another rank's creation may have made it as
			// an intermediate group (planMerge allows that).
			if _, err := root.RequireGroup(ro.op.Path); err != nil {
				return false, fail(ro, err)
			}
		case indepDataset:
			d, err := root.CreateDataset(ro.op.Path, *ro.op.Spec)
			if err != nil {
				return false, fail(ro, err)
			}
			made[ro.op.Path] = d
			if ro.rank == me {
				mine = append(mine, f.newDataset(ro.op.Path, d))
			}
		}
	}
	for _, ro := range plan.attrs {
		op := ro.op
		buf := append([]byte(nil), op.Value.Buf...)
		refs, err := f.heapPayloads(op.Value)
		if err == nil {
			err = placeRefs(op.Type, buf, refs)
		}
		if err != nil {
			return false, fail(ro, err)
		}
		o, err := root.Lookup(op.Path)
		if err == nil {
			err = o.SetAttr(&h5core.Attribute{Name: op.Attr, Type: op.Type, Shape: op.Shape, Data: buf})
		}
		if err != nil {
			return false, fail(ro, err)
		}
	}
	// Data. A failure of the model (the same on every rank) ends the
	// merge at once; a failure of this rank alone (its held bytes, its
	// writes) is kept in lerr while this rank still takes part in every
	// collective write that follows, so no rank waits for it.
	var lerr error
	keep := func(err error) {
		if lerr == nil {
			lerr = err
		}
	}
	// Fill values of this rank's datasets before any data goes over them.
	for _, d := range mine {
		if err := d.writeFill(nil); err != nil {
			keep(opErrf("flush", f.path, "filling %s: %w", d.name, err))
		}
		wrote = wrote || d.d.Layout() != h5core.LayoutCompact
	}
	for _, ro := range plan.writes {
		op := ro.op
		ds, ok := made[op.Path]
		if !ok { // planMerge sends writes only to datasets created in the epoch
			return wrote, fail(ro, fmt.Errorf("no dataset was created there: %w", ErrNotFound))
		}
		d := f.newDataset(op.Path, ds)
		size := uint64(ds.Type().Size)
		h := op.slab()
		if err := h.Check(ds.Shape()); err != nil || op.Mode == writeShared && uint64(len(op.Value.Buf)) != h.NumElements()*size {
			return wrote, fail(ro, fmt.Errorf("a malformed selection: %w", errors.Join(ErrShape, err)))
		}
		var buf []byte
		own := ro.rank == me
		switch {
		case op.Mode == writeShared:
			buf = append([]byte(nil), op.Value.Buf...)
		case own && (op.Local < 0 || op.Local >= len(local) || uint64(len(local[op.Local])) != h.NumElements()*size):
			keep(fail(ro, fmt.Errorf("held write %d of %d does not match its selection: %w", op.Local, len(local), h5core.ErrFormat)))
			own = false
		case own:
			buf = local[op.Local]
		}
		// Heap payloads go into every rank's heap, in rank order.
		refs, err := f.heapPayloads(op.Value)
		if err != nil {
			return wrote, fail(ro, err)
		}
		if buf != nil {
			if err := placeRefs(ds.Type(), buf, refs); err != nil {
				if op.Mode == writeShared {
					return wrote, fail(ro, err)
				}
				keep(fail(ro, err))
				own, buf = false, nil
			}
		}
		switch {
		case op.Mode == writeShared:
			if err := d.writeRaw(h, buf); err != nil { // compact: the object header, on every rank
				return wrote, fail(ro, err)
			}
		case op.Mode == writeCollective && f.par != nil:
			if !own {
				h, buf = emptySlab(len(ds.Shape())), nil
			}
			if err := d.writeFilteredCollective(h, buf, nil); err != nil {
				keep(fail(ro, err))
			}
		case own:
			wrote = true
			if err := d.writeRaw(h, buf); err != nil {
				keep(fail(ro, err))
			}
		}
	}
	return wrote, lerr
}

// heapPayloads puts a value's variable-length payloads into the global
// heap and returns their references. Every rank calls it for every
// rank's value, in the same order, so the heaps stay identical.
func (f *File) heapPayloads(v indepValue) ([]h5core.VlenRef, error) {
	if len(v.Counts) != len(v.Data) {
		return nil, fmt.Errorf("%d counts for %d payloads: %w", len(v.Counts), len(v.Data), h5core.ErrFormat)
	}
	refs := make([]h5core.VlenRef, len(v.Data))
	for i := range v.Data {
		var err error
		if refs[i], err = f.model.PutVlen(v.Counts[i], v.Data[i]); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// placeRefs replaces the placeholder references in buf (elements of
// type t) with refs.
func placeRefs(t *Datatype, buf []byte, refs []h5core.VlenRef) error {
	if len(refs) == 0 {
		return nil
	}
	offs, err := vlenOffsets(t)
	if err != nil {
		return err
	}
	return patchRefs(buf, uint64(t.Size), offs, refs)
}
