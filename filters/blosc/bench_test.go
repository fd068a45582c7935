package blosc

import "testing"

func benchmarkCompress(b *testing.B, o Options) {
	src := floats(1 << 18) // 1 MiB
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Compress(src, o); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkDecompress(b *testing.B, o Options) {
	src := floats(1 << 18)
	enc, _ := Compress(src, o)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Decompress(enc, len(src)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompressLZ4Shuffle(b *testing.B) {
	benchmarkCompress(b, Options{TypeSize: 4, Level: 5, Shuffle: Shuffle, Codec: LZ4})
}
func BenchmarkCompressLZ4BitShuffle(b *testing.B) {
	benchmarkCompress(b, Options{TypeSize: 4, Level: 5, Shuffle: BitShuffle, Codec: LZ4})
}
func BenchmarkCompressBloscLZ(b *testing.B) {
	benchmarkCompress(b, Options{TypeSize: 4, Level: 5, Shuffle: Shuffle, Codec: BloscLZ})
}
func BenchmarkDecompressLZ4Shuffle(b *testing.B) {
	benchmarkDecompress(b, Options{TypeSize: 4, Level: 5, Shuffle: Shuffle, Codec: LZ4})
}
func BenchmarkDecompressBloscLZ(b *testing.B) {
	benchmarkDecompress(b, Options{TypeSize: 4, Level: 5, Shuffle: Shuffle, Codec: BloscLZ})
}
