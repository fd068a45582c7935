// Package shmjob names a job's shared-memory segments, and removes those
// a job left behind.
//
// The ranks of a job unlink every segment as soon as all its users have
// mapped it, so a job that runs to its end, or dies after setting up,
// leaves nothing in /dev/shm. A rank killed in the short window between
// creating a segment and its peers mapping it does leave one, and a
// segment in /dev/shm is memory the node does not get back until reboot
// (Open MPI's vader leaves such files too, and sites run cleanup scripts
// for them). So every name starts with a tag only the job can compute
// (from its secret) and the creating rank, and the launcher, which knows
// the secret, removes what is left once the ranks are gone.
package shmjob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
)

// Dir is where POSIX shared memory lives on Linux (a tmpfs).
const Dir = "/dev/shm/"

// Prefix is the start of every segment name of the job: "gorun-", 16 hex
// digits of a MAC of the job id under the job secret, and "-". Nobody
// without the secret can tell which job a name belongs to, or name one.
func Prefix(secret []byte, jobID string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("gorun/shm-job/v1\x00" + jobID))
	return "gorun-" + hex.EncodeToString(m.Sum(nil)[:8]) + "-"
}

// Name is a segment's name: the job's Prefix, the world rank that creates
// it, "-", and the hex of id (the caller's MAC naming the segment itself).
func Name(secret []byte, jobID string, creator int, id []byte) string {
	return Prefix(secret, jobID) + strconv.Itoa(creator) + "-" + hex.EncodeToString(id)
}

// Remove unlinks, in dir, the job's segments whose creator mine accepts
// (nil: every rank) and returns how many it removed. Only regular files
// owned by this user are touched. The caller makes sure the creators are
// gone: a segment being set up by a live rank would be pulled from under
// it. Errors reading dir are returned; a file that vanished meanwhile is
// no error.
func Remove(dir string, secret []byte, jobID string, mine func(rank int) bool) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	prefix := Prefix(secret, jobID)
	removed := 0
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		r, _, ok := strings.Cut(rest, "-")
		rank, err := strconv.Atoi(r)
		if !ok || err != nil || rank < 0 || (mine != nil && !mine(rank)) {
			continue
		}
		path := strings.TrimSuffix(dir, "/") + "/" + e.Name()
		fi, err := os.Lstat(path)
		if err != nil || !fi.Mode().IsRegular() || !ownedByMe(fi) {
			continue
		}
		if err := os.Remove(path); err == nil {
			removed++
		}
	}
	return removed, nil
}
