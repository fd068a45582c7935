"""Writes codecs.h5 with h5py and the libhdf5 filter plugins, for
h5file's TestReadPluginFiles: every codec and option gorun reads.

Run with Debian's python3-h5py, python3-hdf5plugin and the plugins of
hdf5-filter-plugin, hdf5-plugin-lzf and hdf5-filter-plugin-blosc-serial:

    HDF5_PLUGIN_PATH=/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins \
        /usr/bin/python3 make_codecs.py codecs.h5

Each compressed dataset has an attribute 'src' naming the uncompressed
dataset it must read back equal to, and 'filter' its filter id. Zstandard
(32015) is written only where a plugin for it is installed (Debian has
none; pip's hdf5plugin has), and the script says which it wrote.
"""
import sys

import h5py
import hdf5plugin
import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "codecs.h5"
rng = np.random.RandomState(15)
src = {
    # smooth floats: shuffling helps
    "f4": (np.sin(np.arange(40 * 30) / 37.0) * 1000).astype("<f4").reshape(40, 30),
    # a ramp of int16s
    "i2": (np.arange(50 * 20) % 3000 - 1500).astype("<i2").reshape(50, 20),
    # bytes: half random (incompressible chunks), half runs
    "u1": np.concatenate([rng.randint(0, 256, 2048), np.repeat(np.arange(64), 32)]).astype("u1"),
    # float64 big-endian, another element size and byte order
    "f8be": np.linspace(-5, 5, 24 * 24).astype(">f8").reshape(24, 24),
}
chunks = {"f4": (16, 16), "i2": (16, 7), "u1": (512,), "f8be": (10, 24)}

B = hdf5plugin.Blosc
cases = []
for s in src:
    cases.append(("lzf", s, dict(compression="lzf")))
    cases.append(("lzf_shuffle_fletcher", s, dict(compression="lzf", shuffle=True, fletcher32=True)))
    cases.append(("lz4", s, dict(hdf5plugin.LZ4())))
    cases.append(("lz4_block100", s, dict(hdf5plugin.LZ4(nbytes=100))))
    cases.append(("bzip2_1", s, dict(compression=307, compression_opts=(1,))))
    cases.append(("bzip2_9", s, dict(compression=307, compression_opts=(9,))))
    for cname in ("blosclz", "lz4", "lz4hc", "zlib", "zstd"):
        for sh, sname in ((B.NOSHUFFLE, "noshuffle"), (B.SHUFFLE, "shuffle"), (B.BITSHUFFLE, "bitshuffle")):
            cases.append((f"blosc_{cname}_{sname}_5", s, dict(B(cname=cname, clevel=5, shuffle=sh))))
        for lvl in (0, 1, 9):
            cases.append((f"blosc_{cname}_shuffle_{lvl}", s, dict(B(cname=cname, clevel=lvl, shuffle=B.SHUFFLE))))
    for lvl in (1, 3, 22):
        cases.append((f"zstd_{lvl}", s, dict(compression=32015, compression_opts=(lvl,))))

with h5py.File(path, "w") as f:
    for name, data in src.items():
        f.create_dataset("src_" + name, data=data)
    wrote, skipped = 0, set()
    for name, s, kw in cases:
        fid = kw.get("compression")
        if isinstance(fid, int) and not h5py.h5z.filter_avail(fid):
            skipped.add(fid)
            continue
        d = f.create_dataset(f"{name}_{s}", data=src[s], chunks=chunks[s], **kw)
        d.attrs["src"] = "src_" + s
        d.attrs["filter"] = d.id.get_create_plist().get_filter(0 if not kw.get("shuffle") else 1)[0]
        wrote += 1
print(f"wrote {wrote} datasets to {path}; no plugin for filters {sorted(skipped)}")
