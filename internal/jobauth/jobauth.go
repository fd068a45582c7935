// Package jobauth is the job-secret handshake that opens every connection
// of a gorun job: a rank's stream to a peer and its control connection to
// the rendezvous. Both sides prove knowledge of the per-job secret before
// anything else is read, so two jobs on one host never talk.
package jobauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// ErrAuth: the peer failed the handshake (wrong job, wrong secret, or not
// a gorun peer at all). comm.ErrAuth is this error.
var ErrAuth = errors.New("comm: peer failed the job-secret handshake")

// The handshake is mutual challenge-response: each side sends a fresh
// nonce, then proves it knows the job secret by a MAC over the other's
// nonce. Nothing else is read from a connection before it succeeds.
const (
	Magic     = "GORUNHS1"
	NonceSize = 32
	MACSize   = sha256.Size
	// Timeout bounds a silent or slow peer.
	Timeout = 5 * time.Second
)

func mac(secret []byte, jobID string, nonce []byte, role string, rank uint32) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("gorun/v1\x00" + jobID + "\x00" + role + "\x00"))
	m.Write(nonce)
	var r [4]byte
	binary.LittleEndian.PutUint32(r[:], rank)
	m.Write(r[:])
	return m.Sum(nil)
}

// Dial runs the dialer's side; rank is the dialer's identity (its world
// rank).
func Dial(c net.Conn, secret []byte, jobID string, rank uint32) error {
	_ = c.SetDeadline(time.Now().Add(Timeout))
	defer c.SetDeadline(time.Time{})
	my := make([]byte, NonceSize)
	_, _ = rand.Read(my)
	if _, err := c.Write(append([]byte(Magic), my...)); err != nil {
		return err
	}
	peer := make([]byte, len(Magic)+NonceSize)
	if _, err := io.ReadFull(c, peer); err != nil {
		return fmt.Errorf("%w: no handshake from %s: %v", ErrAuth, c.RemoteAddr(), err)
	}
	if string(peer[:len(Magic)]) != Magic {
		return fmt.Errorf("%w: %s is not a gorun peer", ErrAuth, c.RemoteAddr())
	}
	var id [4]byte
	binary.LittleEndian.PutUint32(id[:], rank)
	proof := append(id[:], mac(secret, jobID, peer[len(Magic):], "dial", rank)...)
	if _, err := c.Write(proof); err != nil {
		return err
	}
	back := make([]byte, MACSize)
	if _, err := io.ReadFull(c, back); err != nil {
		return fmt.Errorf("%w: %s refused our job secret: %v (is it the same job?)", ErrAuth, c.RemoteAddr(), err)
	}
	if !hmac.Equal(back, mac(secret, jobID, my, "accept", rank)) {
		return fmt.Errorf("%w: %s does not know the job secret", ErrAuth, c.RemoteAddr())
	}
	return nil
}

// Accept runs the acceptor's side and returns the dialer's rank.
func Accept(c net.Conn, secret []byte, jobID string) (uint32, error) {
	_ = c.SetDeadline(time.Now().Add(Timeout))
	defer c.SetDeadline(time.Time{})
	my := make([]byte, NonceSize)
	_, _ = rand.Read(my)
	if _, err := c.Write(append([]byte(Magic), my...)); err != nil {
		return 0, err
	}
	peer := make([]byte, len(Magic)+NonceSize)
	if _, err := io.ReadFull(c, peer); err != nil {
		return 0, fmt.Errorf("%w: no handshake from %s: %v", ErrAuth, c.RemoteAddr(), err)
	}
	if string(peer[:len(Magic)]) != Magic {
		return 0, fmt.Errorf("%w: %s is not a gorun peer", ErrAuth, c.RemoteAddr())
	}
	proof := make([]byte, 4+MACSize)
	if _, err := io.ReadFull(c, proof); err != nil {
		return 0, fmt.Errorf("%w: %s sent no proof: %v", ErrAuth, c.RemoteAddr(), err)
	}
	rank := binary.LittleEndian.Uint32(proof)
	if !hmac.Equal(proof[4:], mac(secret, jobID, my, "dial", rank)) {
		return 0, fmt.Errorf("%w: %s does not know the job secret", ErrAuth, c.RemoteAddr())
	}
	if _, err := c.Write(mac(secret, jobID, peer[len(Magic):], "accept", rank)); err != nil {
		return 0, err
	}
	return rank, nil
}
