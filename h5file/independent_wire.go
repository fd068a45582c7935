package h5file

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// A rank's creation log as it travels to every rank at a flush. msgpack
// of the ops themselves (every op carrying its datatype's two dozen
// fields) cost four fifths of a flush that merged 1024 creations, so the
// log is written by hand: each distinct datatype once in a table, then
// the ops, fields in order, slices length-prefixed (a length
// of 0 reads back as nil, which is what h5core means by an absent shape,
// chunk or fill). The decoder trusts no length: each is checked against
// the bytes left before anything is allocated.

const (
	logMagic     = "GRL1"
	maxTypeDepth = 16 // nesting of compound, array, enum and vlen types
)

// errLog is a malformed log.
var errLog = errors.New("malformed creation log")

// encodeLog writes ops (types deduplicated by pointer, then by bytes).
func encodeLog(ops []indepOp) ([]byte, error) {
	var types [][]byte
	byPtr := map[*h5core.Datatype]int{}
	byBytes := map[string]int{}
	typeIdx := func(t *h5core.Datatype) (uint64, error) {
		if t == nil {
			return 0, nil
		}
		if i, ok := byPtr[t]; ok {
			return uint64(i + 1), nil
		}
		b, err := appendType(nil, t, 0)
		if err != nil {
			return 0, err
		}
		i, ok := byBytes[string(b)]
		if !ok {
			i = len(types)
			types = append(types, b)
			byBytes[string(b)] = i
		}
		byPtr[t] = i
		return uint64(i + 1), nil
	}
	body := make([]byte, 0, 64*len(ops))
	body = binary.AppendUvarint(body, uint64(len(ops)))
	for i := range ops {
		op := &ops[i]
		body = append(body, op.Kind, op.Mode)
		body = appendString(body, op.Path)
		body = appendString(body, op.Attr)
		ti, err := typeIdx(op.Type)
		if err != nil {
			return nil, err
		}
		body = binary.AppendUvarint(body, ti)
		body = appendUints(body, op.Shape)
		if s := op.Spec; s == nil {
			body = append(body, 0)
		} else {
			ti, err := typeIdx(s.Type)
			if err != nil {
				return nil, err
			}
			var flags byte = 1
			if s.Compact {
				flags |= 2
			}
			if s.Null {
				flags |= 4
			}
			body = append(body, flags)
			body = binary.AppendUvarint(body, ti)
			body = appendUints(body, s.Shape)
			body = appendUints(body, s.MaxShape)
			body = appendUints(body, s.Chunk)
			body = appendBytes(body, s.Fill)
			body = binary.AppendUvarint(body, uint64(len(s.Filters)))
			for _, fl := range s.Filters {
				body = binary.AppendUvarint(body, uint64(fl.ID))
				body = binary.AppendUvarint(body, uint64(fl.Flags))
				body = appendString(body, fl.Name)
				body = binary.AppendUvarint(body, uint64(len(fl.ClientData)))
				for _, c := range fl.ClientData {
					body = binary.AppendUvarint(body, uint64(c))
				}
			}
		}
		body = appendBytes(body, op.Value.Buf)
		body = binary.AppendUvarint(body, uint64(len(op.Value.Data)))
		for j, d := range op.Value.Data {
			c := uint32(0)
			if j < len(op.Value.Counts) {
				c = op.Value.Counts[j]
			}
			body = binary.AppendUvarint(body, uint64(c))
			body = appendBytes(body, d)
		}
		for _, v := range [][]uint64{op.Start, op.Stride, op.Count, op.Block} {
			body = appendUints(body, v)
		}
		body = binary.AppendUvarint(body, uint64(op.Local))
	}
	out := append([]byte(logMagic), binary.AppendUvarint(nil, uint64(len(types)))...)
	for _, t := range types {
		out = append(out, t...)
	}
	return append(out, body...), nil
}

