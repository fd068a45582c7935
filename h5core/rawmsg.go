package h5core

// Object header message types, with the spec's names (HDF5 File Format
// Specification, section IV.A.2).
const (
	MsgNIL            uint16 = 0x0000
	MsgDataspace      uint16 = 0x0001
	MsgLinkInfo       uint16 = 0x0002
	MsgDatatype       uint16 = 0x0003
	MsgFillValueOld   uint16 = 0x0004
	MsgFillValue      uint16 = 0x0005
	MsgLink           uint16 = 0x0006
	MsgExternalFiles  uint16 = 0x0007
	MsgDataLayout     uint16 = 0x0008
	MsgBogus          uint16 = 0x0009
	MsgGroupInfo      uint16 = 0x000A
	MsgFilterPipeline uint16 = 0x000B
	MsgAttribute      uint16 = 0x000C
	MsgObjectComment  uint16 = 0x000D
	MsgModTimeOld     uint16 = 0x000E
	MsgSharedMsgTable uint16 = 0x000F
	MsgContinuation   uint16 = 0x0010
	MsgSymbolTable    uint16 = 0x0011
	MsgModTime        uint16 = 0x0012
	MsgBTreeKValues   uint16 = 0x0013
	MsgDriverInfo     uint16 = 0x0014
	MsgAttributeInfo  uint16 = 0x0015
	MsgRefCount       uint16 = 0x0016
	MsgFileSpaceInfo  uint16 = 0x0017
)

// RawMessage is one object header message as stored, before its body is
// decoded. Object header decoders of every version (1 and 2) produce these,
// so the message decoders are shared by both format families.
type RawMessage struct {
	Type  uint16 // one of the Msg* constants
	Flags uint8  // header message flags (bit 1: shared, ...)
	Off   int64  // file offset of Data[0], for error messages
	Data  []byte // the message body

	crt uint16 // creation index, in version 2 headers that track attribute creation order
}

// UndefinedAddr is the spec's "undefined address": all bits set.
const UndefinedAddr = ^uint64(0)
