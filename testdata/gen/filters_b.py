"""Writes testdata/filters/filters_b.h5 with libhdf5 (through h5py) and
testdata/filters/filters_b.json describing it: for every dataset its dtype,
shape, chunks, filter pipeline (ids and the client data libhdf5 stored),
every chunk's stored bytes (read_direct_chunk) and filter mask, and the
dataset's values as h5py reads them (little-endian bytes in hex).

Filters: libhdf5's built-in scale-offset (6), N-bit (5) and SZIP (4, Debian's
libhdf5 encodes through libaec); Bitshuffle (32008) with LZ4 through
Debian's bitshuffle plugin (libh5bshuf.so, bitshuffle 0.3.5). That plugin
predates Bitshuffle's Zstandard mode (0.4), so the bitshuffle+zstd datasets
are written chunk by chunk with write_direct_chunk: the bit transpose by
bitshuffle's own library (bitshuffle.bitshuffle), each block compressed by
libzstd (python3-zstandard), framed as bshuf_h5filter.c frames them
(8-byte big-endian total size, 4-byte big-endian block size in bytes, per
block a 4-byte big-endian compressed size, the leftover elements raw).

Run: /usr/bin/python3 testdata/gen/filters_b.py
(Debian: python3-h5py python3-hdf5plugin bitshuffle python3-zstandard)
Deterministic: no timestamps, fixed data.
"""
import json
import os
import struct

import bitshuffle
import h5py
import hdf5plugin
import numpy as np
import zstandard

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'filters')


def dset(f, name, data, chunks, **kw):
    return f.create_dataset(name, data=data, chunks=chunks, track_times=False, **kw)


def lowlevel(f, name, tid, data, chunks, dcpl):
    """A dataset of file type tid (which may have a precision less than its
    size) written from data's memory type."""
    dcpl.set_chunk(chunks)
    dcpl.set_obj_track_times(False)
    space = h5py.h5s.create_simple(data.shape, data.shape)
    d = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    d.write(h5py.h5s.ALL, h5py.h5s.ALL, data)
    return h5py.Dataset(d)


