//go:build !linux

package comm

import "net"

// Off Linux, TCP streams use net.Conn's own calls (rawio_linux.go).

const (
	rawMax  = 0
	rawIovs = 1
)

type rawIO struct{}

func newRawIO(net.Conn) *rawIO { return nil }

func (*rawIO) read([]byte) (int, error) { panic("unreachable") }

func (*rawIO) writev([][]byte) error { panic("unreachable") }
