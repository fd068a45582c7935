"""Checks an HDF5 file against the JSON libhdf5.py wrote for the file it
was made from: every dataset and attribute h5py read from the original
must read the same (dtype, shape, values) from the changed one, and every
group keeps its members. Extra members and attributes are allowed.

Run: /usr/bin/python3 check_corpus.py FILE JSON [skip:PATH ...] [PATH|ATTR|VALUE ...]
  skip:PATH        an object the caller changed on purpose (checked by it)
  PATH|ATTR|VALUE  a new attribute and the str() of its value
Used by h5core's and h5file's tests that change libhdf5-made files.
"""
import h5py, json, sys, numpy as np
path, want = sys.argv[1], json.load(open(sys.argv[2]))
bad = []
def enc(v, dt):
    if h5py.check_string_dtype(dt) is not None and dt.kind == 'O':
        return {'strings': [x.decode() if isinstance(x, bytes) else x for x in np.asarray(v, dtype=object).ravel()]}
    a = np.asarray(v)
    return {'hex': a.astype(a.dtype.newbyteorder('<') if a.dtype.kind in 'iuf' else a.dtype).tobytes().hex()}
with h5py.File(path, 'r') as f:
    skip = [a[5:] for a in sys.argv[3:] if a.startswith('skip:')]
    for e in want:
        if e['path'] in skip:
            continue
        try:
            o = f[e['path']]
            if e['kind'] == 'group':
                missing = set(e['members']) - set(o.keys())
                assert not missing, ('members missing', missing)
                continue
            if e['kind'] == 'dataset':
                dt, shape, v = o.dtype, o.shape, o[()]
            else:
                aid = o.attrs.get_id(e['name'])
                dt, shape, v = aid.dtype, aid.shape, o.attrs[e['name']]
            assert dt.str == e['dtype'], (dt.str, e['dtype'])
            assert list(shape) == e['shape'], (shape, e['shape'])
            got = enc(v, dt)
            for k in ('hex', 'strings'):
                if k in e:
                    assert got[k] == e[k], (k, str(got[k])[:80], str(e[k])[:80])
        except Exception as x:
            bad.append('%s %s %s: %r' % (e['kind'], e['path'], e.get('name', ''), x))
    extra = [a for a in sys.argv[3:] if not a.startswith('skip:')]
    for spec in extra:
        p, name, val = spec.split('|')
        try:
            got = f[p].attrs[name]
            assert str(got) == val, (str(got), val)
        except Exception as x:
            bad.append('new attr %s@%s: %r' % (p, name, x))
print('\n'.join(bad[:20]))
print('checked', len(want), 'bad', len(bad))
sys.exit(1 if bad else 0)
