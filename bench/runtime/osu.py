"""osu.py: the measurements of bench/runtime/osu with mpi4py + numpy, same JSON lines."""
import json, sys, time
import numpy as np
from mpi4py import MPI

c = MPI.COMM_WORLD
me, size = c.Get_rank(), c.Get_size()
quick = "-quick" in sys.argv
p50 = "-p50" in sys.argv  # also single timed round trips: median, 90th, 99th percentile
only = None  # -only latency,bandwidth: those benchmarks only
if "-only" in sys.argv:
    only = set(sys.argv[sys.argv.index("-only") + 1].split(","))


def want(name):
    return only is None or name in only


def iters(n):
    if quick:
        return 2, 5
    if n >= 1 << 20:
        return 5, 50
    if n >= 64 << 10:
        return 10, 200
    return 100, 2000


def emit(bench, n, dt, it):
    if me == 0:
        print(json.dumps({"bench": bench, "size": n, "ranks": size, "usec": dt * 1e6 / it}), flush=True)


def timed(n, f):
    warm, it = iters(n)
    for _ in range(warm):
        f()
    c.Barrier()
    t0 = time.perf_counter()
    for _ in range(it):
        f()
    return time.perf_counter() - t0, it


if size >= 2:
    for name, n in (("latency", 8), ("bandwidth", 1 << 20)):
        if not want(name):
            continue
        buf = np.zeros(n, dtype=np.uint8)

        def pp():
            if me == 0:
                c.Send(buf, 1, 1); c.Recv(buf, 1, 1)
            elif me == 1:
                c.Recv(buf, 0, 1); c.Send(buf, 0, 1)
        dt, it = timed(n, pp)
        emit(name, n, dt / 2 if name == "latency" else dt, it)
        if p50:
            ts = []
            for _ in range(it):
                t0 = time.perf_counter()
                pp()
                ts.append(time.perf_counter() - t0)
            ts.sort()
            half = 2 if name == "latency" else 1
            for q, at in (("p50", it // 2), ("p90", it * 9 // 10), ("p99", it * 99 // 100)):
                emit(name + "-" + q, n, ts[at] / half, 1)
if want("barrier"):
    dt, it = timed(8, c.Barrier)
    emit("barrier", 0, dt, it)
for n in (8, 64 << 10, 1 << 20) if only is None else ():
    send = np.zeros(n // 8); recv = np.zeros(n // 8 * size); red = np.zeros(n // 8)
    for name, f in (("bcast", lambda: c.Bcast(send, 0)),
                    ("allgather", lambda: c.Allgather(send, recv)),
                    ("allreduce", lambda: c.Allreduce(send, red, MPI.SUM))):
        dt, it = timed(n, f)
        emit(name, n, dt, it)
