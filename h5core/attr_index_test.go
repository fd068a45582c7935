package h5core

import (
	"fmt"
	"sort"
	"testing"
)

// TestAttrIndex checks lookups, replacement and deletion on both sides of
// attrIndexMin: the index must always agree with the creation-ordered
// list, which is what the file gets.
func TestAttrIndex(t *testing.T) {
	for _, n := range []int{3, attrIndexMin - 1, attrIndexMin, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := NewFile()
			g := f.Root()
			set := func(name string, v int32) {
				t.Helper()
				if err := g.SetAttr(&Attribute{Name: name, Type: Int32LE, Data: []byte{byte(v), 0, 0, 0}}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				set(fmt.Sprintf("a%d", i), int32(i))
			}
			g.Attr("a0")  // builds the index when n is large enough
			set("a1", 77) // replace in place: order kept
			if err := g.DeleteAttr("a0"); err != nil {
				t.Fatal(err)
			}
			set("new", 5)
			want := []string{}
			for i := 1; i < n; i++ {
				want = append(want, fmt.Sprintf("a%d", i))
			}
			want = append(want, "new")
			sort.Strings(want) // an object that does not track creation order lists by name, as libhdf5
			got := g.Attrs()
			if len(got) != len(want) {
				t.Fatalf("%d attributes, want %d", len(got), len(want))
			}
			for i, a := range got {
				if a.Name != want[i] {
					t.Fatalf("attribute %d is %q, want %q", i, a.Name, want[i])
				}
				b, ok := g.Attr(a.Name)
				if !ok || b != a {
					t.Fatalf("Attr(%q) = %v, %v; want the listed attribute", a.Name, b, ok)
				}
			}
			if a, _ := g.Attr("a1"); a.Data[0] != 77 {
				t.Fatalf("a1 = %d, want the replaced value 77", a.Data[0])
			}
			if _, ok := g.Attr("a0"); ok {
				t.Fatal("a0 still found after DeleteAttr")
			}
		})
	}
}
