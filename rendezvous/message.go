package rendezvous

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Type is the type of a control message.
//
// WARNING: only append to this list. The numbers are part of the protocol.
type Type uint8

const (
	// TypeRegister, rank to server: Text is the address the rank listens
	// on for its peers.
	TypeRegister Type = 1 + iota
	// TypeTable, server to every rank once all registered: Addrs holds
	// every rank's address, by rank.
	TypeTable
	// TypeFailed, server to ranks: rank Rank failed; Text says how
	// ("exited with code 3", "killed by signal 9 (SIGKILL)", ...). Code
	// is not 0 when the notice may be a follower's, a rank that failed
	// because another failed first, whose notice may come next: its exit
	// code when it exited with a plain code (1-127), or -1 when a
	// self-hosted server lost its connection (see Server.ReportLoss).
	TypeFailed
	// TypeAbort, rank to server: the rank called Abort(Code); server to
	// every rank: rank Rank aborted the job with Code.
	TypeAbort
	// TypeCause, rank to server: this rank fails because rank Rank failed
	// first (the launcher then names Rank, not this follower).
	TypeCause
	// TypeGoodbye, rank to server: the rank closed its world
	// communicator. Ranks got a goodbye on its streams; Cause, if not 0,
	// is 1 + the rank it failed because of before closing, Text how.
	TypeGoodbye
	// TypeLeft, server to the other ranks: rank Rank said goodbye (Ranks,
	// Cause and Text as its TypeGoodbye).
	TypeLeft
	// TypePanicked, rank to server: the rank's Close ran while it was
	// panicking: it failed, it did not leave cleanly.
	TypePanicked
	// TypeStats, rank to server, before its goodbye: one part of the
	// rank's I/O statistics (package iostats' snapshot, JSON) in Text;
	// Code is 1 when more parts follow, 0 on the last. Sent only when the
	// job asked for statistics (GORUN_IOSTATS).
	TypeStats

	typeLast = TypeStats
)

var typeNames = [...]string{TypeRegister: "register", TypeTable: "table", TypeFailed: "failed", TypeAbort: "abort",
	TypeCause: "cause", TypeGoodbye: "goodbye", TypeLeft: "left", TypePanicked: "panicked", TypeStats: "stats"}

