package h5core

import "fmt"

// Attribute is a small named value attached to a group or dataset. Data
// holds the elements packed in the file's layout (Type's byte order and
// member offsets); elements of variable-length types are 16-byte global
// heap references made by File.PutVlen.
type Attribute struct {
	Name  string
	Type  *Datatype
	Shape []uint64 // nil or empty: scalar
	Data  []byte
	Null  bool // H5S_NULL dataspace: no elements (h5py.Empty); Shape and Data empty
	// Named, if set, is the committed datatype the attribute shares
	// (Type must then equal its type): the attribute's message points at
	// it instead of holding a copy, as h5py's attrs.create(dtype=f['t']).
	Named *NamedType

	namedOnDisk bool // Named's reference count already counts this attribute (read from a file)

	crt uint16 // creation index, on objects that track attribute creation order
}

// maxMessageSize is the largest body a version 1 object header message
// can have (its size field is 16 bits); libhdf5's default format has the
// same limit for attributes.
const maxMessageSize = 65535 - 7

// maxAttrBytes bounds an attribute in dense storage (objects of the newer
// family): a managed object of the fractal heaps this package writes.
const maxAttrBytes = 16<<20 - 64

func (a *Attribute) check() error {
	if a.Name == "" || indexNUL(a.Name) >= 0 {
		return fmt.Errorf("h5core: attribute name %q is empty or holds a NUL", a.Name)
	}
	if a.Type == nil {
		return fmt.Errorf("h5core: attribute %q has no datatype", a.Name)
	}
	if len(a.Shape) > MaxRank {
		return fmt.Errorf("h5core: attribute %q has rank %d (max %d)", a.Name, len(a.Shape), MaxRank)
	}
	if a.Null {
		if len(a.Shape) != 0 || len(a.Data) != 0 {
			return fmt.Errorf("h5core: null attribute %q with a shape or data", a.Name)
		}
		return nil
	}
	if !a.Type.shallow(0) {
		return fmt.Errorf("h5core: attribute %q: datatype is cyclic or nested too deeply", a.Name)
	}
	n, ok := numElements(a.Shape)
	if !ok || n > maxAttrBytes || n*uint64(a.Type.Size) != uint64(len(a.Data)) {
		return fmt.Errorf("h5core: attribute %q: %d data bytes for shape %v of %d-byte elements", a.Name, len(a.Data), a.Shape, a.Type.Size)
	}
	return nil
}

// encode returns a version 1 attribute message (what libhdf5 1.10 writes
// by default).
func (a *Attribute) encode() ([]byte, error) {
	if a.Named != nil {
		return a.encodeShared()
	}
	dt, err := a.Type.encode()
	if err != nil {
		return nil, err
	}
	ds := encodeDataspace(a.Shape, a.Shape)
	if a.Null {
		ds = []byte{2, 0, 0, 2} // version 2, rank 0, no flags, type null
	}
	b := []byte{1, 0}
	b = put16(b, uint16(len(a.Name)+1))
	b = put16(b, uint16(len(dt)))
	b = put16(b, uint16(len(ds)))
	b = putName(b, a.Name, 8)
	b = append(b, dt...)
	b = padTo(b, 0, 8)
	b = append(b, ds...)
	b = padTo(b, 0, 8)
	b = append(b, a.Data...)
	if len(b) > maxAttrBytes {
		return nil, fmt.Errorf("h5core: attribute %q is %d bytes; at most %d fit: %w", a.Name, len(b), maxAttrBytes, ErrUnsupported)
	}
	return b, nil
}

func decodeAttribute(b []byte, off int64) (*Attribute, error) {
	return decodeAttributeShared(b, off, nil)
}

