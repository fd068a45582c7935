package h5core

import "fmt"

// NamedType is a committed datatype: a datatype stored as an object of its
// own, with a name in a group and attributes (h5py's Datatype, made by
// f['t'] = numpy.dtype(...); netCDF-4's user-defined types). Datasets and
// attributes that use it hold a shared message pointing at its header
// instead of a copy of the type, and each such user counts as a reference
// in its header's reference count, as libhdf5 counts them: the type's
// space is freed only when no link and no user is left.
type NamedType struct {
	object
	dtype *Datatype
	raw   *RawMessage // the datatype message as read, written back unchanged
}

// Type returns a copy of the committed datatype.
func (t *NamedType) Type() *Datatype { return t.dtype.Clone() }

// CommitType stores t as a committed datatype at path (relative to g,
// intermediate groups created as needed). Datasets and attributes created
// with the returned NamedType share it (DatasetSpec.Named,
// Attribute.Named).
func (g *Group) CommitType(path string, t *Datatype) (*NamedType, error) {
	if t == nil || t.Size == 0 {
		return nil, fmt.Errorf("h5core: commit type %q: a datatype with a non-zero size is needed", path)
	}
	enc, err := t.encode()
	if err != nil {
		return nil, fmt.Errorf("h5core: commit type %q: %w", path, err)
	}
	if g.mutable() == nil {
		g.f.mix("CommitType", g.ident(), path, string(enc))
	}
	parent, name, err := g.parentOf(path, true)
	if err != nil {
		return nil, err
	}
	nt := &NamedType{object: g.f.newObject(), dtype: t.Clone()}
	if err := parent.insert(link{name: name, obj: nt}); err != nil {
		return nil, err
	}
	return nt, nil
}

// messages returns the header messages of a committed datatype: its
// datatype message, flagged constant and not to be shared further, as
// libhdf5 writes it.
func (t *NamedType) messages() ([]RawMessage, error) {
	if t.raw != nil {
		return []RawMessage{*t.raw}, nil
	}
	b, err := t.dtype.encode()
	if err != nil {
		return nil, err
	}
	return []RawMessage{{Type: MsgDatatype, Flags: msgFlagConstant | msgFlagDontShare, Data: b}}, nil
}

// msgFlagDontShare marks a message that must not be moved to the shared
// message table; libhdf5 sets it on a committed datatype's own message.
const msgFlagDontShare uint8 = 4

// sharedVersion is the shared message encoding libhdf5 writes for a
// committed object in files without a shared message table: version 2,
// type 2 (committed), the object header address.
const sharedVersion = 2

// sharedTypeCommitted is the shared message type of a committed object.
const sharedTypeCommitted = 2

// encodeSharedRef returns the body of a shared message that points at the
// committed object whose header is at addr.
func encodeSharedRef(addr uint64) []byte {
	return put64([]byte{sharedVersion, sharedTypeCommitted}, addr)
}

// decodeSharedRef returns the header address a shared message names. A
// message shared through the shared message table (version 3, type 1) is
// reported as unsupported: this package writes no such table.
func decodeSharedRef(b []byte, off int64) (uint64, error) {
	c := newCursor(b, off, "shared message")
	ver := c.u8()
	typ := c.u8()
	switch ver {
	case 1:
		c.skip(6)
	case 2, 3:
	default:
		c.fail("shared message version", ver)
	}
	addr := c.u64()
	if c.err != nil {
		return 0, c.err
	}
	if ver == 3 && typ != sharedTypeCommitted {
		return 0, fmt.Errorf("shared message in the shared message table at offset %d: %w", off, ErrUnsupported)
	}
	return addr, nil
}
