"""h5py side of bench/codecs_b: prints the seconds one write or read took,
measured inside Python so interpreter start-up is not counted. The data
are the Go side's (see main.go's data)."""
import sys
import time

import h5py
import hdf5plugin  # noqa: F401  (registers nothing new on Debian; the bitshuffle plugin is found on the default path)
import numpy as np


def data(case, n):
    i = np.arange(n, dtype='f8')
    field = np.sin(i / 1000.0) * 100 + (i % 17) * 0.01
    if case.startswith('nbit'):
        return (np.arange(n) * 7 % 4096).astype('<u2')
    if case == 'scaleoffset_int':
        return np.round(field * 100).astype('<i4')
    return field.astype('<f4')


def create(f, case, n, chunk, x):
    if case == 'nbit_12':
        tid = h5py.h5t.STD_U16LE.copy()
        tid.set_precision(12)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((chunk,))
        dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL)
        space = h5py.h5s.create_simple((n,), (n,))
        return h5py.Dataset(h5py.h5d.create(f.id, b'x', tid, space, dcpl=dcpl))
    kw = {
        'gzip': dict(compression='gzip', compression_opts=4),
        'lz4': dict(hdf5plugin.LZ4()),
        'bitshuffle_lz4': dict(hdf5plugin.Bitshuffle(cname='lz4')),
        'scaleoffset_float_d2': dict(scaleoffset=2),
        'scaleoffset_int': dict(scaleoffset=0),
    }[case]
    return f.create_dataset('x', shape=(n,), dtype=x.dtype, chunks=(chunk,), **kw)


def main():
    op, case, path, n, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    x = data(case, n)
    if op == 'write':
        t = time.perf_counter()
        with h5py.File(path, 'w') as f:
            d = create(f, case, n, chunk, x)
            d[...] = x
    else:
        t = time.perf_counter()
        with h5py.File(path, 'r') as f:
            y = f['x'][...]
        el = time.perf_counter() - t
        assert y[-1] == x[-1] or case.startswith('scaleoffset_float'), (y[-1], x[-1])
        print(el)
        return
    print(time.perf_counter() - t)


main()
