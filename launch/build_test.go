package launch

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
				p.Cleanup()
				if _, err := os.Stat(p.Path); err == nil {
					t.Errorf("Cleanup left %s", p.Path)
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
