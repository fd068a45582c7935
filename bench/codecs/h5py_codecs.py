"""h5py side of gorun's codec benchmarks (bench/codecs): run by the Go
command with /usr/bin/python3, HDF5_PLUGIN_PATH set to Debian's libhdf5
plugins and hdf5plugin imported; prints the seconds one operation took,
measured inside Python so interpreter start-up is not counted."""
import sys
import time

import h5py
import hdf5plugin
import numpy as np


def data(n):
    # The Go side computes the same float32s: a smooth field with a
    # little structure in its low bits, compressible but not trivially.
    i = np.arange(n, dtype='f8')
    return (np.sin(i / 1000.0) * 100 + (i % 17) * 0.01).astype('<f4')


def kwargs(case):
    B = hdf5plugin.Blosc
    shuffles = {'noshuffle': B.NOSHUFFLE, 'shuffle': B.SHUFFLE, 'bitshuffle': B.BITSHUFFLE}
    parts = case.split('_')
    if parts[0] == 'gzip':
        return dict(compression='gzip', compression_opts=4, shuffle='shuffle' in parts)
    if parts[0] == 'lzf':
        return dict(compression='lzf', shuffle='shuffle' in parts)
    if parts[0] == 'lz4':
        return dict(hdf5plugin.LZ4(), shuffle='shuffle' in parts)
    if parts[0] == 'bzip2':
        return dict(compression=307, compression_opts=(9,))
    if parts[0] == 'zstd':
        return dict(compression=32015, compression_opts=(3,))
    if parts[0] == 'blosc':  # blosc_<cname>_<shuffle>_<level>
        return dict(B(cname=parts[1], clevel=int(parts[3]), shuffle=shuffles[parts[2]]))
    raise SystemExit('unknown case ' + case)


def main():
    op, case, path, n, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    if op == 'write':
        x = data(n)
        t = time.perf_counter()
        with h5py.File(path, 'w') as f:
            d = f.create_dataset('x', shape=(n,), dtype='f4', chunks=(chunk,), **kwargs(case))
            d[...] = x
    elif op == 'read':
        t = time.perf_counter()
        with h5py.File(path, 'r') as f:
            x = f['x'][...]
        assert x[-1] == data(n)[-1]
    else:
        raise SystemExit('unknown op ' + op)
    print(time.perf_counter() - t)


main()
