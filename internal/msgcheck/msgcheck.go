// Package msgcheck checks the structure of a msgpack message before it is
// decoded: every length it claims must fit in the bytes that follow, and
// nesting is bounded. A decoder trusts those lengths (it allocates what a
// header claims, and recurses once per level), so a message from a peer
// that is broken or hostile could otherwise exhaust memory or the stack
// with a few bytes; checked first, it is an error instead.
package msgcheck

import (
	"encoding/binary"
	"fmt"
)

// MaxDepth bounds the nesting of arrays and maps: far above any value the
// runtime sends, far below what exhausts a goroutine's stack.
const MaxDepth = 1000

// Check reports whether b holds one well-formed msgpack value (trailing
// bytes are allowed, as decoders ignore them) whose claimed lengths all
// fit in b and whose nesting is at most MaxDepth.
func Check(b []byte) error {
	p := 0
	// pending[i] is how many more items the container at depth i holds.
	pending := []int{1}
	for len(pending) > 0 {
		top := len(pending) - 1
		if pending[top] == 0 {
			pending = pending[:top]
			continue
		}
		pending[top]--
		if p >= len(b) {
			return fmt.Errorf("msgpack: truncated at byte %d", p)
		}
		c := b[p]
		p++
		var n, skip int // n: items of a container; skip: payload bytes
		container, isMap := false, false
		switch {
		case c <= 0x7f || c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
		case c >= 0x80 && c <= 0x8f:
			container, isMap, n = true, true, int(c&0x0f)
		case c >= 0x90 && c <= 0x9f:
			container, n = true, int(c&0x0f)
		case c >= 0xa0 && c <= 0xbf:
			skip = int(c & 0x1f)
		case c == 0xc1:
			return fmt.Errorf("msgpack: reserved byte 0xc1 at byte %d", p-1)
		default:
			size, lenBytes, extra := fixedSize(c)
			if lenBytes > 0 {
				if len(b)-p < lenBytes {
					return fmt.Errorf("msgpack: truncated length at byte %d", p)
				}
				v := readLen(b[p:], lenBytes)
				p += lenBytes
				switch c {
				case 0xdc, 0xdd:
					container, n = true, v
				case 0xde, 0xdf:
					container, isMap, n = true, true, v
				default:
					skip = v + extra
				}
			} else {
				skip = size
			}
		}
		if container {
			items := n
			if isMap {
				items = 2 * n
			}
			if n < 0 || items < n || items > len(b)-p {
				return fmt.Errorf("msgpack: a container at byte %d claims %d items; %d bytes follow", p-1, items, len(b)-p)
			}
			if items > 0 {
				if len(pending) >= MaxDepth {
					return fmt.Errorf("msgpack: nested deeper than %d", MaxDepth)
				}
				pending = append(pending, items)
			}
			continue
		}
		if skip < 0 || skip > len(b)-p {
			return fmt.Errorf("msgpack: a value at byte %d claims %d bytes; %d follow", p-1, skip, len(b)-p)
		}
		p += skip
	}
	return nil
}

// fixedSize describes the header byte c of a value that is not a fix-type:
// its payload size, or the size of its length field and the bytes that
// follow the length besides the payload (an ext's type byte).
func fixedSize(c byte) (size, lenBytes, extra int) {
	switch c {
	case 0xc4, 0xd9:
		return 0, 1, 0
	case 0xc5, 0xda:
		return 0, 2, 0
	case 0xc6, 0xdb:
		return 0, 4, 0
	case 0xc7:
		return 0, 1, 1
	case 0xc8:
		return 0, 2, 1
	case 0xc9:
		return 0, 4, 1
	case 0xca, 0xce, 0xd2:
		return 4, 0, 0
	case 0xcb, 0xcf, 0xd3:
		return 8, 0, 0
	case 0xcc, 0xd0:
		return 1, 0, 0
	case 0xcd, 0xd1:
		return 2, 0, 0
	case 0xd4:
		return 2, 0, 0
	case 0xd5:
		return 3, 0, 0
	case 0xd6:
		return 5, 0, 0
	case 0xd7:
		return 9, 0, 0
	case 0xd8:
		return 17, 0, 0
	case 0xdc, 0xde:
		return 0, 2, 0
	case 0xdd, 0xdf:
		return 0, 4, 0
	}
	return 0, 0, 0
}

// readLen reads a big-endian length of n bytes, as an int that is
// negative when it does not fit one.
func readLen(b []byte, n int) int {
	var v uint64
	switch n {
	case 1:
		v = uint64(b[0])
	case 2:
		v = uint64(binary.BigEndian.Uint16(b))
	case 4:
		v = uint64(binary.BigEndian.Uint32(b))
	}
	if v > 1<<62 {
		return -1
	}
	return int(v)
}
