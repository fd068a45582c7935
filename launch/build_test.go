package launch

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n", 0o644)
	write("cmd/tiny/main.go", "package main\n\nfunc main() {}\n", 0o644)
	single := write("single.go", "package main\n\nfunc main() {}\n", 0o644)
	script := write("script.sh", "#!/bin/sh\n", 0o755)
	plain := write("data.txt", "not a program\n", 0o644)
	t.Chdir(dir)
	isolateCache(t)

	tests := []struct {
		target    string
		wantBuilt bool
		wantPath  string // suffix of Program.Path; "" = any
		wantErr   string
	}{
		{target: "./cmd/tiny", wantBuilt: true, wantPath: "/tiny"},
		{target: "cmd/tiny", wantBuilt: true, wantPath: "/tiny"},
		{target: single, wantBuilt: true, wantPath: "/single"},
		{target: script, wantPath: script},
		{target: "sh", wantPath: "/sh"},
		{target: plain, wantErr: "not executable"},
		{target: "./missing", wantErr: "no such file"},
		{target: "no-such-command-xyz", wantErr: "$PATH"},
		{target: "", wantErr: "no program"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			p, err := Resolve(context.Background(), tt.target, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve(%q) = %v, want an error containing %q", tt.target, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.target, err)
			}
			defer p.Cleanup()
			if p.Built != tt.wantBuilt || !strings.HasSuffix(p.Path, tt.wantPath) {
				t.Errorf("Resolve(%q) = %+v, want built=%v path ending %q", tt.target, p, tt.wantBuilt, tt.wantPath)
			}
			if _, err := os.Stat(p.Path); err != nil {
				t.Errorf("program %s: %v", p.Path, err)
			}
			if p.Built {
				p.Cleanup() // a cached build stays for the next run
				if _, err := os.Stat(p.Path); err != nil {
					t.Errorf("Cleanup removed the cached %s: %v", p.Path, err)
				}
			}
		})
	}
}

// A package directory or .go file builds from where it lies, with its own
// go.mod, whatever directory gorun runs in (here one with no go.mod).
func TestResolveFromOtherDir(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	mod := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":           "module example.com/other\n\ngo 1.26\n",
		"cmd/tiny/main.go": "package main\n\nfunc main() {}\n",
		"single.go":        "package main\n\nfunc main() {}\n",
	} {
		p := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir())
	isolateCache(t)
	for _, target := range []string{filepath.Join(mod, "cmd/tiny"), filepath.Join(mod, "single.go")} {
		p, err := Resolve(context.Background(), target, io.Discard)
		if err != nil {
			t.Fatalf("Resolve(%q) from a directory without go.mod: %v", target, err)
		}
		if !p.Built {
			t.Errorf("Resolve(%q) = %+v, want built", target, p)
		}
		p.Cleanup()
	}
}

// TestResolveNoCache: without a cache directory a package is built into a
// temporary directory, which Cleanup removes.
func TestResolveNoCache(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	mod := t.TempDir()
	writeFiles(t, mod, map[string]string{"go.mod": "module example.com/nc\n\ngo 1.26\n", "main.go": "package main\n\nfunc main() {}\n"})
	isolateCache(t)
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	p, err := Resolve(context.Background(), mod, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Built || p.Reused {
		t.Errorf("Resolve = %+v, want built, not reused", p)
	}
	p.Cleanup()
	if _, err := os.Stat(p.Path); err == nil {
		t.Errorf("Cleanup left %s", p.Path)
	}
}

// TestBuildCache: a package run again unchanged reuses its binary; a
// change to any file it is built from (here, in a package it imports, of
// the same size; a new file; go.mod), or to the build's environment,
// builds again, and the new binary has the change.
func TestBuildCache(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	mod := t.TempDir()
	writeFiles(t, mod, map[string]string{
		"go.mod":          "module example.com/cached\n\ngo 1.26\n",
		"cmd/say/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/cached/word\"\n)\n\nfunc main() { fmt.Println(word.W, word.Extra) }\n",
		"word/word.go":    "package word\n\nconst W = \"one\"\n",
		"word/extra.go":   "package word\n\nconst Extra = \"\"\n",
		"word/extra_x.go": "//go:build tagx\n\npackage word\n",
	})
	isolateCache(t)
	t.Chdir(mod)
	step := 0
	resolve := func(wantReused bool, wantOut string) *Program {
		t.Helper()
		step++
		p, err := Resolve(context.Background(), "./cmd/say", io.Discard)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if !p.Built || p.Reused != wantReused {
			t.Fatalf("step %d: Resolve = %+v, want built, reused %v", step, p, wantReused)
		}
		out, err := exec.Command(p.Path).Output()
		if err != nil || strings.TrimSpace(string(out)) != wantOut {
			t.Fatalf("step %d: the program says %q (%v), want %q", step, out, err, wantOut)
		}
		return p
	}
	first := resolve(false, "one")
	if again := resolve(true, "one"); again.Path != first.Path {
		t.Errorf("reused %s, want %s", again.Path, first.Path)
	}
	writeFiles(t, mod, map[string]string{"word/word.go": "package word\n\nconst W = \"two\"\n"}) // same size
	second := resolve(false, "two")
	if second.Path == first.Path {
		t.Errorf("a rebuilt binary has the old path %s", second.Path)
	}
	resolve(true, "two")
	writeFiles(t, mod, map[string]string{"word/word.go": "package word\n\nconst W = \"one\"\n"})
	resolve(false, "one") // a change undone is a change (of the time stamp)
	writeFiles(t, mod, map[string]string{"word/more.go": "package word\n\nfunc init() { println(\"more\") }\n"})
	resolve(false, "one")
	if err := os.Remove(filepath.Join(mod, "word/more.go")); err != nil {
		t.Fatal(err)
	}
	resolve(false, "one") // the directory changed again
	t.Setenv("GOFLAGS", "-tags=tagx")
	resolve(false, "one")
	t.Setenv("GOFLAGS", "")
	resolve(true, "one")
	writeFiles(t, mod, map[string]string{"go.mod": "module example.com/cached\n\ngo 1.25\n"})
	resolve(false, "one")
	// A file the package does not build from changes nothing.
	writeFiles(t, mod, map[string]string{"README": "notes\n"})
	resolve(true, "one")
}

// writeFiles writes files (path relative to dir: content), making
// directories as needed, each with a modification time after any earlier
// one (a coarse file system clock must not hide a change).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var before time.Time
		if fi, err := os.Stat(p); err == nil {
			before = fi.ModTime()
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(p); err == nil && !fi.ModTime().After(before) {
			later := before.Add(time.Millisecond)
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// isolateCache gives the test a build cache of its own (XDG_CACHE_HOME),
// keeping the go command's (GOCACHE, which would follow XDG_CACHE_HOME and
// rebuild the standard library).
func isolateCache(t *testing.T) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOCACHE: %v", err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
}
