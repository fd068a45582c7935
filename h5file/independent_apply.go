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
		if err := f.putPayloads(op.Type, buf, op.Value); err != nil {
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
	// Fill values of this rank's datasets before any data goes over them.
	for _, d := range mine {
		if err := d.writeFill(nil); err != nil {
			return true, opErrf("flush", f.path, "filling %s: %w", d.name, err)
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
		var buf []byte
		switch {
		case op.Mode == writeShared:
			buf = append([]byte(nil), op.Value.Buf...)
		case ro.rank == me:
			if op.Local < 0 || op.Local >= len(local) {
				return wrote, fail(ro, fmt.Errorf("held write %d of %d: %w", op.Local, len(local), h5core.ErrFormat))
			}
			buf = local[op.Local]
		}
		// Heap payloads go into every rank's heap, in rank order.
		if err := f.putPayloads(ds.Type(), buf, op.Value); err != nil {
			return wrote, fail(ro, err)
		}
		h := op.slab()
		if err := h.Check(ds.Shape()); err != nil || (buf != nil && uint64(len(buf)) != h.NumElements()*uint64(ds.Type().Size)) {
			return wrote, fail(ro, fmt.Errorf("a malformed selection: %w", errors.Join(ErrShape, err)))
		}
		switch {
		case op.Mode == writeShared:
			err = d.writeRaw(h, buf) // compact: the object header, on every rank
		case op.Mode == writeCollective && f.par != nil:
			if ro.rank != me {
				h, buf = emptySlab(len(ds.Shape())), nil
			}
			err = d.writeFilteredCollective(h, buf, nil)
		case ro.rank == me:
			err = d.writeRaw(h, buf)
			wrote = true
		}
		if err != nil {
			return wrote, fail(ro, err)
		}
	}
	return wrote, nil
}

// putPayloads puts a value's variable-length payloads into the global
// heap and, when buf is this rank's copy of the elements, replaces their
// placeholder references with the real ones. Every rank calls it for
// every rank's value, in the same order, so the heaps stay identical.
func (f *File) putPayloads(t *Datatype, buf []byte, v indepValue) error {
	if len(v.Data) == 0 {
		return nil
	}
	if len(v.Counts) != len(v.Data) {
		return fmt.Errorf("%d counts for %d payloads: %w", len(v.Counts), len(v.Data), h5core.ErrFormat)
	}
	offs, err := vlenOffsets(t)
	if err != nil {
		return err
	}
	refs := make([]h5core.VlenRef, len(v.Data))
	for i := range v.Data {
		if refs[i], err = f.model.PutVlen(v.Counts[i], v.Data[i]); err != nil {
			return err
		}
	}
	if buf == nil {
		return nil
	}
	return patchRefs(buf, uint64(t.Size), offs, refs)
}
