"""run.py: bench/mpiapi's one command. Builds gorun and nbc, then runs nbc
under gorun and nbc.py under Open MPI (TCP, then its default: shared
memory) alternately, -runs times per rank count, and prints the medians as
a Markdown table with the ratios.

    /usr/bin/python3 bench/mpiapi/run.py [-runs 3] [-ranks 2,4] [-quick]
"""
import json, os, statistics, subprocess, sys, tempfile

args = sys.argv[1:]
runs = int(args[args.index("-runs") + 1]) if "-runs" in args else 3
ranks = [int(x) for x in (args[args.index("-ranks") + 1] if "-ranks" in args else "2,4").split(",")]
extra = ["-quick"] if "-quick" in args else []
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tmp = tempfile.mkdtemp()
for out, pkg in (("gorun", "./cmd/gorun"), ("nbc", "./bench/mpiapi/nbc")):
    subprocess.run(["go", "build", "-o", os.path.join(tmp, out), pkg], cwd=root, check=True)
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
py = [os.path.join(root, "bench/mpiapi/nbc.py")] + extra
res = {}  # (side, bench, size, ranks) -> [usec]
for n in ranks:
    sides = {
        "gorun": [os.path.join(tmp, "gorun"), "-n", str(n), os.path.join(tmp, "nbc")] + extra,
        "ompi-tcp": ["mpiexec", "--oversubscribe", "--mca", "btl", "tcp,self", "-n", str(n), "/usr/bin/python3"] + py,
        "ompi-default": ["mpiexec", "--oversubscribe", "-n", str(n), "/usr/bin/python3"] + py,
    }
    for _ in range(runs):
        for side, cmd in sides.items():
            out = subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                if line.startswith("{"):
                    r = json.loads(line)
                    res.setdefault((side, r["bench"], r["size"], r["ranks"]), []).append(r["usec"])
print("load:", open("/proc/loadavg").read().split()[:3])
print("| benchmark | size | ranks | gorun µs | OMPI-TCP µs | OMPI-default µs | gorun/TCP | gorun/default |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
keys = sorted({k[1:] for k in res}, key=lambda k: (k[2], k[0], k[1]))
for bench, size, n in keys:
    med = [statistics.median(res.get((s, bench, size, n), [float("nan")])) for s in ("gorun", "ompi-tcp", "ompi-default")]
    print(f"| {bench} | {size} | {n} | {med[0]:.1f} | {med[1]:.1f} | {med[2]:.1f} | {med[0]/med[1]:.2f} | {med[0]/med[2]:.2f} |")
