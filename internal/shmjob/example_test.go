//go:build unix

package shmjob_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorun-hpc/gorun/internal/shmjob"
)

// A rank names its segment with Name; once the job's ranks are gone, the
// launcher removes whatever a rank killed in setup left.
func ExampleRemove() {
	secret, job := []byte("the job secret"), "gorun-1234"
	dir, _ := os.MkdirTemp("", "shm")
	defer os.RemoveAll(dir)
	name := shmjob.Name(secret, job, 3, []byte{1, 2, 3})
	_ = os.WriteFile(filepath.Join(dir, name), nil, 0o600) // left by rank 3, killed
	n, err := shmjob.Remove(dir, secret, job, nil)
	fmt.Println(n, err)
	// Output: 1 <nil>
}
