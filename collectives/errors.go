package collectives

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMismatch is matched (errors.Is) by every *MismatchError: the members of
// a communicator did not call the same collective with the same root, element
// type and counts. The communicator is revoked; a program cannot recover from
// this except by ending.
var ErrMismatch = errors.New("collectives: mismatched collective calls")

// ErrArgument is matched by errors about a call's own arguments (buffer
// lengths, root out of range). The communicator is revoked as well, because
// the other members are already waiting for this rank.
var ErrArgument = errors.New("collectives: bad argument")

// Call describes one rank's collective call, as named in errors.
type Call struct {
	Op    string // "Bcast", "AllgatherValue", ...
	Seq   uint64 // the communicator's collective sequence number, from 1
	Root  int    // -1 when the collective has no root
	Kind  string // element type ("float64"), "value" for the any-value forms, "none"
	Count int    // elements that must agree, -1 when not agreed
}

func (c Call) withArgs(root, kind, count bool) string {
	var parts []string
	if root && c.Root >= 0 {
		parts = append(parts, fmt.Sprintf("root=%d", c.Root))
	}
	if kind && c.Kind != "none" {
		if count && c.Count >= 0 {
			parts = append(parts, fmt.Sprintf("%d x %s", c.Count, c.Kind))
		} else {
			parts = append(parts, c.Kind)
		}
	} else if count && c.Count >= 0 {
		parts = append(parts, fmt.Sprintf("count=%d", c.Count))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%s #%d", c.Op, c.Seq)
	}
	return fmt.Sprintf("%s(%s) #%d", c.Op, strings.Join(parts, ", "), c.Seq)
}

// MismatchError says which two ranks disagree and how. Rank is the rank that
// noticed (the one returning the error), Peer the rank whose message or probe
// showed the difference.
type MismatchError struct {
	Rank     int
	Call     Call
	Peer     int
	PeerCall Call
	// Detail explains a difference the two Calls do not show (a reduction
	// op, a counts vector, a message length).
	Detail string
}

// Error names both ranks and their calls (with the arguments that
// differ) and the rule they broke.
func (e *MismatchError) Error() string {
	a, b := e.Call, e.PeerCall
	var sa, sb string
	switch {
	case a.Op != b.Op:
		sa, sb = a.withArgs(true, false, false), b.withArgs(true, false, false)
	case a.Root != b.Root:
		sa, sb = a.withArgs(true, false, false), b.withArgs(true, false, false)
	case a.Kind != b.Kind || a.Count != b.Count:
		sa, sb = a.withArgs(true, true, true), b.withArgs(true, true, true)
	default:
		sa, sb = a.withArgs(true, false, false), b.withArgs(true, false, false)
	}
	msg := fmt.Sprintf("collectives: rank %d is in %s but rank %d is in %s", e.Rank, sa, e.Peer, sb)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg + " (every rank must make the same collective calls in the same order with the same root, type and counts)"
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

func (d desc) call(seq uint64) Call {
	c := Call{Op: d.op.String(), Seq: seq, Root: int(d.root), Kind: kindName(d.kind), Count: int(d.count)}
	if d.count < 0 {
		c.Count = -1
	}
	return c
}
