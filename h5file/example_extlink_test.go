package h5file_test

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5file"
)

// ExampleGroup_ExternalLink reads a dataset through an external link that
// libhdf5 wrote (h5py's f['ext'] = h5py.ExternalLink(file, path)): Get and
// Dataset open the linked file, beside this one, read-only.
func ExampleGroup_ExternalLink() {
	f, err := h5file.Open("../testdata/libhdf5/extlink/earliest_extlink.h5", "r")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close() // closes the linked file too
	file, path, _ := f.Root().ExternalLink("ext")
	fmt.Printf("ext -> %s:%s\n", file, path)
	d, err := f.Dataset("ext")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := h5file.ReadAll[int32](d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Name(), d.Shape(), v[:6])
	// Output:
	// ext -> ../earliest.h5:/data/contig
	// /data/contig [4 6] [0 1 2 3 4 5]
}
