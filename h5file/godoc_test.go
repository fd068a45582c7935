package h5file

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestGoDocListsMethods runs go doc, as a new user would, and checks that
// every exported method of File, Group and Dataset is listed under its
// type: methods promoted from an unexported embedded type are not, and a
// user reading go doc (or pkg.go.dev) would not find them.
func TestGoDocListsMethods(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to run go doc: %v", err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[*File](), reflect.TypeFor[*Group](), reflect.TypeFor[*Dataset]()} {
		name := typ.Elem().Name()
		out, err := exec.Command(goTool, "doc", ".", name).CombinedOutput()
		if err != nil {
			t.Fatalf("go doc . %s: %v\n%s", name, err, out)
		}
		listed := map[string]bool{}
		for _, line := range strings.Split(string(out), "\n") {
			// "func (f *File) CreateDataset(p string, ...) (*Dataset, error)"
			if !strings.HasPrefix(line, "func (") {
				continue
			}
			_, rest, ok := strings.Cut(line, ") ")
			if !ok {
				continue
			}
			m, _, _ := strings.Cut(rest, "(")
			listed[m] = true
		}
		for i := 0; i < typ.NumMethod(); i++ {
			if m := typ.Method(i).Name; !listed[m] {
				t.Errorf("go doc . %s does not list method %s", name, m)
			}
		}
		// The File is its root group: every Group method is one of File's.
		if name == "File" {
			g := reflect.TypeFor[*Group]()
			for i := 0; i < g.NumMethod(); i++ {
				if m := g.Method(i).Name; !listed[m] {
					t.Errorf("go doc . File does not list %s, a method of its root group", m)
				}
			}
		}
	}
}
