package collectives

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"reflect"
)

// Every collective message starts with a fixed header that says which call
// on which communicator sent it. The receiver compares it with its own call,
// which is how a rank notices that a peer is in a different collective, with
// another root, element type or count, instead of reading foreign bytes as
// its own data.
const (
	hdrMagic   = 0x6f63 // "co"
	hdrVersion = 1
	hdrSize    = 48

	// flagProbe marks a header sent by the watchdog of a rank that waits
	// too long for a peer; flagReply is the answer of a rank that is
	// already past the prober's call.
	flagProbe = 1 << 0
	flagReply = 1 << 1

	// Tags on the communicator's Collective view. Data and probes use
	// different tags so a probe never lands in a data buffer.
	tagData  = 1
	tagProbe = 2

	// kindValue is the element kind of the any-value forms (msgpack).
	kindValue = 0xff
	// kindNone is the element kind of calls without payload (Barrier).
	kindNone = 0
)

// opCode names the collective in a header.
type opCode uint8

const (
	opBarrier opCode = iota + 1
	opBcast
	opGather
	opGatherv
	opScatter
	opScatterv
	opAllgather
	opAllgatherv
	opAlltoall
	opReduce
	opAllreduce
	opScan
	opExscan
	opBcastValue
	opGatherValue
	opScatterValue
	opAllgatherValue
	opAlltoallValue
	opAllreduceValue
	opAlltoallv
	// Appended by nonblocking.go, reduce_scatter.go and cart.go.
	opIbarrier
	opIbcast
	opIreduce
	opIallreduce
	opIgather
	opIallgather
	opIalltoall
	opIscatter
	opReduceScatter
	opReduceScatterBlock
	opCartCreate
	opCartSub
	opNeighborAlltoall
	opNeighborAllgather
	opLast
)

var opNames = [...]string{
	opBarrier:        "Barrier",
	opBcast:          "Bcast",
	opGather:         "Gather",
	opGatherv:        "Gatherv",
	opScatter:        "Scatter",
	opScatterv:       "Scatterv",
	opAllgather:      "Allgather",
	opAllgatherv:     "Allgatherv",
	opAlltoall:       "Alltoall",
	opReduce:         "Reduce",
	opAllreduce:      "Allreduce",
	opScan:           "Scan",
	opExscan:         "Exscan",
	opBcastValue:     "BcastValue",
	opGatherValue:    "GatherValue",
	opScatterValue:   "ScatterValue",
	opAllgatherValue: "AllgatherValue",
	opAlltoallValue:  "AlltoallValue",
	opAllreduceValue: "AllreduceValue",
	opAlltoallv:      "Alltoallv",

	opIbarrier:           "Ibarrier",
	opIbcast:             "Ibcast",
	opIreduce:            "Ireduce",
	opIallreduce:         "Iallreduce",
	opIgather:            "Igather",
	opIallgather:         "Iallgather",
	opIalltoall:          "Ialltoall",
	opIscatter:           "Iscatter",
	opReduceScatter:      "ReduceScatter",
	opReduceScatterBlock: "ReduceScatterBlock",
	opCartCreate:         "NewCart",
	opCartSub:            "Cart.Sub",
	opNeighborAlltoall:   "NeighborAlltoall",
	opNeighborAllgather:  "NeighborAllgather",
}

func (o opCode) String() string {
	if o > 0 && o < opLast {
		return opNames[o]
	}
	return fmt.Sprintf("collective(%d)", uint8(o))
}

// desc is what every member of one collective call must agree on.
type desc struct {
	op    opCode
	kind  uint8  // reflect.Kind of the element, kindValue or kindNone
	root  int32  // -1 when the call has no root
	count int64  // elements that must agree (per rank or total), -1 when none
	check uint64 // hash of other agreed arguments (reduction op, counts vector), 0 when none
}

// header is the decoded wire header.
type header struct {
	desc
	flags  uint8
	sender int32
	commID uint64
	seq    uint64
	// answer, in a reply, is the low 16 bits of the sequence number of
	// the probe it answers, so that of a rank's several watchdogs (one per
	// call in flight) only the prober takes it as news.
	answer uint16
}

func (h *header) encode(b *[hdrSize]byte) {
	binary.LittleEndian.PutUint16(b[0:], hdrMagic)
	b[2] = hdrVersion
	b[3] = h.flags
	b[4] = uint8(h.op)
	b[5] = h.kind
	binary.LittleEndian.PutUint16(b[6:], h.answer)
	binary.LittleEndian.PutUint32(b[8:], uint32(h.root))
	binary.LittleEndian.PutUint32(b[12:], uint32(h.sender))
	binary.LittleEndian.PutUint64(b[16:], h.commID)
	binary.LittleEndian.PutUint64(b[24:], h.seq)
	binary.LittleEndian.PutUint64(b[32:], uint64(h.count))
	binary.LittleEndian.PutUint64(b[40:], h.check)
}

func decodeHeader(b []byte) (header, error) {
	var h header
	if len(b) < hdrSize {
		return h, fmt.Errorf("collectives: message of %d bytes is shorter than a header (%d): is another library sending on the Collective view?", len(b), hdrSize)
	}
	if m := binary.LittleEndian.Uint16(b[0:]); m != hdrMagic || b[2] != hdrVersion {
		return h, fmt.Errorf("collectives: message header has magic %#x version %d, want %#x version %d: every rank must run the same gorun version", m, b[2], hdrMagic, hdrVersion)
	}
	h.flags = b[3]
	h.op = opCode(b[4])
	h.kind = b[5]
	h.answer = binary.LittleEndian.Uint16(b[6:])
	h.root = int32(binary.LittleEndian.Uint32(b[8:]))
	h.sender = int32(binary.LittleEndian.Uint32(b[12:]))
	h.commID = binary.LittleEndian.Uint64(b[16:])
	h.seq = binary.LittleEndian.Uint64(b[24:])
	h.count = int64(binary.LittleEndian.Uint64(b[32:]))
	h.check = binary.LittleEndian.Uint64(b[40:])
	return h, nil
}

// kindOf gives the element kind of T; reflect sees through named types
// (type Temperature float64 travels as float64).
func kindOf[T any]() uint8 {
	return uint8(reflect.TypeFor[T]().Kind())
}

func kindName(k uint8) string {
	switch k {
	case kindValue:
		return "value"
	case kindNone:
		return "none"
	}
	return reflect.Kind(k).String()
}

// hashInts hashes an agreed vector (Allgatherv's counts) into a header's
// check field.
func hashInts(v []int) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, x := range v {
		binary.LittleEndian.PutUint64(b[:], uint64(x))
		h.Write(b[:])
	}
	return h.Sum64() | 1 // never 0, which means "nothing to check"
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64() | 1
}
