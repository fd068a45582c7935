package shuffle

import (
	"bytes"
	"fmt"
	"testing"
)

// reference is the definition, element by element.
func reference(src []byte, size int) []byte {
	out := append([]byte(nil), src...)
	n := len(src) / size
	for i := 0; i < n; i++ {
		for j := 0; j < size; j++ {
			out[j*n+i] = src[i*size+j]
		}
	}
	return out
}

func TestShuffle(t *testing.T) {
	for _, size := range []int{1, 2, 3, 4, 5, 8, 16} {
		for _, l := range []int{0, 1, 7, 8, 9, 64, 1001} {
			src := make([]byte, l)
			for i := range src {
				src[i] = byte(i*31 + 7)
			}
			got := make([]byte, l)
			Shuffle(got, src, size)
			if want := reference(src, size); size > 1 && !bytes.Equal(got, want) {
				t.Fatalf("size %d, %d bytes: got % x, want % x", size, l, got, want)
			}
			back := make([]byte, l)
			Unshuffle(back, got, size)
			if !bytes.Equal(back, src) {
				t.Fatalf("size %d, %d bytes: unshuffle does not invert", size, l)
			}
		}
	}
}

func BenchmarkShuffle(b *testing.B) {
	for _, size := range []int{4, 8} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			src, dst := make([]byte, 1<<20), make([]byte, 1<<20)
			b.SetBytes(1 << 20)
			for b.Loop() {
				Shuffle(dst, src, size)
			}
		})
	}
}

func ExampleShuffle() {
	src := []byte{1, 2, 3, 4, 5, 6, 7}
	dst := make([]byte, len(src))
	Shuffle(dst, src, 2) // three 2-byte elements and a trailing byte
	fmt.Println(dst)
	// Output: [1 3 5 2 4 6 7]
}

func ExampleUnshuffle() {
	dst := make([]byte, 7)
	Unshuffle(dst, []byte{1, 3, 5, 2, 4, 6, 7}, 2)
	fmt.Println(dst)
	// Output: [1 2 3 4 5 6 7]
}
