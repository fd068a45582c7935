"""nbc.py: the measurements of bench/mpiapi/nbc with mpi4py + numpy, same JSON lines."""
import json, sys, time
import numpy as np
from mpi4py import MPI

c = MPI.COMM_WORLD
me, p = c.Get_rank(), c.Get_size()
quick = "-quick" in sys.argv


def iters(n):
    if quick:
        return 2, 5
    if n >= 1 << 20:
        return 5, 50
    return 100, 1000


def emit(bench, n, dt, it):
    if me == 0:
        print(json.dumps({"bench": bench, "size": n, "ranks": p, "usec": dt * 1e6 / it}), flush=True)


def timed(n, f):
    warm, it = iters(n)
    for _ in range(warm):
        f()
    c.Barrier()
    t0 = time.perf_counter()
    for _ in range(it):
        f()
    return time.perf_counter() - t0, it


right, left = (me + 1) % p, (me + p - 1) % p
for n in (8, 1 << 20):
    send, recv = np.zeros(n // 8), np.zeros(n // 8)
    dt, it = timed(n, lambda: c.Sendrecv(send, right, 0, recv, left, 0))
    emit("sendrecv", n, dt, it)
    dt, it = timed(n, lambda: c.Iallreduce(send, recv, MPI.SUM).Wait())
    emit("iallreduce", n, dt, it)
dt, it = timed(8, lambda: c.Ibarrier().Wait())
emit("ibarrier", 0, dt, it)
send, recv = np.zeros(1 << 17), np.zeros(1 << 17)
ar, it = timed(1 << 20, lambda: c.Allreduce(send, recv, MPI.SUM))
per = ar / it
work = np.zeros(1 << 16)


def spin():
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < per:
        work[:] = work * 0.5 + 1


def overlapped():
    req = c.Iallreduce(send, recv, MPI.SUM)
    spin()
    req.Wait()


cp, it = timed(1 << 20, spin)
both, it = timed(1 << 20, overlapped)
emit("allreduce+compute", 1 << 20, ar + cp, it)
emit("iallreduce||compute", 1 << 20, both, it)