// appendType writes every field of a datatype, in the order of
// h5core.Datatype's declaration (TestLogDatatypeFields fails when a field
// is added there and not here).
func appendType(b []byte, t *h5core.Datatype, depth int) ([]byte, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("h5file: a datatype nested more than %d deep", maxTypeDepth)
	}
	if t == nil {
		return append(b, 0), nil
	}
	var flags byte = 1
	if t.Signed {
		flags |= 2
	}
	if t.VlenString {
		flags |= 4
	}
	b = append(b, flags, byte(t.Class), byte(t.Order), t.SignLoc, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize, t.MantNorm, t.PadBits, byte(t.Pad), byte(t.Charset), t.RefType)
	for _, v := range []uint64{uint64(t.Size), uint64(t.BitOffset), uint64(t.Precision), uint64(t.ExpBias)} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(t.Members)))
	for _, m := range t.Members {
		b = appendString(b, m.Name)
		b = binary.AppendUvarint(b, uint64(m.Offset))
		var err error
		if b, err = appendType(b, m.Type, depth+1); err != nil {
			return nil, err
		}
	}
	b, err := appendType(b, t.Base, depth+1)
	if err != nil {
		return nil, err
	}
	b = binary.AppendUvarint(b, uint64(len(t.EnumNames)))
	for _, n := range t.EnumNames {
		b = appendString(b, n)
	}
	b = binary.AppendUvarint(b, uint64(len(t.EnumValues)))
	for _, v := range t.EnumValues {
		b = appendBytes(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(t.Dims)))
	for _, d := range t.Dims {
		b = binary.AppendUvarint(b, uint64(d))
	}
	return appendString(b, t.Tag), nil
}

// readType reads what appendType wrote.
func (r *logReader) readType(depth int) *h5core.Datatype {
	if depth > maxTypeDepth {
		r.fail("a datatype nested too deep")
		return nil
	}
	flags := r.byte()
	if flags&1 == 0 || r.err != nil {
		return nil
	}
	var f [13]byte
	f[0] = flags
	for i := 1; i < len(f); i++ {
		f[i] = r.byte()
	}
	t := &h5core.Datatype{Signed: flags&2 != 0, VlenString: flags&4 != 0, Class: h5core.Class(f[1]), Order: h5core.ByteOrder(f[2]),
		SignLoc: f[3], ExpLoc: f[4], ExpSize: f[5], MantLoc: f[6], MantSize: f[7], MantNorm: f[8], PadBits: f[9],
		Pad: h5core.StrPad(f[10]), Charset: h5core.Charset(f[11]), RefType: f[12]}
	t.Size = uint32(r.small(0xffffffff, "datatype size"))
	t.BitOffset = uint16(r.small(0xffff, "bit offset"))
	t.Precision = uint16(r.small(0xffff, "precision"))
	t.ExpBias = uint32(r.small(0xffffffff, "exponent bias"))
	if n := r.count(3); n > 0 {
		t.Members = make([]h5core.Member, n)
		for i := range t.Members {
			t.Members[i].Name = r.string()
			t.Members[i].Offset = uint32(r.small(0xffffffff, "member offset"))
			t.Members[i].Type = r.readType(depth + 1)
		}
	}
	t.Base = r.readType(depth + 1)
	if n := r.count(1); n > 0 {
		t.EnumNames = make([]string, n)
		for i := range t.EnumNames {
			t.EnumNames[i] = r.string()
		}
	}
	if n := r.count(1); n > 0 {
		t.EnumValues = make([][]byte, n)
		for i := range t.EnumValues {
			t.EnumValues[i] = r.bytes()
		}
	}
	if n := r.count(1); n > 0 {
		t.Dims = make([]uint32, n)
		for i := range t.Dims {
			t.Dims[i] = uint32(r.small(0xffffffff, "array dimension"))
		}
	}
	t.Tag = r.string()
	if r.err != nil {
		return nil
	}
	return t
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendUints(b []byte, v []uint64) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	for _, x := range v {
		b = binary.AppendUvarint(b, x)
	}
	return b
}

