package h5core

import (
	"bytes"
	"math/rand"
	"os"
	"runtime/debug"
	"testing"
	"time"
)

// TestFeatureFilesMutated opens 20000 deterministic mutations of the
// feature files (bytes replaced, runs of 0xff as undefined addresses,
// small values, truncation) and walks what opens: no panic, and no input
// takes more than a second. Go's fuzzing engine stalls on these seeds
// (FuzzFeatureFiles, FuzzOpen), so this covers the same code in-process.
func TestFeatureFilesMutated(t *testing.T) {
	var seeds [][]byte
	for _, n := range []string{"userblock_512", "userblock_4096", "unwritten_latest", "empty", "types"} {
		b, _ := os.ReadFile("../testdata/libhdf5/features/" + n + ".h5")
		seeds = append(seeds, b)
	}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 20000; i++ {
		data := append([]byte(nil), seeds[rng.Intn(len(seeds))]...)
		for k := 0; k < 1+rng.Intn(6); k++ {
			p := rng.Intn(len(data))
			switch rng.Intn(4) {
			case 0:
				data[p] = byte(rng.Intn(256))
			case 1:
				for j := p; j < min(p+8, len(data)); j++ {
					data[j] = 0xff
				}
			case 2:
				data = data[:p]
			case 3:
				for j := p; j < min(p+4, len(data)); j++ {
					data[j] = byte(rng.Intn(4))
				}
			}
			if len(data) == 0 {
				break
			}
		}
		tm := time.AfterFunc(20*time.Second, func() { debug.SetTraceback("all"); panic("input hangs") })
		start := time.Now()
		file, err := Open(bytes.NewReader(data), int64(len(data)))
		if err == nil {
			walkAll(file)
		}
		tm.Stop()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("mutation %d took %v", i, d)
		}
	}
}
