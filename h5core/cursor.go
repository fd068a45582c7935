package h5core

import "encoding/binary"

// cursor decodes little-endian fields from a byte slice that was read from
// file offset base. Reading past the end sets err (a *FormatError naming the
// offset) and returns zeros, so decoders can read a whole record and check
// the error once.
type cursor struct {
	b    []byte
	p    int
	base int64
	err  error
	what string // structure being decoded, for error messages
}

func newCursor(b []byte, base int64, what string) *cursor {
	return &cursor{b: b, base: base, what: what}
}

func (c *cursor) off() int64 { return c.base + int64(c.p) }

func (c *cursor) need(n int) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || len(c.b)-c.p < n {
		c.err = formatErr(c.off(), c.what+": truncated", n)
		return false
	}
	return true
}

func (c *cursor) fail(msg string, val any) {
	if c.err == nil {
		c.err = formatErr(c.off(), c.what+": "+msg, val)
	}
}

func (c *cursor) u8() uint8 {
	if !c.need(1) {
		return 0
	}
	v := c.b[c.p]
	c.p++
	return v
}

func (c *cursor) u16() uint16 {
	if !c.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(c.b[c.p:])
	c.p += 2
	return v
}

func (c *cursor) u32() uint32 {
	if !c.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(c.b[c.p:])
	c.p += 4
	return v
}

func (c *cursor) u64() uint64 {
	if !c.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(c.b[c.p:])
	c.p += 8
	return v
}

// uN reads an n-byte little-endian unsigned integer (n <= 8).
func (c *cursor) uN(n int) uint64 {
	if n > 8 || !c.need(n) {
		c.fail("field size", n)
		return 0
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(c.b[c.p+i])
	}
	c.p += n
	return v
}

func (c *cursor) bytes(n int) []byte {
	if !c.need(n) {
		return nil
	}
	v := c.b[c.p : c.p+n]
	c.p += n
	return v
}

func (c *cursor) skip(n int) {
	if c.need(n) {
		c.p += n
	}
}

// cstring reads a NUL-terminated string, then skips padding so the total
// consumed (string + NUL + pad) is a multiple of align (align 0: no pad).
func (c *cursor) cstring(align int) string {
	if c.err != nil {
		return ""
	}
	start := c.p
	i := start
	for i < len(c.b) && c.b[i] != 0 {
		i++
	}
	if i >= len(c.b) {
		c.fail("unterminated string", nil)
		return ""
	}
	s := string(c.b[start:i])
	n := i + 1 - start
	if align > 0 {
		n = pad(n, align)
	}
	if len(c.b)-start < n {
		n = len(c.b) - start
	}
	c.p = start + n
	return s
}

func (c *cursor) rest() int { return len(c.b) - c.p }

// pad rounds n up to a multiple of a.
func pad(n, a int) int { return (n + a - 1) / a * a }

// Encoding helpers: append little-endian fields.
func put16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func put32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func put64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// putName appends s, a NUL and zero padding to a multiple of align bytes.
func putName(b []byte, s string, align int) []byte {
	n := len(s) + 1
	if align > 0 {
		n = pad(n, align)
	}
	b = append(b, s...)
	for i := len(s); i < n; i++ {
		b = append(b, 0)
	}
	return b
}

// padTo appends zeros to b until len(b)-start is a multiple of a.
func padTo(b []byte, start, a int) []byte {
	for (len(b)-start)%a != 0 {
		b = append(b, 0)
	}
	return b
}

// appendUint appends the n low bytes of v, little-endian (a variable-size
// field such as a version 2 header's chunk size).
func appendUint(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}
