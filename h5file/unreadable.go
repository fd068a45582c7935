package h5file

import "github.com/gorun-hpc/gorun/h5core"

// Unreadable is an object of the file that h5file cannot read (a
// committed datatype, an object of a kind it does not know). Visit's
// callback gets it with the reason, in Err, instead of the walk leaving
// it out; Get of its path returns that reason as an error. It has no
// attributes and takes none.
type Unreadable struct {
	object
	Err error
}

func (f *File) newUnreadable(name string, u *h5core.Unreadable) *Unreadable {
	return &Unreadable{object: object{f: f, name: name, core: u}, Err: u.Err}
}
