"""h5py side of gorun's serial benchmarks (bench/serial): run by the Go
command with /usr/bin/python3; prints the seconds one operation took,
measured inside Python so interpreter start-up is not counted."""
import sys
import time

import h5py
import numpy as np


def data(n):
    # Same values as the Go side: compressible but not trivial.
    return (np.arange(n, dtype='f8') % 1000) * 0.5


def main():
    op, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    chunk = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if op in ('write', 'gzip_write'):
        x = data(n)
        t = time.perf_counter()
        with h5py.File(path, 'w') as f:
            if op == 'write':
                d = f.create_dataset('x', shape=(n,), dtype='f8')
            else:
                d = f.create_dataset('x', shape=(n,), dtype='f8', chunks=(chunk,), compression='gzip', compression_opts=4)
            d[...] = x
    elif op in ('read', 'gzip_read'):
        t = time.perf_counter()
        with h5py.File(path, 'r') as f:
            x = f['x'][...]
        assert x[-1] == ((n - 1) % 1000) * 0.5
    elif op == 'strided_read':
        t = time.perf_counter()
        with h5py.File(path, 'r') as f:
            x = f['x'][5::128]
        assert x[-1] == ((5 + 128 * (len(x) - 1)) % 1000) * 0.5
    elif op == 'meta':
        t = time.perf_counter()
        with h5py.File(path, 'w') as f:
            for i in range(n):
                d = f.create_dataset('d%05d' % i, data=np.arange(4, dtype='i4'))
                d.attrs['step'] = i
    else:
        raise SystemExit('unknown op ' + op)
    print(time.perf_counter() - t)


main()