def bshuf_block_size(elem_size):
    """bshuf_default_block_size: 8 KiB of elements, a multiple of 8, >= 128."""
    return max(8192 // elem_size // 8 * 8, 128)


def bshuf_zstd_chunk(a, block, level):
    """One chunk as bshuf_h5filter.c writes it with cd_values[4] == 3."""
    raw = a.tobytes()
    es = a.dtype.itemsize
    n = a.size
    out = struct.pack('>QI', len(raw), block * es)
    cctx = zstandard.ZstdCompressor(level=level)
    pos = 0
    sizes = [block] * (n // block)
    last = n % block - n % block % 8
    if last:
        sizes.append(last)
    for s in sizes:
        t = bitshuffle.bitshuffle(a[pos:pos + s]).tobytes()
        c = cctx.compress(t)
        out += struct.pack('>I', len(c)) + c
        pos += s
    out += a[pos:].tobytes()  # leftover (n % 8) elements, raw
    return out


UNREADABLE = {}


def bshuf_zstd(f, name, data, chunks, level=3):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    dcpl.set_obj_track_times(False)
    es = data.dtype.itemsize
    # hdf5plugin.Bitshuffle(cname='zstd', clevel=level)'s options: block
    # size 0 (default), zstd (3), level; the plugin's set_local prepends
    # its version and the element size.
    dcpl.set_filter(32008, h5py.h5z.FLAG_OPTIONAL, (0, 3, level))
    space = h5py.h5s.create_simple(data.shape, data.shape)
    tid = h5py.h5t.py_create(data.dtype)
    d = h5py.Dataset(h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl))
    UNREADABLE[name] = data  # Debian's plugin (0.3.5) cannot read these back
    c = chunks[0]
    for off in range(0, data.shape[0], c):
        part = np.zeros(c, dtype=data.dtype)
        part[:min(c, data.shape[0] - off)] = data[off:off + c]
        d.id.write_direct_chunk((off,), bshuf_zstd_chunk(part, bshuf_block_size(es), level))
    return d


def make(f):
    rng = np.random.RandomState(7)
    # Scale-offset, integers (h5py's scaleoffset=N: H5Z_SO_INT, N bits, 0 = auto).
    v = (rng.randint(-500, 500, 1000)).astype('<i2')
    v[::37] = 0  # the default fill value (0) is defined: stored as all ones
    dset(f, 'so_i2_auto', v, (256,), scaleoffset=0)
    dset(f, 'so_u1_auto', (rng.randint(100, 140, 300)).astype('u1'), (100,), scaleoffset=0)
    dset(f, 'so_i4_bits', (rng.randint(0, 4000, 500)).astype('<i4'), (128,), scaleoffset=12)
    dset(f, 'so_u8_auto', (np.arange(400, dtype='<u8') * 1000003 + 2**40), (128,), scaleoffset=0)
    dset(f, 'so_i8_neg', (rng.randint(-2**40, -2**39, 200)).astype('<i8'), (64,), scaleoffset=0)
    dset(f, 'so_i2_be', (rng.randint(-30, 30, 200)).astype('>i2'), (64,), scaleoffset=0)
    dset(f, 'so_i4_fill', np.where(np.arange(300) % 5 == 0, 9, np.arange(300)).astype('<i4'), (100,),
         scaleoffset=0, fillvalue=9)
    dset(f, 'so_i4_full', np.array([-2**31, 2**31 - 1, 0, 5] * 25, dtype='<i4'), (50,), scaleoffset=0)
    dset(f, 'so_i4_const', np.full(100, 42, dtype='<i4'), (50,), scaleoffset=0)
    # Scale-offset, floats (scaleoffset=D: H5Z_SO_FLOAT_DSCALE, D decimal digits).
    x = np.linspace(-3.0, 7.0, 1000)
    dset(f, 'so_f8_d3', x, (256,), scaleoffset=3)
    dset(f, 'so_f4_d2', (x * 10).astype('<f4'), (256,), scaleoffset=2)
    dset(f, 'so_f8_d0', np.round(x * 100), (300,), scaleoffset=0)
    dset(f, 'so_f4_be', (x[:200]).astype('>f4'), (64,), scaleoffset=2)
    dset(f, 'so_f8_fill', np.where(np.arange(200) % 7 == 0, -1.5, x[:200]), (64,), scaleoffset=4,
         fillvalue=-1.5)
    # N-bit: H5Pset_nbit on a file type with precision < size.
    for name, base, prec, off, data in (
            ('nbit_u2_12', h5py.h5t.STD_U16LE, 12, 0, rng.randint(0, 4096, 1000).astype('<u2')),
            ('nbit_u4_20_at3', h5py.h5t.STD_U32LE, 20, 3, rng.randint(0, 2**20, 500).astype('<u4')),
            ('nbit_u2_be_10', h5py.h5t.STD_U16BE, 10, 0, rng.randint(0, 1024, 300).astype('<u2')),
            ('nbit_u1_5_at2', h5py.h5t.STD_U8LE, 5, 2, rng.randint(0, 32, 200).astype('u1')),
            ('nbit_u8_40', h5py.h5t.STD_U64LE, 40, 0, rng.randint(0, 2**40, 100).astype('<u8'))):
        tid = base.copy()
        tid.set_precision(prec)
        tid.set_offset(off)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL)  # H5Pset_nbit
        lowlevel(f, name, tid, data, (min(128, data.size),), dcpl)
    # N-bit on a compound {a: 12-bit u16 at 0, b: u8 at 2, c: 2x 6-bit u8
    # array at 3} (the client data describe every member).
    a12 = h5py.h5t.STD_U16LE.copy()
    a12.set_precision(12)
    u6 = h5py.h5t.STD_U8LE.copy()
    u6.set_precision(6)
    ctid = h5py.h5t.create(h5py.h5t.COMPOUND, 6)
    ctid.insert(b'a', 0, a12)
    ctid.insert(b'b', 2, h5py.h5t.STD_U8LE)
    ctid.insert(b'c', 3, h5py.h5t.array_create(u6, (2,)))
    cdt = np.dtype({'names': ['a', 'b', 'c'], 'formats': ['<u2', 'u1', ('u1', (2,))], 'offsets': [0, 2, 3], 'itemsize': 6})
    cval = np.zeros(300, dtype=cdt)
    cval['a'] = rng.randint(0, 4096, 300)
    cval['b'] = rng.randint(0, 256, 300)
    cval['c'] = rng.randint(0, 64, (300, 2))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL)  # H5Pset_nbit
    lowlevel(f, 'nbit_compound', ctid, cval, (100,), dcpl)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL)  # H5Pset_nbit
    lowlevel(f, 'nbit_i4_full', h5py.h5t.STD_I32LE, np.arange(-50, 50, dtype='<i4'), (64,), dcpl)
    # SZIP through libaec (h5py: compression='szip', (coding, pixels per block)).
    if h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
        dset(f, 'szip_i4_nn', (np.arange(2000) // 3 + rng.randint(0, 5, 2000)).astype('<i4'), (500,),
             compression='szip', compression_opts=('nn', 16))
        dset(f, 'szip_u2_ec', rng.randint(0, 60000, 1000).astype('<u2'), (300,),
             compression='szip', compression_opts=('ec', 8))
        dset(f, 'szip_f8_nn', np.sin(np.arange(700) / 20.0), (256,),
             compression='szip', compression_opts=('nn', 32))
        dset(f, 'szip_u1_nn', (np.arange(1000) % 50).astype('u1'), (1000,),
             compression='szip', compression_opts=('nn', 32))
        dset(f, 'szip_i2_be_ec', (np.arange(600) * 3 - 900).astype('>i2'), (600,),
             compression='szip', compression_opts=('ec', 16))
        sparse = np.zeros(5000, dtype='<i4')
        sparse[[10, 1500, 4000]] = [7, -3, 100000]
        dset(f, 'szip_sparse_i4', sparse, (5000,), compression='szip', compression_opts=('nn', 8))
        dset(f, 'szip_zeros_u2', np.zeros(3000, dtype='<u2'), (3000,), compression='szip',
             compression_opts=('ec', 32))
        dset(f, 'szip_2d', np.arange(40 * 30, dtype='<i4').reshape(40, 30), (20, 30),
             compression='szip', compression_opts=('nn', 8))
    # Bitshuffle + LZ4 (hdf5plugin.Bitshuffle(cname='lz4') through Debian's plugin).
    dset(f, 'bshuf_lz4_i4', (np.arange(5000) // 7).astype('<i4'), (2048,), **hdf5plugin.Bitshuffle(cname='lz4'))
    dset(f, 'bshuf_lz4_f8', np.cos(np.arange(3000) / 50.0), (1000,), **hdf5plugin.Bitshuffle(cname='lz4'))
    dset(f, 'bshuf_lz4_u1_odd', (np.arange(1003) % 13).astype('u1'), (1003,), **hdf5plugin.Bitshuffle(cname='lz4'))
    dset(f, 'bshuf_lz4_blk16', (np.arange(300) * 3).astype('<u2'), (150,),
         **hdf5plugin.Bitshuffle(nelems=16, cname='lz4'))
    dset(f, 'bshuf_lz4_2d', np.arange(64 * 50, dtype='<i8').reshape(64, 50), (16, 50),
         **hdf5plugin.Bitshuffle(cname='lz4'))
    # Bitshuffle + Zstandard: see the module doc.
    bshuf_zstd(f, 'bshuf_zstd_i4', (np.arange(5000) // 7).astype('<i4'), (2048,))
    bshuf_zstd(f, 'bshuf_zstd_f4_odd', np.sin(np.arange(1005) / 9.0).astype('<f4'), (1005,), level=9)


def values(name, obj):
    """The dataset's values, the padding bytes of a compound zero (h5py
    leaves them undefined)."""
    if name in UNREADABLE:
        return UNREADABLE[name]
    got = obj[()]
    if obj.dtype.names is None:
        return got
    out = np.zeros(obj.shape, dtype=obj.dtype)
    for member in obj.dtype.names:
        out[member] = got[member]
    return out


def little_endian(a):
    """a in little-endian order; a compound as it is (its members here are
    little-endian, and astype would leave its padding undefined)."""
    if a.dtype.names is not None:
        return a
    return a.astype(a.dtype.newbyteorder('<'))


def describe(f):
    out = []

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        dcpl = obj.id.get_create_plist()
        filters = []
        for i in range(dcpl.get_nfilters()):
            fid, flags, cd, fname = dcpl.get_filter(i)
            # h5py 3.7 fetches at most 16 client data values but returns as
            # many as libhdf5 says there are: the rest is not the file's.
            filters.append({'id': fid, 'flags': flags, 'cd': list(cd)[:16], 'ncd': len(cd)})
        chunks = []
        for i in range(obj.id.get_num_chunks()):
            info = obj.id.get_chunk_info(i)
            mask, raw = obj.id.read_direct_chunk(info.chunk_offset)
            chunks.append({'offset': list(info.chunk_offset), 'mask': mask, 'raw': raw.hex()})
        dt = obj.dtype
        out.append({
            'name': name, 'dtype': dt.str, 'shape': list(obj.shape), 'chunks': list(obj.chunks),
            'filters': filters, 'chunk_bytes': chunks,
            'values': little_endian(values(name, obj)).tobytes().hex(),
        })
    f.visititems(visit)
    return out


def main():
    path = os.path.join(OUT, 'filters_b.h5')
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    with h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)) as f:
        make(f)
    with h5py.File(path, 'r') as f:
        desc = describe(f)
    with open(os.path.join(OUT, 'filters_b.json'), 'w') as fp:
        json.dump(desc, fp, indent=1)
        fp.write('\n')


if __name__ == '__main__':
    main()
