package h5core

import "fmt"

// Unreadable is a member of a group read from a file that h5core cannot
// model (a committed datatype, an object of a kind it does not know): its
// header address and why. Group.Walk reports it so listings can show it
// instead of leaving it out; its link is written back unchanged. It has
// no attributes here and takes none.
type Unreadable struct {
	object
	Err error
}

// SetAttr refuses: the object is kept as it is in the file.
func (u *Unreadable) SetAttr(*Attribute) error {
	return fmt.Errorf("h5core: object at %d cannot be changed: %w", u.addr, u.Err)
}

// DeleteAttr refuses: the object is kept as it is in the file.
func (u *Unreadable) DeleteAttr(string) error { return u.SetAttr(nil) }

// Walk is Visit with the members Visit skips because h5core cannot
// model them: fn gets them as an *Unreadable (each link of one, by path).
func (g *Group) Walk(fn func(path string, o Object) error) error {
	seen := map[*object]bool{g.obj(): true}
	var walk func(prefix string, grp *Group) error
	walk = func(prefix string, grp *Group) error {
		for i := range grp.ordered() {
			l, err := grp.resolve(i)
			if err != nil {
				return fmt.Errorf("%s%s: %w", prefix, grp.links[i].name, err)
			}
			p := prefix + l.name
			if l.opaque != nil {
				if err := fn(p, &Unreadable{object: object{f: g.f, addr: l.opaque.addr}, Err: l.opaque.err}); err != nil {
					return err
				}
				continue
			}
			if l.obj == nil || seen[l.obj.obj()] {
				continue
			}
			seen[l.obj.obj()] = true
			if err := fn(p, l.obj); err != nil {
				return err
			}
			if c, ok := l.obj.(*Group); ok {
				if err := walk(p+"/", c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk("", g)
}
