"""h5py side of bench/newfamily: run by the Go command with /usr/bin/python3;
prints the seconds one operation took, measured inside Python so interpreter
start-up is not counted. Files are made with libver='latest', the family
gorun's WithLibver(LibverLatest) writes."""
import sys
import time

import h5py
import numpy as np


def main():
    op, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t = time.perf_counter()
    with h5py.File(path, 'w', libver='latest') as f:
        if op == 'datasets':
            for i in range(n):
                f.create_dataset('d%06d' % i, data=np.arange(4, dtype='i4'))
        elif op == 'attrs':
            d = f.create_dataset('x', data=np.arange(4, dtype='i4'))
            a = d.attrs
            for i in range(n):
                a['a%06d' % i] = i
        elif op == 'links':
            f.create_dataset('t', data=np.arange(4, dtype='i4'))
            g = f.create_group('g')
            for i in range(n):
                g['l%06d' % i] = h5py.SoftLink('/t')
        else:
            raise SystemExit('unknown op ' + op)
    print(time.perf_counter() - t)


main()