// String is the message type's name in the protocol's words ("failed").
func (t Type) String() string {
	if t >= TypeRegister && t <= typeLast {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Msg is one control message. Which fields a type uses is said at the
// type; the others are zero.
type Msg struct {
	Type  Type
	Rank  int      // the rank a message is about
	Code  int      // TypeAbort: the exit code; TypeFailed: see there
	Cause int      // TypeGoodbye, TypeLeft: 1 + the rank the leaver failed because of; 0 = none
	Ranks []int    // TypeGoodbye, TypeLeft: the ranks that got a goodbye on the leaver's streams
	Addrs []string // TypeTable
	Text  string   // TypeRegister: an address; TypeFailed: how; TypeGoodbye, TypeLeft: the cause's how
}

// A control message is a fixed 32-byte header and a payload, like comm's
// data frame. Layout (little endian):
//
//	magic u32 | type u8 | pad [3]u8 | rank i32 | code i32 | cause i32 |
//	nranks u32 | naddrs u32 | len u32
//
// then len payload bytes: nranks ranks (i32 each), naddrs addresses (u16
// length + bytes each), and the text, the rest.
const (
	msgMagic   = 0x67724331 // "grC1"
	msgHdrSize = 32
	// MaxPayload bounds one message's payload: a table of 10,000 ranks'
	// addresses fits many times over.
	MaxPayload = 1 << 20
)

// ErrFormat: a control message is malformed (a stream that is not gorun's
// control protocol, or corrupt).
var ErrFormat = errors.New("rendezvous: malformed control message")

// Append appends m's encoding to b.
func (m *Msg) Append(b []byte) ([]byte, error) {
	n := 4 * len(m.Ranks)
	for _, a := range m.Addrs {
		if len(a) > math.MaxUint16 {
			return b, fmt.Errorf("rendezvous: %s message: address of %d bytes: %w", m.Type, len(a), ErrFormat)
		}
		n += 2 + len(a)
	}
	n += len(m.Text)
	if n > MaxPayload {
		return b, fmt.Errorf("rendezvous: %s message of %d bytes is over the %d limit: %w", m.Type, n, MaxPayload, ErrFormat)
	}
	for _, v := range []int{m.Rank, m.Code, m.Cause} {
		if v < math.MinInt32 || v > math.MaxInt32 {
			return b, fmt.Errorf("rendezvous: %s message: number %d out of range: %w", m.Type, v, ErrFormat)
		}
	}
	le := binary.LittleEndian
	b = le.AppendUint32(b, msgMagic)
	b = append(b, byte(m.Type), 0, 0, 0)
	b = le.AppendUint32(b, uint32(int32(m.Rank)))
	b = le.AppendUint32(b, uint32(int32(m.Code)))
	b = le.AppendUint32(b, uint32(int32(m.Cause)))
	b = le.AppendUint32(b, uint32(len(m.Ranks)))
	b = le.AppendUint32(b, uint32(len(m.Addrs)))
	b = le.AppendUint32(b, uint32(n))
	for _, r := range m.Ranks {
		if r < math.MinInt32 || r > math.MaxInt32 {
			return b, fmt.Errorf("rendezvous: %s message: rank %d out of range: %w", m.Type, r, ErrFormat)
		}
		b = le.AppendUint32(b, uint32(int32(r)))
	}
	for _, a := range m.Addrs {
		b = le.AppendUint16(b, uint16(len(a)))
		b = append(b, a...)
	}
	return append(b, m.Text...), nil
}

// Write writes m to w in one call.
func Write(w io.Writer, m Msg) error {
	b, err := m.Append(make([]byte, 0, msgHdrSize+64))
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Read reads one message from r. No length is trusted before it is
// checked: the payload buffer grows as its bytes arrive, so a header that
// claims a megabyte costs memory only when the megabyte comes.
//
// The magic is checked before the rest of the header is read: a peer
// speaking another protocol (a rank built from another version of gorun)
// may send fewer bytes than a header and then wait for an answer.
func Read(r io.Reader) (Msg, error) {
	var h [msgHdrSize]byte
	if _, err := io.ReadFull(r, h[:4]); err != nil {
		return Msg{}, err
	}
	if m := binary.LittleEndian.Uint32(h[:]); m != msgMagic {
		return Msg{}, fmt.Errorf("rendezvous: control message: magic %#x: not a gorun control stream (a gorun and a program built from different gorun versions?): %w", m, ErrFormat)
	}
	if _, err := io.ReadFull(r, h[4:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Msg{}, err
	}
	n := binary.LittleEndian.Uint32(h[28:])
	if n > MaxPayload {
		return Msg{}, fmt.Errorf("rendezvous: control message of %d bytes is over the %d limit: %w", n, MaxPayload, ErrFormat)
	}
	var p bytes.Buffer
	if _, err := io.CopyN(&p, r, int64(n)); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Msg{}, err
	}
	return parse(h[:], p.Bytes())
}

// Parse decodes one whole message (header and payload) from b.
func Parse(b []byte) (Msg, error) {
	if len(b) < msgHdrSize {
		return Msg{}, fmt.Errorf("rendezvous: control message of %d bytes, shorter than its header: %w", len(b), ErrFormat)
	}
	n := binary.LittleEndian.Uint32(b[28:])
	if uint64(n) != uint64(len(b)-msgHdrSize) {
		return Msg{}, fmt.Errorf("rendezvous: control message declares %d payload bytes, has %d: %w", n, len(b)-msgHdrSize, ErrFormat)
	}
	return parse(b[:msgHdrSize], b[msgHdrSize:])
}

// parse decodes header h and its payload p (already len bytes).
func parse(h, p []byte) (Msg, error) {
	le := binary.LittleEndian
	bad := func(format string, args ...any) (Msg, error) {
		return Msg{}, fmt.Errorf("rendezvous: control message: %s: %w", fmt.Sprintf(format, args...), ErrFormat)
	}
	if m := le.Uint32(h); m != msgMagic {
		return bad("magic %#x: not a gorun control stream, or a corrupt one", m)
	}
	t := Type(h[4])
	if t < TypeRegister || t > typeLast {
		return bad("unknown type %d", h[4])
	}
	if h[5]|h[6]|h[7] != 0 {
		return bad("padding bytes %x are not zero", h[5:8])
	}
	m := Msg{Type: t,
		Rank:  int(int32(le.Uint32(h[8:]))),
		Code:  int(int32(le.Uint32(h[12:]))),
		Cause: int(int32(le.Uint32(h[16:]))),
	}
	nranks, naddrs := le.Uint32(h[20:]), le.Uint32(h[24:])
	if uint64(nranks) > uint64(len(p))/4 {
		return bad("%d ranks in %d payload bytes", nranks, len(p))
	}
	if nranks > 0 {
		m.Ranks = make([]int, nranks)
		for i := range m.Ranks {
			m.Ranks[i] = int(int32(le.Uint32(p)))
			p = p[4:]
		}
	}
	if uint64(naddrs) > uint64(len(p))/2 {
		return bad("%d addresses in %d bytes", naddrs, len(p))
	}
	if naddrs > 0 {
		m.Addrs = make([]string, naddrs)
		for i := range m.Addrs {
			if len(p) < 2 {
				return bad("address %d of %d: no length", i, naddrs)
			}
			l := int(le.Uint16(p))
			if l > len(p)-2 {
				return bad("address %d of %d bytes in %d", i, l, len(p)-2)
			}
			m.Addrs[i] = string(p[2 : 2+l])
			p = p[2+l:]
		}
	}
	m.Text = string(p)
	return m, nil
}