// logReader reads a log; the first error sticks and later reads return
// zero values.
type logReader struct {
	b   []byte
	err error
}

func (r *logReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errLog, what)
	}
	r.b = nil
}

func (r *logReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("a number runs past the end")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length of items each at least min bytes long.
func (r *logReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail(fmt.Sprintf("a length of %d with %d bytes left", n, len(r.b)))
		return 0
	}
	return int(n)
}

func (r *logReader) byte() byte {
	if len(r.b) == 0 {
		r.fail("a field runs past the end")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *logReader) bytes() []byte {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	p := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return p
}

func (r *logReader) string() string { return string(r.bytes()) }

func (r *logReader) uints() []uint64 {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	v := make([]uint64, n)
	for i := range v {
		v[i] = r.uvarint()
	}
	return v
}

func (r *logReader) small(max uint64, what string) uint64 {
	v := r.uvarint()
	if v > max {
		r.fail(fmt.Sprintf("%s %d", what, v))
		return 0
	}
	return v
}

// decodeLog reads a log encodeLog wrote. Each op gets its own copy of
// its datatype (models keep the pointers they are given).
func decodeLog(b []byte) ([]indepOp, error) {
	if len(b) < len(logMagic) || string(b[:len(logMagic)]) != logMagic {
		return nil, fmt.Errorf("%w: no %q at its start", errLog, logMagic)
	}
	r := &logReader{b: b[len(logMagic):]}
	types := make([]*h5core.Datatype, r.count(1))
	for i := range types {
		if types[i] = r.readType(0); types[i] == nil {
			r.fail(fmt.Sprintf("datatype %d", i))
			break
		}
	}
	typ := func() *h5core.Datatype {
		i := r.small(uint64(len(types)), "datatype number")
		if i == 0 || r.err != nil {
			return nil
		}
		return types[i-1].Clone()
	}
	ops := make([]indepOp, r.count(8))
	for i := range ops {
		if r.err != nil {
			break
		}
		op := &ops[i]
		op.Kind, op.Mode = r.byte(), r.byte()
		op.Path, op.Attr = r.string(), r.string()
		op.Type = typ()
		op.Shape = r.uints()
		if flags := r.byte(); flags&1 != 0 {
			s := &h5core.DatasetSpec{Compact: flags&2 != 0, Null: flags&4 != 0}
			s.Type = typ()
			s.Shape, s.MaxShape, s.Chunk = r.uints(), r.uints(), r.uints()
			s.Fill = r.bytes()
			if n := r.count(4); n > 0 {
				s.Filters = make([]h5core.Filter, n)
				for j := range s.Filters {
					fl := &s.Filters[j]
					fl.ID = uint16(r.small(0xffff, "filter id"))
					fl.Flags = uint16(r.small(0xffff, "filter flags"))
					fl.Name = r.string()
					if m := r.count(1); m > 0 {
						fl.ClientData = make([]uint32, m)
						for k := range fl.ClientData {
							fl.ClientData[k] = uint32(r.small(0xffffffff, "filter parameter"))
						}
					}
				}
			}
			op.Spec = s
		}
		op.Value.Buf = r.bytes()
		if n := r.count(2); n > 0 {
			op.Value.Counts = make([]uint32, n)
			op.Value.Data = make([][]byte, n)
			for j := range n {
				op.Value.Counts[j] = uint32(r.small(0xffffffff, "element count"))
				op.Value.Data[j] = r.bytes()
			}
		}
		op.Start, op.Stride, op.Count, op.Block = r.uints(), r.uints(), r.uints(), r.uints()
		op.Local = int(r.small(1<<31, "held write number"))
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Sprintf("%d bytes after the last op", len(r.b)))
	}
	if r.err != nil {
		return nil, r.err
	}
	return ops, nil
}
