package launch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The build cache keeps the binaries Resolve builds, so that running an
// unchanged package again starts at once instead of relinking it (go build
// relinks every time: 0.3-2 s). A cached binary is reused only when none
// of the files it was built from changed: every file of every package it
// imports, standard library included, its directories (a file added or
// removed), the go.mod files, the go command, and the environment that
// steers a build. What "changed" means is what make means: the size or
// the modification time differs. go list -deps names the files when a
// binary is built; a reuse stats them, without running the go command.
//
// Layout, under $XDG_CACHE_HOME/gorun/bin (os.UserCacheDir):
//
//	<entry>/current      the manifest of the latest build: its directory, then "path size mtime" lines
//	<entry>/<state>/name the binary built from the state the manifest describes
//
// where <entry> hashes what is built (directory, package, name, go
// command, environment) and <state> hashes the manifest, so a binary and
// its manifest always match, whichever of two concurrent gorun wins.

// cacheKeep is how long a superseded build stays: ranks still being
// started from it (under another gorun) must find it.
const cacheKeep = time.Hour

// buildEnvVars steer a build (besides GO* variables, which all count but
// the runtime's own).
var buildEnvVars = []string{"CC", "CXX", "PKG_CONFIG", "AR"}

// runtimeEnvVars are GO* variables that only the running program reads.
var runtimeEnvVars = []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GORACE", "GOTRACEBACK"}

// buildCached is build through the cache: ok is false when there is no
// cache to use (no cache directory, or go list cannot describe pkg: the
// caller's plain build then reports why).
func buildCached(ctx context.Context, gobin, dir, pkg, what, name string, out io.Writer) (p *Program, ok bool, err error) {
	root, err := os.UserCacheDir()
	if err != nil {
		return nil, false, nil
	}
	wd := dir
	if wd == "" {
		if wd, err = os.Getwd(); err != nil {
			return nil, false, nil
		}
	}
	id := sha256.New()
	fmt.Fprintf(id, "gorun build cache v1\x00%s\x00%s\x00%s\x00%s\x00", wd, pkg, name, gobin)
	for _, kv := range buildEnv(os.Environ()) {
		fmt.Fprintf(id, "%s\x00", kv)
	}
	entry := filepath.Join(root, "gorun", "bin", hex.EncodeToString(id.Sum(nil))[:32])
	if state, ok := fresh(filepath.Join(entry, "current")); ok {
		if path := filepath.Join(entry, state, name); isFile(path) {
			return &Program{Path: path, Built: true, Reused: true}, true, nil
		}
	}
	files, err := depFiles(ctx, gobin, wd, pkg)
	if err != nil {
		return nil, false, nil
	}
	manifest := snapshot(files)
	sum := sha256.Sum256([]byte(manifest))
	state := hex.EncodeToString(sum[:])[:32]
	sub := filepath.Join(entry, state)
	path := filepath.Join(sub, name)
	reused := isFile(path) // built from this very state before (a change undone)
	if !reused {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, false, nil
		}
		tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
		if err := goBuild(ctx, gobin, dir, pkg, what, tmp, out); err != nil {
			os.RemoveAll(sub)
			return nil, true, err
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return nil, false, nil
		}
	}
	_ = writeFileAtomic(filepath.Join(entry, "current"), []byte(state+"\n"+manifest))
	prune(entry, state)
	return &Program{Path: path, Built: true, Reused: reused}, true, nil
}

// buildEnv is the part of environ that steers a build, sorted.
func buildEnv(environ []string) []string {
	var env []string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if v == "" { // the go command reads an empty variable as unset
			continue
		}
		if (strings.HasPrefix(k, "GO") && !strings.HasPrefix(k, "GORUN_") && !slices.Contains(runtimeEnvVars, k)) ||
			strings.HasPrefix(k, "CGO_") || slices.Contains(buildEnvVars, k) {
			env = append(env, kv)
		}
	}
	slices.Sort(env)
	return env
}

// depListTemplate prints, for pkg and every package it imports, its
// directory, module file and source files, one per line.
const depListTemplate = `{{$d := .Dir}}{{$d}}
{{with .Module}}{{.GoMod}}
{{end}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .CgoFiles}}{{$d}}/{{.}}
{{end}}{{range .CFiles}}{{$d}}/{{.}}
{{end}}{{range .CXXFiles}}{{$d}}/{{.}}
{{end}}{{range .MFiles}}{{$d}}/{{.}}
{{end}}{{range .HFiles}}{{$d}}/{{.}}
{{end}}{{range .FFiles}}{{$d}}/{{.}}
{{end}}{{range .SFiles}}{{$d}}/{{.}}
{{end}}{{range .SwigFiles}}{{$d}}/{{.}}
{{end}}{{range .SwigCXXFiles}}{{$d}}/{{.}}
{{end}}{{range .SysoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}`

// depFiles lists every file a build of pkg reads, as go list sees them
// (in directory wd), with the go command, go.sum files, the go env file
// and every go.work that could apply.
func depFiles(ctx context.Context, gobin, wd, pkg string) ([]string, error) {
	cmd := exec.CommandContext(ctx, gobin, "list", "-deps", "-f", depListTemplate, pkg)
	cmd.Dir = wd
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	seen := map[string]bool{}
	var files []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	add(gobin)
	sc := bufio.NewScanner(bytes.NewReader(outb))
	for sc.Scan() {
		add(sc.Text())
		if strings.HasSuffix(sc.Text(), "/go.mod") {
			add(strings.TrimSuffix(sc.Text(), "mod") + "sum")
		}
	}
	if env := os.Getenv("GOENV"); env != "" {
		add(env)
	} else if cfg, err := os.UserConfigDir(); err == nil {
		add(filepath.Join(cfg, "go", "env"))
	}
	for d := wd; ; d = filepath.Dir(d) {
		add(filepath.Join(d, "go.work"))
		if filepath.Dir(d) == d {
			break
		}
	}
	return files, nil
}

// snapshot is the manifest body: "size mtime path" for each file ("- -"
// for one that does not exist).
func snapshot(files []string) string {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "%s %s\n", stamp(f), f)
	}
	return b.String()
}

func stamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "- -"
	}
	return strconv.FormatInt(fi.Size(), 10) + " " + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
}

// fresh reads a manifest and reports its state directory if every file in
// it is as recorded.
func fresh(current string) (state string, ok bool) {
	b, err := os.ReadFile(current)
	if err != nil {
		return "", false
	}
	state, body, found := strings.Cut(string(b), "\n")
	if !found || state == "" || strings.ContainsAny(state, "/.") || body == "" {
		return "", false
	}
	for line := range strings.Lines(body) {
		line = strings.TrimSuffix(line, "\n")
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 || stamp(f[2]) != f[0]+" "+f[1] {
			return "", false
		}
	}
	return state, true
}

// prune removes the builds of entry other than keep that are older than
// cacheKeep.
func prune(entry, keep string) {
	des, err := os.ReadDir(entry)
	if err != nil {
		return
	}
	for _, de := range des {
		if !de.IsDir() || de.Name() == keep {
			continue
		}
		if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > cacheKeep {
			os.RemoveAll(filepath.Join(entry, de.Name()))
		}
	}
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