// decodeAttributeShared decodes an attribute message whose datatype may be
// a committed one (flag bit 0): resolve returns the NamedType at the
// address its shared message names. With a nil resolve such an attribute
// is unsupported.
func decodeAttributeShared(b []byte, off int64, resolve func(addr uint64) (*NamedType, error)) (*Attribute, error) {
	c := newCursor(b, off, "attribute message")
	ver := c.u8()
	flags := c.u8()
	nameSize := int(c.u16())
	dtSize := int(c.u16())
	dsSize := int(c.u16())
	if ver == 3 {
		c.u8() // name character set
	}
	if c.err != nil {
		return nil, c.err
	}
	if ver < 1 || ver > 3 {
		return nil, formatErr(off, "attribute message version", ver)
	}
	if flags&2 != 0 || flags&1 != 0 && resolve == nil {
		return nil, fmt.Errorf("attribute with a shared datatype or dataspace at offset %d: %w", off, ErrUnsupported)
	}
	al := 0
	if ver == 1 {
		al = 8
	}
	field := func(n int) []byte {
		if al > 0 {
			v := c.bytes(pad(n, al))
			if len(v) < n {
				return nil
			}
			return v[:n]
		}
		return c.bytes(n)
	}
	nb := field(nameSize)
	if c.err != nil {
		return nil, c.err
	}
	if nameSize == 0 || len(nb) < nameSize {
		return nil, formatErr(off, "attribute name size", nameSize)
	}
	name := string(nb[:nameSize])
	if i := indexNUL(name); i >= 0 {
		name = name[:i]
	}
	dtOff := c.off()
	dtb := field(dtSize)
	dsOff := c.off()
	dsb := field(dsSize)
	if c.err != nil {
		return nil, c.err
	}
	var named *NamedType
	var t *Datatype
	var err error
	if flags&1 != 0 {
		var addr uint64
		if addr, err = decodeSharedRef(dtb, dtOff); err != nil {
			return nil, err
		}
		if named, err = resolve(addr); err != nil {
			return nil, fmt.Errorf("committed datatype of the attribute at offset %d: %w", off, err)
		}
		t = named.dtype
	} else if t, err = decodeDatatype(dtb, dtOff); err != nil {
		return nil, err
	}
	ds, err := decodeDataspace(dsb, dsOff)
	if err != nil {
		return nil, err
	}
	n, ok := numElements(ds.shape)
	if ds.null {
		n = 0
	}
	if !ok || n > uint64(c.rest()) || n*uint64(t.Size) > uint64(c.rest()) {
		return nil, formatErr(c.off(), "attribute data larger than its message", n)
	}
	data := append([]byte(nil), c.bytes(int(n*uint64(t.Size)))...)
	a := &Attribute{Name: name, Type: t, Shape: ds.shape, Data: data, Null: ds.null, Named: named}
	a.namedOnDisk = named != nil
	return a, nil
}

// attributeName returns the name an attribute message holds, without
// decoding its type (which may be a committed one).
func attributeName(b []byte, off int64) (string, error) {
	c := newCursor(b, off, "attribute message")
	ver := c.u8()
	c.u8()
	nameSize := int(c.u16())
	c.skip(4)
	if ver == 3 {
		c.u8()
	}
	nb := c.bytes(nameSize)
	if c.err != nil {
		return "", c.err
	}
	if ver < 1 || ver > 3 || nameSize == 0 {
		return "", formatErr(off, "attribute message", ver)
	}
	name := string(nb)
	if i := indexNUL(name); i >= 0 {
		name = name[:i]
	}
	return name, nil
}

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

// encodeShared returns a version 2 attribute message whose datatype is a
// shared message pointing at a.Named (version 1 has no flags for it;
// libhdf5 writes version 2 then too). Named's header address must be
// known: the flush writes it first.
func (a *Attribute) encodeShared() ([]byte, error) {
	if a.Named.addr == UndefinedAddr {
		return nil, fmt.Errorf("h5core: attribute %q: its committed datatype has no address yet", a.Name)
	}
	dt := encodeSharedRef(a.Named.addr)
	ds := encodeDataspace(a.Shape, a.Shape)
	if a.Null {
		ds = []byte{2, 0, 0, 2}
	}
	b := []byte{2, 1}
	b = put16(b, uint16(len(a.Name)+1))
	b = put16(b, uint16(len(dt)))
	b = put16(b, uint16(len(ds)))
	b = append(b, a.Name...)
	b = append(b, 0)
	b = append(b, dt...)
	b = append(b, ds...)
	b = append(b, a.Data...)
	if len(b) > maxAttrBytes {
		return nil, fmt.Errorf("h5core: attribute %q is %d bytes; at most %d fit: %w", a.Name, len(b), maxAttrBytes, ErrUnsupported)
	}
	return b, nil
}
