package h5file_test

import (
	"log"
	"os"
	"sync"
	"testing"
)

// exampleRoot is one temporary directory for the files of the examples
// and tests that keep theirs open to the end (tempPath), so that one
// RemoveAll cleans up after them all.
var exampleRoot = sync.OnceValue(func() string {
	dir, err := os.MkdirTemp("", "h5file-examples")
	if err != nil {
		log.Fatal(err)
	}
	return dir
})

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(exampleRoot())
	os.Exit(code)
}
