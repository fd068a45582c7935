package comm

import (
	"errors"
	"fmt"
	"math"
)

// decodeCtl decodes one control message (the msgpack map writeCtl makes)
// with a reader of its own rather than msgpack.Unmarshal: a generic
// decoder trusts the lengths a message declares and may allocate megabytes
// for a 30-byte message that claims a long array. Here every declared
// length is checked against the bytes that remain before anything is
// made, so a message never costs more memory than its own size (at most
// maxCtlMsg).
func decodeCtl(b []byte) (ctlMsg, error) {
	d := ctlDecoder{b: b}
	var m ctlMsg
	n, err := d.mapLen()
	if err != nil {
		return m, err
	}
	for range n {
		key, err := d.str()
		if err != nil {
			return m, err
		}
		switch key {
		case "t":
			m.T, err = d.str()
		case "a":
			m.Addr, err = d.str()
		case "m":
			m.Msg, err = d.str()
		case "r":
			m.Rank, err = d.int()
		case "c":
			m.Code, err = d.int()
		case "as":
			m.Addrs, err = d.strs()
		case "rs":
			m.Ranks, err = d.ints()
		default:
			err = fmt.Errorf("unknown field %q", key)
		}
		if err != nil {
			return ctlMsg{}, err
		}
	}
	if d.off != len(d.b) {
		return ctlMsg{}, fmt.Errorf("%d bytes after the message", len(d.b)-d.off)
	}
	return m, nil
}

var errCtlShort = errors.New("message ends early")

type ctlDecoder struct {
	b   []byte
	off int
}

func (d *ctlDecoder) byte() (byte, error) {
	if d.off >= len(d.b) {
		return 0, errCtlShort
	}
	c := d.b[d.off]
	d.off++
	return c, nil
}

// uint reads an n-byte big-endian length or number.
func (d *ctlDecoder) uint(n int) (uint64, error) {
	if len(d.b)-d.off < n {
		return 0, errCtlShort
	}
	var v uint64
	for _, c := range d.b[d.off : d.off+n] {
		v = v<<8 | uint64(c)
	}
	d.off += n
	return v, nil
}

// length checks that count items of at least min bytes each fit in what
// remains.
func (d *ctlDecoder) length(count uint64, min int) (int, error) {
	if count > uint64(len(d.b)-d.off)/uint64(min) {
		return 0, fmt.Errorf("declares %d items in %d bytes", count, len(d.b)-d.off)
	}
	return int(count), nil
}

func (d *ctlDecoder) mapLen() (int, error) {
	c, err := d.byte()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case c&0xf0 == 0x80:
		n = uint64(c & 0x0f)
	case c == 0xde:
		n, err = d.uint(2)
	case c == 0xdf:
		n, err = d.uint(4)
	default:
		return 0, fmt.Errorf("want a map, got type byte 0x%02x", c)
	}
	if err != nil {
		return 0, err
	}
	return d.length(n, 2) // a key and a value: one byte each at least
}

func (d *ctlDecoder) str() (string, error) {
	c, err := d.byte()
	if err != nil {
		return "", err
	}
	var n uint64
	switch {
	case c&0xe0 == 0xa0:
		n = uint64(c & 0x1f)
	case c == 0xd9:
		n, err = d.uint(1)
	case c == 0xda:
		n, err = d.uint(2)
	case c == 0xdb:
		n, err = d.uint(4)
	case c == 0xc0: // nil: an empty string
		return "", nil
	default:
		return "", fmt.Errorf("want a string, got type byte 0x%02x", c)
	}
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.b)-d.off) {
		return "", fmt.Errorf("string of %d bytes in %d", n, len(d.b)-d.off)
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s, nil
}

// arrayLen reads an array header; nil (0xc0) is an empty array.
func (d *ctlDecoder) arrayLen() (int, error) {
	c, err := d.byte()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case c&0xf0 == 0x90:
		n = uint64(c & 0x0f)
	case c == 0xdc:
		n, err = d.uint(2)
	case c == 0xdd:
		n, err = d.uint(4)
	case c == 0xc0:
		return 0, nil
	default:
		return 0, fmt.Errorf("want an array, got type byte 0x%02x", c)
	}
	if err != nil {
		return 0, err
	}
	return d.length(n, 1)
}

func (d *ctlDecoder) ints() ([]int, error) {
	count, err := d.arrayLen()
	if err != nil || count == 0 {
		return nil, err
	}
	out := make([]int, 0, count)
	for range count {
		v, err := d.int()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *ctlDecoder) strs() ([]string, error) {
	c, err := d.byte()
	if err != nil {
		return nil, err
	}
	var n uint64
	switch {
	case c&0xf0 == 0x90:
		n = uint64(c & 0x0f)
	case c == 0xdc:
		n, err = d.uint(2)
	case c == 0xdd:
		n, err = d.uint(4)
	case c == 0xc0:
		return nil, nil
	default:
		return nil, fmt.Errorf("want an array, got type byte 0x%02x", c)
	}
	if err != nil {
		return nil, err
	}
	count, err := d.length(n, 1)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, count)
	for range count {
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (d *ctlDecoder) int() (int, error) {
	c, err := d.byte()
	if err != nil {
		return 0, err
	}
	var v int64
	switch {
	case c <= 0x7f:
		return int(c), nil
	case c >= 0xe0:
		return int(int8(c)), nil
	case c >= 0xcc && c <= 0xcf: // uint8..uint64
		u, err := d.uint(1 << (c - 0xcc))
		if err != nil {
			return 0, err
		}
		if u > math.MaxInt32 {
			return 0, fmt.Errorf("number %d out of range", u)
		}
		return int(u), nil
	case c >= 0xd0 && c <= 0xd3: // int8..int64
		size := 1 << (c - 0xd0)
		u, err := d.uint(size)
		if err != nil {
			return 0, err
		}
		shift := 64 - 8*size // sign-extend the size-byte number
		v = int64(u<<shift) >> shift
	default:
		return 0, fmt.Errorf("want a number, got type byte 0x%02x", c)
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("number %d out of range", v)
	}
	return int(v), nil
}
