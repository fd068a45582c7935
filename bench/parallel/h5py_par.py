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


def vpic(a, comm, path, data):
    """h5bench's VPIC-IO write kernel; returns h5bench's figures (each the
    slowest rank's), as gopar/main.go does. data is the particles, made
    once before the runs (as h5bench prepares its data before the steps)."""
    npart = a.particles
    off = comm.exscan(npart) or 0
    total = comm.allreduce(npart)
    fl, ids = data
    names = ('x', 'y', 'z', 'px', 'py', 'pz', 'id1', 'id2')
    times = [0.0] * (4 + a.steps)  # create, close, raw, meta, steps
    t = time.perf_counter()
    f = h5py.File(path, 'w', driver='mpio', comm=comm)
    times[0] += time.perf_counter() - t
    for s in range(a.steps):
        step = time.perf_counter()
        t = time.perf_counter()
        g = f.create_group('Timestep_%d' % s)
        times[3] += time.perf_counter() - t
        for i, name in enumerate(names):
            t = time.perf_counter()
            d = g.create_dataset(name, shape=(total,), dtype='f4' if i < 6 else 'i4')
            times[3] += time.perf_counter() - t
            t = time.perf_counter()
            d[off:off + npart] = fl if i < 6 else ids
            times[2] += time.perf_counter() - t
        times[4 + s] += time.perf_counter() - step
    t = time.perf_counter()
    f.close()
    times[1] += time.perf_counter() - t
    slowest = np.zeros(len(times))
    comm.Allreduce(np.array(times), slowest, op=MPI.MAX)
    return {'step_seconds': list(map(float, slowest[4:])), 'raw_seconds': float(slowest[2]),
            'meta_seconds': float(slowest[3]), 'create_seconds': float(slowest[0]),
            'close_seconds': float(slowest[1]), 'total_bytes': total * 4 * len(names) * a.steps}


GRIDS = {1: (1, 1, 1), 2: (1, 1, 2), 4: (1, 2, 2), 8: (2, 2, 2), 16: (2, 2, 4)}


