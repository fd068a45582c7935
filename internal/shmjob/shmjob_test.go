package shmjob

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestNameHasJobPrefix(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	a := Name(secret, "job-a", 7, []byte{0xde, 0xad})
	if want := Prefix(secret, "job-a") + "7-dead"; a != want {
		t.Fatalf("Name = %q, want %q", a, want)
	}
	if !strings.HasPrefix(a, "gorun-") || len(Prefix(secret, "job-a")) != len("gorun-")+16+1 {
		t.Errorf("prefix %q: want gorun-, 16 hex digits, -", Prefix(secret, "job-a"))
	}
	if Prefix(secret, "job-a") == Prefix(secret, "job-b") {
		t.Error("two jobs share a prefix")
	}
	if Prefix(secret, "job-a") == Prefix([]byte("another secret"), "job-a") {
		t.Error("the prefix does not depend on the secret: anyone could find a job's segments")
	}
}

// TestRemove: only this job's regular files of the accepted creators,
// owned by this user, go.
func TestRemove(t *testing.T) {
	secret := []byte("s3cret")
	dir := t.TempDir()
	mk := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := Prefix(secret, "job")
	mine := []string{p + "0-aa", p + "3-bb", p + "12-cc"}
	kept := []string{
		Prefix(secret, "other-job") + "0-aa", // another job
		Prefix([]byte("x"), "job") + "0-aa",  // another secret
		p + "5-dd",                           // a creator not accepted
		p + "x-ee",                           // not a rank
		p + "-1-ff",                          // not a rank
		"gorun-0123456789abcdef",             // an old-style name
		"unrelated",
	}
	for _, n := range append(slices.Clone(mine), kept...) {
		mk(n)
	}
	if err := os.Mkdir(filepath.Join(dir, p+"1-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, p+"1-dir")
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(dir, "unrelated"), filepath.Join(dir, p+"2-link")); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, p+"2-link")
	}
	var foreign string
	if os.Geteuid() == 0 && runtime.GOOS == "linux" { // CI runs as root: a file of user nobody stays
		foreign = p + "0-nobody"
		mk(foreign)
		if err := os.Chown(filepath.Join(dir, foreign), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, foreign)
	}
	n, err := Remove(dir, secret, "job", func(r int) bool { return r != 5 })
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "windows" {
		if n != 0 {
			t.Fatalf("removed %d off Unix, want 0", n)
		}
		return
	}
	if n != len(mine) {
		t.Errorf("removed %d, want %d", n, len(mine))
	}
	for _, name := range mine {
		if _, err := os.Lstat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s removed: %v", name, err)
		}
	}
	if _, err := Remove(filepath.Join(dir, "missing"), secret, "job", nil); err == nil {
		t.Error("Remove of a missing directory: no error")
	}
}
