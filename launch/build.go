package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Program is the executable a job runs, possibly built for it.
type Program struct {
	Path   string // the executable to start
	Built  bool   // Path was built from a Go package
	Reused bool   // Path was built before from the same files and reused (buildcache.go)
	dir    string // a temporary directory holding Path, removed by Cleanup
}

// Cleanup removes an executable built into a temporary directory; a no-op
// otherwise (a binary in the build cache stays for the next run).
func (p *Program) Cleanup() error {
	if p.dir == "" {
		return nil
	}
	return os.RemoveAll(p.dir)
}

// Resolve turns gorun's program argument into an executable, the way
// `go run` and mpiexec would read it:
//
//   - a directory (./examples/hello, or ./cmd/x) is a Go package: built
//     with `go build` into gorun's build cache, where the binary is reused
//     as long as no file it was built from changed (buildcache.go);
//   - a file ending in .go is built the same way (`gorun -n 4 main.go`);
//   - an existing file, or a name found in $PATH, runs as is;
//   - anything else that looks like a Go package path (example.com/x/cmd/y,
//     or a pattern with "...") is handed to `go build`.
//
// The go command's output goes to buildOutput; GOFLAGS and the rest of the
// environment apply as for any go build (GOFLAGS=-race gorun -n 4 ./pkg).
func Resolve(ctx context.Context, target string, buildOutput io.Writer) (*Program, error) {
	if target == "" {
		return nil, errors.New("launch: no program given")
	}
	fi, statErr := os.Stat(target)
	switch {
	case statErr == nil && fi.IsDir():
		return build(ctx, absOr(target), ".", target, filepath.Base(filepath.Clean(absOr(target))), buildOutput)
	case strings.HasSuffix(target, ".go"):
		if statErr != nil {
			return nil, fmt.Errorf("launch: %w", statErr)
		}
		return build(ctx, filepath.Dir(absOr(target)), filepath.Base(target), target, strings.TrimSuffix(filepath.Base(target), ".go"), buildOutput)
	case statErr == nil:
		if fi.Mode()&0o111 == 0 {
			return nil, fmt.Errorf("launch: %s is not executable: chmod +x it, or give a Go package directory to build", target)
		}
		return &Program{Path: target}, nil
	}
	if !strings.Contains(target, "/") {
		p, err := exec.LookPath(target)
		if err != nil {
			return nil, fmt.Errorf("launch: %s: not a file, directory or command in $PATH: %w", target, err)
		}
		return &Program{Path: p}, nil
	}
	if strings.HasPrefix(target, ".") || strings.HasPrefix(target, "/") {
		return nil, fmt.Errorf("launch: %w", statErr)
	}
	// An import path such as example.com/x/cmd/y: let the go command judge.
	return build(ctx, "", target, target, pathBase(target), buildOutput)
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func pathBase(importPath string) string {
	parts := strings.Split(strings.TrimSuffix(importPath, "/..."), "/")
	return parts[len(parts)-1]
}

// build runs `go build -o path pkg` in directory dir ("" = the
// launcher's): a package directory or .go file is built from where it
// lies, so its own go.mod applies whatever directory gorun runs in, as
// with `go run /path/to/pkg`. what is the user's argument, for errors.
// The binary goes to the build cache, or without one to a temporary
// directory that Cleanup removes.
func build(ctx context.Context, dir, pkg, what, name string, out io.Writer) (*Program, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("launch: %s is a Go package but the go command is not in $PATH: install Go or give a built executable: %w", what, err)
	}
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "main"
	}
	if out == nil {
		out = os.Stderr
	}
	if p, ok, err := buildCached(ctx, gobin, dir, pkg, what, name, out); ok {
		return p, err
	}
	tmp, err := os.MkdirTemp("", "gorun-build-")
	if err != nil {
		return nil, fmt.Errorf("launch: temporary directory for the build: %w", err)
	}
	path := filepath.Join(tmp, name)
	if err := goBuild(ctx, gobin, dir, pkg, what, path, out); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &Program{Path: path, Built: true, dir: tmp}, nil
}

// goBuild runs `go build -o path pkg` in dir, its output to out.
func goBuild(ctx context.Context, gobin, dir, pkg, what, path string, out io.Writer) error {
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", path, pkg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("launch: go build %s: %w", what, err)
	}
	return nil
}
