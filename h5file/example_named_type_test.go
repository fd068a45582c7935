package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// CommitType stores a datatype under a name, h5py's f['t'] = np.dtype(...);
// datasets and attributes made WithNamedType / SetNamed share it, and
// h5dump shows their type as "/types/particle".
func ExampleGroup_CommitType() {
	type particle struct {
		ID   int64   `h5:"id"`
		Mass float64 `h5:"mass"`
	}
	f, err := h5file.Create(tempPath("named.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	dt, err := h5file.TypeOf(reflectTypeOf[particle]())
	if err != nil {
		log.Fatal(err)
	}
	nt, err := f.CommitType("types/particle", dt)
	if err != nil {
		log.Fatal(err)
	}
	d, err := f.CreateDataset("particles", nil, []uint64{2}, h5file.WithNamedType(nt))
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Write([]particle{{1, 0.5}, {2, 1.5}}); err != nil {
		log.Fatal(err)
	}
	if err := d.Attrs().SetNamed("heaviest", particle{2, 1.5}, nt, nil); err != nil {
		log.Fatal(err)
	}
	o, err := f.Get("types/particle")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Name(), o.(*h5file.NamedType).Dtype())
	// Output:
	// /types/particle {id: i64le, mass: f64le}
}

// NamedType opens a committed datatype, such as the user-defined types
// of netCDF-4 files, and its attributes.
func ExampleGroup_NamedType() {
	f, err := h5file.Create(tempPath("named2.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if _, err := f.CommitType("celsius", h5file.Float32); err != nil {
		log.Fatal(err)
	}
	nt, err := f.NamedType("celsius")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nt.Name(), nt.Dtype())
	// Output:
	// /celsius f32le
}