def tiles_n(a):
    n = int(round((a.bytes // 8) ** (1 / 3)))
    while n ** 3 * 8 > a.bytes:
        n -= 1
    while (n + 1) ** 3 * 8 <= a.bytes:
        n += 1
    return n


def tiles_block(a, r, p):
    """The tiles case's block of rank r and its values, as gopar/tiles.go."""
    n = tiles_n(a)
    g = GRIDS.get(p, (1, 1, p))
    coord = (r // (g[1] * g[2]), r // g[2] % g[1], r % g[2])
    blo, bhi = zip(*(part(n, c, gi) for c, gi in zip(coord, g)))
    i, j, k = np.meshgrid(*(np.arange(l, h, dtype='i8') for l, h in zip(blo, bhi)), indexing='ij')
    return ((((i * n + j) * n + k) % 1000) * 0.5).astype('f8'), (blo, bhi)


def run_case(a, comm, path, x, lo, hi, n, r, p):
    """One whole run of the case; returns (error text or '', VPIC figures or None)."""
    err = ''
    vpic_times = None
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
        elif a.case == 'tiles':
            cube, (blo, bhi) = x
            with h5py.File(path, 'w', driver='mpio', comm=comm) as f:
                d = f.create_dataset('x', shape=(tiles_n(a),) * 3, dtype='f8')
                sl = tuple(slice(l, h) for l, h in zip(blo, bhi))
                if a.coll:
                    with d.collective:
                        d[sl] = cube
                else:
                    d[sl] = cube
                if a.flush:
                    f.flush()
        elif a.case == 'tilesread':
            (cube, (blo, bhi)), got = x
            with h5py.File(path, 'r', driver='mpio', comm=comm) as f:
                d = f['x']
                sl = tuple(slice(l, h) for l, h in zip(blo, bhi))
                if a.coll:
                    with d.collective:
                        d.read_direct(got, sl)
                else:
                    d.read_direct(got, sl)
        elif a.case == 'raw':
            fh = MPI.File.Open(comm, path, MPI.MODE_CREATE | MPI.MODE_WRONLY)
            fh.Write_at(lo * 8, x)
            if a.flush:
                fh.Sync()
            fh.Close()
        elif a.case == 'meta':
            with h5py.File(path, 'w', driver='mpio', comm=comm, libver=a.libver) as f:
                for g in range(10):
                    grp = f.create_group('g%d' % g)
                    for i in range(100):
                        d = grp.create_dataset('d%d' % i, shape=(16,), dtype='i4')
                        if r < 16:
                            d[r] = r
        elif a.case == 'vpic':
            vpic_times = vpic(a, comm, path, x)
        else:
            raise ValueError('unknown case ' + a.case)
    except Exception as e:  # reported, like the Go side
        err = str(e)
    return err, vpic_times


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
    ap.add_argument('-reps', type=int, default=1)
    ap.add_argument('-libver', default='earliest')
    a = ap.parse_args()
    comm = MPI.COMM_WORLD
    r, p = comm.rank, comm.size
    path = os.path.join(a.dir, 'h5pypar-%s-%d.h5' % (a.case, os.getppid()))
    n = a.bytes // 8
    lo, hi = part(n, r, p)
    x = None  # only the cases that write it, as on the Go side
    if a.case in ('write', 'raw', 'gzip'):
        x = (np.arange(lo, hi, dtype='f8') % 1000) * 0.5
    elif a.case == 'tiles':
        x = tiles_block(a, r, p)
    elif a.case == 'tilesread':
        # The file to read, written once before any run (collectively).
        cube, (blo, bhi) = tiles_block(a, r, p)
        with h5py.File(path, 'w', driver='mpio', comm=comm) as f:
            d = f.create_dataset('x', shape=(tiles_n(a),) * 3, dtype='f8')
            with d.collective:
                d[tuple(slice(l, h) for l, h in zip(blo, bhi))] = cube
        x = ((cube, (blo, bhi)), np.empty_like(cube))
    elif a.case == 'vpic':
        x = (np.arange(a.particles, dtype='f4') * np.float32(0.001), np.arange(a.particles, dtype='i4'))
    # Warm-up runs: whole untimed runs in the same processes, as on the Go
    # side (see gopar/main.go).
    # Timed runs (-reps): the result is the median one (the upper of an
    # even count) with its VPIC-IO figures, as on the Go side.
    timed = []
    reps = max(a.reps, 1)
    for i in range(a.warmup + reps):
        comm.Barrier()
        t0 = time.perf_counter()
        err, vpic_times = run_case(a, comm, path, x, lo, hi, n, r, p)
        # One rank's error ends the run on every rank (no rank may go on
        # into the next run's collectives alone).
        err = next((e for e in comm.allgather(err) if e), '')
        mine = time.perf_counter() - t0
        slowest = comm.allreduce(mine, op=MPI.MAX)
        if i >= a.warmup:
            timed.append((slowest, vpic_times))
        if i < a.warmup + reps - 1 and r == 0 and a.case != 'tilesread':
            try:
                os.remove(path)
            except OSError:
                pass
        if err:
            break
    if timed and not err:
        slowest, vpic_times = sorted(timed, key=lambda t: t[0])[len(timed) // 2]
    if not err and a.case == 'tilesread' and not (x[1] == x[0][0]).all():
        err = 'tilesread: the block read differs from the values written'
    err = next((e for e in comm.allgather(err) if e), '')
    if r == 0:
        try:
            os.remove(path)
        except OSError:
            pass
        out = {'case': a.case, 'ranks': p, 'bytes': a.bytes, 'flush': a.flush,
               'coll': a.coll, 'seconds': slowest, 'steps': a.steps, 'err': err}
        if vpic_times:
            out['vpic'] = vpic_times
        print(json.dumps(out))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
