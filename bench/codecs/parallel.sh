#!/usr/bin/env bash
# Collective compressed writes of one shared float64 dataset (1 MiB
# chunks, each rank one contiguous slab) with each codec, by gorun's gopar,
# beside h5py-mpio's deflate(4) on the same write (bench/parallel's gzip
# case), at 2, 4 and 8 ranks; prints a markdown table of median times and
# each file's compression ratio.
#
#   [CODECS="lz4 zstd"] bash bench/codecs/parallel.sh [bytes] [runs] [ranks...]
set -euo pipefail
cd "$(dirname "$0")/../.."
# Open MPI refuses root (CI containers run as root) without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
bytes=${1:-268435456}
runs=${2:-3}
shift 2 || true
ranks=${*:-2 4 8}
codecs=${CODECS:-"gzip shuffle+gzip lzf shuffle+lzf lz4 shuffle+lz4 zstd blosc-lz4-shuffle blosc-lz4-bitshuf blosc-blosclz blosc-zstd-shuffle"}
bin=$(mktemp -d)
dir=$(mktemp -d)
trap 'rm -rf "$bin" "$dir"' EXIT
go build -o "$bin/gorun" ./cmd/gorun
go build -o "$bin/gopar" ./bench/parallel/gopar

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { sed -n 's/.*"seconds": *\([0-9.e+-]*\).*/\1/p'; }

# Compression ratio of each codec on this data: one 1-rank run that keeps its file.
declare -A ratio
for c in $codecs; do
	"$bin/gorun" -n 1 "$bin/gopar" -case gzip -codec "$c" -bytes "$bytes" -dir "$dir" -warmup 0 -keep >/dev/null
	f=$(ls "$dir"/gopar-gzip-*.h5)
	ratio[$c]=$(awk -v b="$bytes" -v s="$(stat -c %s "$f")" 'BEGIN {printf "%.1f", b/s}')
	rm -f "$f"
done
pyratio=$(/usr/bin/python3 -c "
import h5py, numpy as np, os
n = $bytes // 8
with h5py.File('$dir/r.h5', 'w') as f:
    f.create_dataset('x', data=(np.arange(n, dtype='f8') % 1000) * 0.5, chunks=(min(1 << 17, n),), compression='gzip', compression_opts=4)
print('%.1f' % ($bytes / os.path.getsize('$dir/r.h5')))")
rm -f "$dir/r.h5"

echo "Collective write of $((bytes >> 20)) MiB float64, 1 MiB chunks, median of $runs runs (each after a warm-up run), $(nproc) CPUs"
echo
echo "| ranks | codec (gorun) | ratio | gorun | h5py-mpio deflate(4) (ratio $pyratio) | gorun time / h5py time |"
echo "|---|---|---|---|---|---|"
for n in $ranks; do
	py=$(for _ in $(seq "$runs"); do mpiexec --oversubscribe -n "$n" /usr/bin/python3 bench/parallel/h5py_par.py -case gzip -bytes "$bytes" -dir "$dir" | secs; done | median)
	for c in $codecs; do
		g=$(for _ in $(seq "$runs"); do "$bin/gorun" -n "$n" "$bin/gopar" -case gzip -codec "$c" -bytes "$bytes" -dir "$dir" | secs; done | median)
		awk -v n="$n" -v c="$c" -v r="${ratio[$c]}" -v g="$g" -v p="$py" 'BEGIN {printf "| %d | %s | %s | %.0f ms | %.0f ms | %.2f |\n", n, c, r, g*1000, p*1000, g/p}'
	done
done
