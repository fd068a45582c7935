package h5core

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestSuperblockChecksumNamesVersion: a bad checksum on libhdf5's version 3
// superblock names version 3 (it said version 2), and on a version 2 one
// version 2.
func TestSuperblockChecksumNamesVersion(t *testing.T) {
	b, err := os.ReadFile("../testdata/libhdf5/small_latest.h5")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []byte{3, 2} {
		c := append([]byte(nil), b...)
		c[8] = v
		c[superblockV2Size-1] ^= 0xff // the checksum
		_, err := Open(bytes.NewReader(c), int64(len(c)))
		want := map[byte]string{2: "version 2 superblock", 3: "version 3 superblock"}[v]
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("version %d, bad checksum: %v, want an error naming the %s", v, err, want)
		}
	}
}
