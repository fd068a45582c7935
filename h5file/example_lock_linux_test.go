//go:build linux

package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// A file open for writing is locked, as libhdf5 locks it: a second writer
// (here a second File of this process; h5py, or another rank of a gorun
// job that forgot WithComm) gets ErrLocked and an error saying who holds
// the file.
func ExampleErrLocked() {
	path := tempPath("locked.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	_, err = h5file.Create(path, "w")
	fmt.Println(errors.Is(err, h5file.ErrLocked))
	// Output: true
}
