"""h5py side of gorun's parallel benchmarks (bench/parallel): run under
mpiexec with /usr/bin/python3 (Debian's h5py then loads its MPI build and
the mpio driver). Rank 0 prints one JSON line with the slowest rank's time,
measured inside Python from a barrier, so interpreter start-up is not
counted. Same cases and data as gopar/main.go."""
import argparse
import json
import os
import sys
import time

from mpi4py import MPI
import h5py
import numpy as np


def part(n, r, p):
    per = (n + p - 1) // p
    return min(r * per, n), min((r + 1) * per, n)


def run_case(a, comm, path, x, lo, hi, n, r, p):
    """One whole run of the case; returns the error text or ''."""
    err = ''
    try:
        if a.case in ('write', 'gzip'):
            with h5py.File(path, 'w', driver='mpio', comm=comm) as f:
                if a.case == 'gzip':
                    per = (n + p - 1) // p
                    d = f.create_dataset('x', shape=(n,), dtype='f8', chunks=(min(1 << 17, per),), compression='gzip', compression_opts=4)
                else:
                    d = f.create_dataset('x', shape=(n,), dtype='f8')
                if a.coll or a.case == 'gzip':
                    with d.collective:
                        d[lo:hi] = x
                else:
                    d[lo:hi] = x
                if a.flush:
                    f.flush()
        elif a.case == 'raw':
            fh = MPI.File.Open(comm, path, MPI.MODE_CREATE | MPI.MODE_WRONLY)
            fh.Write_at(lo * 8, x)
            if a.flush:
                fh.Sync()
            fh.Close()
        elif a.case == 'meta':
            with h5py.File(path, 'w', driver='mpio', comm=comm) as f:
                for g in range(10):
                    grp = f.create_group('g%d' % g)
                    for i in range(100):
                        d = grp.create_dataset('d%d' % i, shape=(16,), dtype='i4')
                        if r < 16:
                            d[r] = r
        elif a.case == 'vpic':
            npart = a.particles
            off = comm.exscan(npart) or 0
            total = comm.allreduce(npart)
            fl = np.arange(npart, dtype='f4') * np.float32(0.001)
            ids = np.arange(npart, dtype='i4')
            with h5py.File(path, 'w', driver='mpio', comm=comm) as f:
                for s in range(a.steps):
                    g = f.create_group('Timestep_%d' % s)
                    for name in ('x', 'y', 'z', 'px', 'py', 'pz'):
                        g.create_dataset(name, shape=(total,), dtype='f4')[off:off + npart] = fl
                    for name in ('id1', 'id2'):
                        g.create_dataset(name, shape=(total,), dtype='i4')[off:off + npart] = ids
        else:
            raise ValueError('unknown case ' + a.case)
    except Exception as e:  # reported, like the Go side
        err = str(e)
    return err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-case', default='write')
    ap.add_argument('-bytes', type=int, default=256 << 20)
    ap.add_argument('-flush', action='store_true')
    ap.add_argument('-coll', action='store_true')
    ap.add_argument('-dir', default='/tmp')
    ap.add_argument('-steps', type=int, default=5)
    ap.add_argument('-particles', type=int, default=1 << 20)
    ap.add_argument('-warmup', type=int, default=1)
    a = ap.parse_args()
    comm = MPI.COMM_WORLD
    r, p = comm.rank, comm.size
    path = os.path.join(a.dir, 'h5pypar-%s-%d.h5' % (a.case, os.getppid()))
    n = a.bytes // 8
    lo, hi = part(n, r, p)
    x = (np.arange(lo, hi, dtype='f8') % 1000) * 0.5
    # Warm-up runs: whole untimed runs in the same processes, as on the Go
    # side (see gopar/main.go).
    for i in range(a.warmup + 1):
        comm.Barrier()
        t0 = time.perf_counter()
        err = run_case(a, comm, path, x, lo, hi, n, r, p)
        mine = time.perf_counter() - t0
        slowest = comm.allreduce(mine, op=MPI.MAX)
        if i < a.warmup and r == 0:
            try:
                os.remove(path)
            except OSError:
                pass
        if err:
            break
    if r == 0:
        try:
            os.remove(path)
        except OSError:
            pass
        print(json.dumps({'case': a.case, 'ranks': p, 'bytes': a.bytes, 'flush': a.flush,
                          'coll': a.coll, 'seconds': slowest, 'steps': a.steps, 'err': err}))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
