package comm

import (
	"errors"
	"net"
	"testing"
	"time"
)

// TestConnRefused: a dial to a closed port on a live host is a refusal
// (the peer rank ended, its host is up) on every system; other errors
// are not.
func TestConnRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = net.DialTimeout("tcp", addr, 10*time.Second)
	if err == nil {
		t.Fatalf("dial of the closed port %s succeeded: something else took it", addr)
	}
	if !connRefused(err) {
		t.Errorf("connRefused(%v) = false, want true", err)
	}
	if connRefused(errors.New("i/o timeout")) {
		t.Error("connRefused of another error = true")
	}
}
