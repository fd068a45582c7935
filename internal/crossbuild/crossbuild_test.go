package crossbuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVetEveryTarget runs `go vet ./...` over the module for each target
// in Targets. Vet type-checks every package and test file the target
// builds, so a Linux-only call outside a _linux.go or unix-tagged file
// fails here. -short skips it (it compiles the module five times).
func TestVetEveryTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the cross-vet compiles the module once per target")
	}
	// go test puts its own toolchain's bin first on PATH: the vet is done by
	// the go that runs the tests.
	const gobin = "go"
	root := moduleRoot(t, gobin)
	for _, target := range Targets {
		goos, goarch, _ := strings.Cut(target, "/")
		t.Run(strings.ReplaceAll(target, "/", "_"), func(t *testing.T) {
			cmd := exec.Command(gobin, "vet", "./...")
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("GOOS=%s GOARCH=%s go vet ./...: %v\n%s", goos, goarch, err, out)
			}
		})
	}
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot(t *testing.T, gobin string) string {
	out, err := exec.Command(gobin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		t.Fatal("go env GOMOD: not inside the module")
	}
	return filepath.Dir(mod)
}
