"""h5py side of bench/open. `make DIR` writes the two files (h5py made);
`time CASE PATH REPS` prints the mean seconds of one open (+ list or
visit), measured inside Python so interpreter start-up is not counted."""
import sys
import time

import h5py
import numpy as np


def make(d):
    with h5py.File(d + '/tenk.h5', 'w') as f:
        for g in range(100):
            grp = f.create_group('g%02d' % g)
            for i in range(99):
                ds = grp.create_dataset('d%02d' % i, data=np.arange(4, dtype='<i4'))
                ds.attrs['i'] = 100 * g + i
    with h5py.File(d + '/wide.h5', 'w') as f:
        g = f.create_group('g')
        for i in range(100000):
            g.create_dataset('d%06d' % i, shape=(1,), dtype='<i4')


def once(case, path):
    f = h5py.File(path, 'r')
    if case == 'list':
        n = len(list(f['g'].keys()))
        assert n == 100000, n
    elif case == 'visit':
        seen = []
        f.visititems(lambda name, obj: seen.append(name))
        assert len(seen) == 100 * 100, len(seen)
    elif case == 'one':
        assert f['g42/d17'].attrs['i'] == 4217
    f.close()


def make_big(d):
    with h5py.File(d + '/big.h5', 'w') as f:
        f.create_dataset('x', data=np.arange(1 << 27, dtype='<f8'))


def par(path, reps, mode='r'):
    """Under mpiexec: rank r opens with the mpio driver (mode r or r+),
    reads one dataset of its own, closes; rank 0 prints the mean seconds
    of one round."""
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    r = comm.Get_rank()

    def once():
        f = h5py.File(path, mode, driver='mpio', comm=comm)
        v = f['g%02d/d%02d' % (r % 100, r % 99)][()]
        assert len(v) == 4
        f.close()
    once()
    comm.Barrier()
    t = time.perf_counter()
    for _ in range(reps):
        once()
    comm.Barrier()
    if r == 0:
        print((time.perf_counter() - t) / reps)


def mem(case, path):
    """Peak RSS (KiB) of one open + list of /g, or one read of /x whole."""
    import resource
    with h5py.File(path, 'r') as f:
        if case == 'list':
            assert len(list(f['g'].keys())) == 100000
        else:
            x = f['x'][()]
            assert x[-1] == len(x) - 1
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def vm_hwm():
    with open('/proc/self/status') as st:
        for line in st:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    raise RuntimeError('no VmHWM')


def parmem(path):
    """Under mpiexec: open with the mpio driver, list /g's 100k members,
    read one dataset of this rank's own, close; rank 0 prints every rank's
    peak RSS (KiB, VmHWM), rank order."""
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    r = comm.Get_rank()
    f = h5py.File(path, 'r', driver='mpio', comm=comm)
    assert len(list(f['g'].keys())) == 100000
    f['g/d%06d' % r][()]
    f.close()
    hwm = comm.gather(vm_hwm(), root=0)
    if r == 0:
        print(' '.join(str(h) for h in hwm))


def main():
    if sys.argv[1] == 'make':
        make(sys.argv[2])
        return
    if sys.argv[1] == 'makebig':
        make_big(sys.argv[2])
        return
    if sys.argv[1] == 'par':
        par(sys.argv[2], int(sys.argv[3]), 'r+' if sys.argv[4:5] == ['rw'] else 'r')
        return
    if sys.argv[1] == 'parmem':
        parmem(sys.argv[2])
        return
    if sys.argv[1] == 'mem':
        mem(sys.argv[2], sys.argv[3])
        return
    case, path, reps = sys.argv[2], sys.argv[3], int(sys.argv[4])
    once(case, path)  # warm the page cache and the imports
    t = time.perf_counter()
    for _ in range(reps):
        once(case, path)
    print((time.perf_counter() - t) / reps)


main()
