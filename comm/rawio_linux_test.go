package comm

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestRawIOPartialWrites: a raw writev larger than the socket's buffers
// is taken in parts (the callback waits for room between them) and the
// bytes arrive whole and in order; raw reads see them, then EOF.
func TestRawIOPartialWrites(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dialed, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer accepted.Close()
	_ = dialed.(*net.TCPConn).SetWriteBuffer(4 << 10)
	_ = accepted.(*net.TCPConn).SetReadBuffer(4 << 10)
	w, r := newRawIO(dialed), newRawIO(accepted)
	if w == nil || r == nil {
		t.Fatal("no raw I/O on a TCP connection")
	}
	bufs := [][]byte{make([]byte, 100), nil, make([]byte, 30000), make([]byte, rawMax-30100-frameHdrSize)}
	var want []byte
	for i, b := range bufs {
		for j := range b {
			b[j] = byte(i*31 + j)
		}
		want = append(want, b...)
	}
	errc := make(chan error, 1)
	go func() {
		for range 3 {
			if err := w.writev(bufs); err != nil {
				errc <- err
				return
			}
		}
		errc <- dialed.Close()
	}()
	var got []byte
	p := make([]byte, 1000) // small reads, so the writer fills the buffers
	for {
		n, err := r.read(p)
		got = append(got, p[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Microsecond)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat(want, 3)) {
		t.Fatalf("read %d bytes, not the %d written in order", len(got), 3*len(want))
	}
	// A read deadline in the past ends a raw read as it ends net.Conn's.
	_ = accepted.SetReadDeadline(time.Unix(1, 0))
	if _, err := r.read(p); err == nil {
		t.Fatal("raw read past its deadline succeeded")
	}
}
