package h5file

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

// The merge of the ranks' own creations (ARCHITECTURE.md, decision 18):
// at a Flush or Close every rank holds every rank's creation log, and
// planMerge decides, as a pure function of the logs and of what the file
// already holds, whether they can all be applied and in which order. Every
// rank runs it on the same input, so every rank reaches the same answer,
// the same error included, with no further messages.
//
// The rules:
//   - a path may be created (group or dataset) by one rank only: two ranks
//     creating it is a *CollisionError naming both, and so is a path the
//     file already holds (the file is then the other side, rank -1);
//   - intermediate groups (a/b of a/b/c) are shared: any number of ranks
//     may create objects inside the same new group, and a group one rank
//     creates may receive another rank's datasets and groups in the same
//     epoch (group creations are applied with RequireGroup's meaning, so
//     the order of ranks does not matter); an intermediate that is a
//     dataset (created in this epoch or in the file) is a collision;
//   - an attribute name on one object may be set by one rank only;
//   - creations are applied in rank order (each rank's in its order), then
//     attributes in rank order (so an attribute may go on any object that
//     exists once every creation is in), then data.

// Kinds of a logged creation.
const (
	indepGroup   uint8 = 1
	indepDataset uint8 = 2
	indepAttr    uint8 = 3
	indepWrite   uint8 = 4
)

// How a rank's buffered write reaches the file.
const (
	writeLocal      uint8 = 0 // contiguous, unfiltered chunks: the owner writes its bytes after the merge
	writeShared     uint8 = 1 // compact: the bytes travel in the log and every rank applies them (object header)
	writeCollective uint8 = 2 // filtered: every rank takes part in a collective write of the owner's bytes
)

// indepOp is one entry of a rank's creation log, as it travels to every
// rank (msgpack: exported fields only).
type indepOp struct {
	Kind  uint8
	Path  string              // the object's absolute path (an attribute's: the object it is on)
	Attr  string              // attribute name
	Spec  *h5core.DatasetSpec // dataset
	Type  *h5core.Datatype    // attribute
	Shape []uint64            // attribute (nil: scalar)
	// Value is an attribute's value, or a shared write's bytes, encoded
	// with placeholder heap references (parallel_vlen.go); a local or
	// collective write carries only its heap payloads here.
	Value indepValue
	// A write's selection, and how it is applied; Local indexes the
	// owner's buffers (the bytes that stay on the owner).
	Start, Stride, Count, Block []uint64
	Mode                        uint8
	Local                       int
}

// indepValue is encoded data: elements in file layout whose
// variable-length references are placeholders into Counts/Data.
type indepValue struct {
	Buf    []byte
	Counts []uint32
	Data   [][]byte
}

func (op *indepOp) slab() h5core.Hyperslab {
	return h5core.Hyperslab{Start: op.Start, Stride: op.Stride, Count: op.Count, Block: op.Block}
}

// ErrCollision is matched (errors.Is) by a *CollisionError: ranks that
// create their own objects (File.Independent) created the same name in one
// flush epoch, or a name the file already holds.
var ErrCollision = errors.New("h5file: ranks created the same name")

// CollisionError is the error every rank's Flush (or Close) returns when
// the ranks' own creations of one epoch collide. None of that epoch's own
// creations (of any rank) are applied; the collective part of the flush
// is written as usual, so the file stays usable and on disk as of that
// flush.
type CollisionError struct {
	Path string // the object's path; for an attribute, path@name
	// Ranks are the two ranks, lower first; Ranks[1] is -1 when the other
	// side is the file (the name existed before the flush: created
	// collectively, or by an earlier flush).
	Ranks [2]int
	What  string // what each did
}

// Error names the ranks and the path, and says how to avoid the clash.
func (e *CollisionError) Error() string {
	if e.Ranks[1] < 0 {
		return fmt.Sprintf("%s: rank %d created %s, which the file already holds (%s); no rank's own creations of this epoch were applied: give each rank's objects names of their own (with the rank in them)", ErrCollision.Error(), e.Ranks[0], e.Path, e.What)
	}
	return fmt.Sprintf("%s: ranks %d and %d both created %s (%s); no rank's own creations of this epoch were applied: give each rank's objects names of their own (with the rank in them)", ErrCollision.Error(), e.Ranks[0], e.Ranks[1], e.Path, e.What)
}

// Is matches ErrCollision, and ErrExists when the other side is the file.
func (e *CollisionError) Is(target error) bool {
	return target == ErrCollision || e.Ranks[1] < 0 && target == ErrExists
}

// objKind is what a path names in the file before the merge.
type objKind uint8

const (
	kindNone    objKind = iota
	kindGroup           // a group
	kindDataset         // a dataset
	kindOther           // something else (a link to nowhere, an object h5file cannot read)
)

// rankOp is one op of the merge plan and the rank that logged it.
type rankOp struct {
	rank int
	op   *indepOp
}

// mergePlan is the order in which every rank applies the logs.
type mergePlan struct {
	creates []rankOp // groups and datasets, rank order
	attrs   []rankOp // attributes, rank order
	writes  []rankOp // data, rank order
}

// claim is a path a rank creates.
type claim struct {
	rank int
	kind uint8
}

