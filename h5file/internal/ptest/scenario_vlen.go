package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5file"
)

// Variable-length strings written from every rank, different strings per
// rank (libhdf5 cannot do this in parallel): contiguous, chunked and
// compact datasets, a vlen attribute, and a second write in which only
// the last rank contributes.

func init() {
	Register(Scenario{Name: "vlenstr", Run: vlenstr, Verify: `
per = 3
def s(r, i):
    return ('r%d.%d|' % (r, i)) * (r*i + (r+i) % 3)
want = [s(r, i) for r in range(n) for i in range(per)]
for k in ['contig', 'chunked', 'compact']:
    got = [x.decode() for x in f[k][()]]
    if k == 'contig':
        assert got[0] == 'last rank wrote this', got[0]
        got[0] = want[0]
    assert got == want, (k, got)
assert list(f.attrs['ranks']) == ['rank %d' % r for r in range(n)]
`})
}

func vlenString(r, i int) string {
	return strings.Repeat(fmt.Sprintf("r%d.%d|", r, i), r*i+(r+i)%3)
}

func vlenstr(ctx context.Context, c *comm.Comm, path string) error {
	const per = 3
	n, r := c.Size(), c.Rank()
	f, err := create(ctx, c, path)
	if err != nil {
		return err
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("rank %d", i)
	}
	if err := f.Attrs().Set("ranks", names); err != nil {
		return err
	}
	mine := make([]string, per)
	for i := range mine {
		mine[i] = vlenString(r, i)
	}
	sel := h5file.S(h5file.Range(int64(r*per), int64(r*per+per)))
	var contig *h5file.Dataset
	for _, ds := range []struct {
		name string
		opts []h5file.DatasetOption
	}{{"contig", nil}, {"chunked", []h5file.DatasetOption{h5file.Chunks(2)}}, {"compact", []h5file.DatasetOption{h5file.Compact()}}} {
		d, err := h5file.CreateDatasetOf[string](f, ds.name, []uint64{uint64(n * per)}, ds.opts...)
		if err != nil {
			return err
		}
		if err := d.WriteVlen(sel, mine); err != nil {
			return err
		}
		if ds.name == "contig" {
			contig = d
		}
	}
	if err := f.Flush(); err != nil {
		return err
	}
	last, data := h5file.S(h5file.Range(0, 0)), []string{}
	if r == n-1 {
		last, data = h5file.S(h5file.Index(0)), []string{"last rank wrote this"}
	}
	if err := contig.WriteVlen(last, data); err != nil {
		return err
	}
	return f.Close()
}