// planMerge checks the ranks' logs against each other and against the
// file (lookup says what a path names before the merge) and returns the
// order to apply them in, or the first conflict in rank order.
func planMerge(logs [][]indepOp, lookup func(string) objKind) (*mergePlan, error) {
	claims := map[string]claim{}
	type need struct {
		rank  int
		child string
	}
	needs := map[string]need{} // intermediate groups, with the lowest rank needing one
	var needOrder []string
	attrs := map[string]int{}
	plan := &mergePlan{}
	for r, log := range logs {
		for i := range log {
			op := &log[i]
			if err := checkOp(r, op); err != nil {
				return nil, err
			}
			switch op.Kind {
			case indepGroup, indepDataset:
				if c, ok := claims[op.Path]; ok {
					if c.rank == r {
						return nil, fmt.Errorf("h5file: rank %d created %s twice: %w", r, op.Path, ErrExists)
					}
					return nil, &CollisionError{Path: op.Path, Ranks: [2]int{c.rank, r}, What: "rank " + fmt.Sprint(c.rank) + " a " + kindName(c.kind) + ", rank " + fmt.Sprint(r) + " a " + kindName(op.Kind)}
				}
				claims[op.Path] = claim{r, op.Kind}
				for p := path.Dir(op.Path); p != "/"; p = path.Dir(p) {
					if _, ok := needs[p]; !ok {
						needs[p] = need{r, op.Path}
						needOrder = append(needOrder, p)
					}
				}
				plan.creates = append(plan.creates, rankOp{r, op})
			case indepAttr:
				key := op.Path + "@" + op.Attr
				if o, ok := attrs[key]; ok && o != r {
					return nil, &CollisionError{Path: key, Ranks: [2]int{o, r}, What: "both set the attribute"}
				}
				attrs[key] = r
				plan.attrs = append(plan.attrs, rankOp{r, op})
			case indepWrite:
				plan.writes = append(plan.writes, rankOp{r, op})
			}
		}
	}
	// An intermediate group must not be a dataset, new or old.
	for _, p := range needOrder {
		n := needs[p]
		if c, ok := claims[p]; ok && c.kind == indepDataset {
			lo, hi := min(c.rank, n.rank), max(c.rank, n.rank)
			return nil, &CollisionError{Path: p, Ranks: [2]int{lo, hi}, What: fmt.Sprintf("rank %d a dataset, rank %d %s inside it", c.rank, n.rank, n.child)}
		}
		if _, ok := claims[p]; ok {
			continue
		}
		if k := lookup(p); k != kindNone && k != kindGroup {
			return nil, &CollisionError{Path: p, Ranks: [2]int{n.rank, -1}, What: fmt.Sprintf("%s inside it, but the file holds a dataset or link there", n.child)}
		}
	}
	// What a rank creates must be new to the file.
	for _, ro := range plan.creates {
		if k := lookup(ro.op.Path); k != kindNone {
			return nil, &CollisionError{Path: ro.op.Path, Ranks: [2]int{ro.rank, -1}, What: "a " + kindName(ro.op.Kind)}
		}
	}
	// An attribute goes on an object that exists once the creations are in.
	for _, ro := range plan.attrs {
		p := ro.op.Path
		_, claimed := claims[p]
		_, needed := needs[p]
		if k := lookup(p); !claimed && !needed && k != kindGroup && k != kindDataset && p != "/" {
			return nil, fmt.Errorf("h5file: rank %d set attribute %s of %s, which neither the file nor any rank's creations hold (was it deleted before the flush?): %w", ro.rank, ro.op.Attr, p, ErrNotFound)
		}
	}
	// A write goes to a dataset its own rank created.
	for _, ro := range plan.writes {
		if c, ok := claims[ro.op.Path]; !ok || c.rank != ro.rank || c.kind != indepDataset {
			return nil, fmt.Errorf("h5file: rank %d wrote %s before the flush, but did not create that dataset: %w", ro.rank, ro.op.Path, ErrNotFound)
		}
	}
	return plan, nil
}

// checkOp refuses an op no rank of this package logs: it came over the
// network, so it is checked before anything trusts it.
func checkOp(r int, op *indepOp) error {
	bad := func(what string) error {
		return fmt.Errorf("h5file: rank %d sent a malformed creation log (%s): %w", r, what, h5core.ErrFormat)
	}
	if !strings.HasPrefix(op.Path, "/") || path.Clean(op.Path) != op.Path {
		return bad(fmt.Sprintf("path %q", op.Path))
	}
	switch op.Kind {
	case indepGroup:
		if op.Path == "/" {
			return bad("creates the root group")
		}
	case indepDataset:
		if op.Path == "/" || op.Spec == nil || op.Spec.Type == nil {
			return bad("dataset without a spec")
		}
	case indepAttr:
		if op.Attr == "" || op.Type == nil || op.Type.Size == 0 || len(op.Value.Counts) != len(op.Value.Data) || len(op.Shape) > h5core.MaxRank {
			return bad("attribute without a name, type or value")
		}
		n := uint64(op.Type.Size)
		for _, d := range op.Shape {
			if d != 0 && n > uint64(len(op.Value.Buf))/d {
				return bad("attribute value shorter than its shape")
			}
			n *= d
		}
		if n != uint64(len(op.Value.Buf)) {
			return bad(fmt.Sprintf("attribute value of %d bytes for %d", len(op.Value.Buf), n))
		}
	case indepWrite:
		if op.Mode > writeCollective || len(op.Value.Counts) != len(op.Value.Data) {
			return bad("write mode")
		}
	default:
		return bad(fmt.Sprintf("kind %d", op.Kind))
	}
	return nil
}

func kindName(k uint8) string {
	if k == indepDataset {
		return "dataset"
	}
	return "group"
}
