package collectives

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/msgcheck"
	"github.com/vmihailenco/msgpack/v5"
)

// The any-value forms encode Go values with msgpack (as mpi4py's lowercase
// methods pickle) and move the bytes with the same headers, so they are
// checked like the typed forms; their op names differ from the typed ones,
// so BcastValue against Bcast is a mismatch. Values are usually small
// (metadata, settings, results), so they use latency-bound algorithms.

func valueDesc(op opCode, root int) desc {
	return desc{op: op, kind: kindValue, root: int32(root), count: -1}
}

func (cl *call) encode(v any) ([]byte, error) {
	b, err := msgpack.Marshal(v)
	if err != nil {
		return nil, cl.argError("cannot encode %T with msgpack: %v", v, err)
	}
	return b, nil
}

func (cl *call) decode(from int, b []byte, v any) error {
	if err := msgcheck.Check(b); err != nil { // lengths checked before msgpack trusts them
		return cl.fail(fmt.Errorf("the value from rank %d is not a well-formed message: %w", from, err))
	}
	if err := msgpack.Unmarshal(b, v); err != nil {
		return cl.fail(fmt.Errorf("cannot decode the value from rank %d into %T (do all ranks pass the same type?): %w", from, v, err))
	}
	return nil
}

// BcastValue sets *v on every rank to root's *v.
func BcastValue[V any](ctx context.Context, c *comm.Comm, v *V, root int) error {
	cl, err := begin(ctx, c, valueDesc(opBcastValue, root), 1)
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	if v == nil {
		return cl.finish(cl.argError("v is a nil pointer"))
	}
	return cl.finish(bcastValue(cl, v, root))
}

func bcastValue[V any](cl *call, v *V, root int) error {
	p := cl.size
	rel := (cl.rank - root + p) % p
	var buf []byte
	mask := 1
	if rel == 0 {
		b, err := cl.encode(v)
		if err != nil {
			return err
		}
		buf = b
		for mask < p {
			mask <<= 1
		}
	} else {
		mask = rel & -rel
		b, err := cl.recvAlloc((rel - mask + root) % p)
		if err != nil {
			return err
		}
		buf = b
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if rel+mask < p {
			if err := cl.send((rel+mask+root)%p, buf); err != nil {
				return err
			}
		}
	}
	if rel == 0 {
		return nil
	}
	var out V
	if err := cl.decode((rel-(rel&-rel)+root)%p, buf, &out); err != nil {
		return err
	}
	*v = out
	return nil
}

// GatherValue returns, on root, every rank's v in rank order; other ranks
// get nil.
func GatherValue[V any](ctx context.Context, c *comm.Comm, v V, root int) ([]V, error) {
	cl, err := begin(ctx, c, valueDesc(opGatherValue, root), 1)
	if err != nil {
		return nil, err
	}
	if err := cl.checkRoot(root); err != nil {
		return nil, cl.finish(err)
	}
	out, err := gatherValue(cl, v, root)
	return out, cl.finish(err)
}

func gatherValue[V any](cl *call, v V, root int) ([]V, error) {
	if cl.rank != root {
		b, err := cl.encode(v)
		if err != nil {
			return nil, err
		}
		return nil, cl.send(root, b)
	}
	out := make([]V, cl.size)
	out[root] = v
	for i := range cl.size {
		if i == root {
			continue
		}
		b, err := cl.recvAlloc(i)
		if err != nil {
			return nil, err
		}
		if err := cl.decode(i, b, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ScatterValue returns vs[i] on rank i; vs matters only on root, where
// len(vs) == Size().
func ScatterValue[V any](ctx context.Context, c *comm.Comm, vs []V, root int) (V, error) {
	var out V
	cl, err := begin(ctx, c, valueDesc(opScatterValue, root), 1)
	if err != nil {
		return out, err
	}
	if err := cl.checkRoot(root); err != nil {
		return out, cl.finish(err)
	}
	if cl.rank != root {
		b, err := cl.recvAlloc(root)
		if err == nil {
			err = cl.decode(root, b, &out)
		}
		return out, cl.finish(err)
	}
	if len(vs) != cl.size {
		return out, cl.finish(cl.argError("len(vs) = %d, want Size() = %d", len(vs), cl.size))
	}
	for i := range cl.size {
		if i == root {
			continue
		}
		b, err := cl.encode(vs[i])
		if err == nil {
			err = cl.send(i, b)
		}
		if err != nil {
			return out, cl.finish(err)
		}
	}
	return vs[root], cl.finish(nil)
}

// AllgatherValue returns every rank's v, in rank order, on every rank.
func AllgatherValue[V any](ctx context.Context, c *comm.Comm, v V) ([]V, error) {
	cl, err := begin(ctx, c, valueDesc(opAllgatherValue, -1), 1)
	if err != nil {
		return nil, err
	}
	out, err := allgatherValue(cl, v)
	return out, cl.finish(err)
}

func allgatherValue[V any](cl *call, v V) ([]V, error) {
	blobs, err := cl.allgatherBlobs(v)
	if err != nil {
		return nil, err
	}
	out := make([]V, cl.size)
	// Own value decoded too: every rank then holds the same values
	// (msgpack drops unexported fields), which AllreduceValue relies on.
	for i, b := range blobs {
		if err := cl.decode(i, b, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// allgatherBlobs is Bruck's allgather over variable-size byte strings:
// each step's message is the length-prefixed concatenation of the blobs it
// carries. It returns the blobs in rank order.
func (cl *call) allgatherBlobs(v any) ([][]byte, error) {
	p, r := cl.size, cl.rank
	own, err := cl.encode(v)
	if err != nil {
		return nil, err
	}
	tmp := make([][]byte, 1, p) // tmp[j] is rank r+j's blob
	tmp[0] = own
	var frame []byte
	for k := 1; k < p; k <<= 1 {
		m := min(k, p-k)
		frame = frame[:0]
		for _, b := range tmp[:m] {
			frame = binary.AppendUvarint(frame, uint64(len(b)))
			frame = append(frame, b...)
		}
		if err := cl.send((r-k+p)%p, frame); err != nil {
			return nil, err
		}
		src := (r + k) % p
		in, err := cl.recvAlloc(src)
		if err != nil {
			return nil, err
		}
		for j := 0; j < m; j++ {
			n, w := binary.Uvarint(in)
			if w <= 0 || n > uint64(len(in)-w) {
				return nil, cl.fail(fmt.Errorf("malformed AllgatherValue frame from rank %d", src))
			}
			tmp = append(tmp, in[w:w+int(n)])
			in = in[w+int(n):]
		}
	}
	out := make([][]byte, p)
	for j, b := range tmp {
		out[(r+j)%p] = b
	}
	return out, nil
}

// AlltoallValue sends vs[j] to rank j and returns, in rank order, what
// every rank sent to this one. len(vs) == Size() on every rank.
func AlltoallValue[V any](ctx context.Context, c *comm.Comm, vs []V) ([]V, error) {
	cl, err := begin(ctx, c, valueDesc(opAlltoallValue, -1), 1)
	if err != nil {
		return nil, err
	}
	if len(vs) != cl.size {
		return nil, cl.finish(cl.argError("len(vs) = %d, want Size() = %d", len(vs), cl.size))
	}
	out, err := alltoallValue(cl, vs)
	return out, cl.finish(err)
}

func alltoallValue[V any](cl *call, vs []V) ([]V, error) {
	p, r := cl.size, cl.rank
	for i := 1; i < p; i++ {
		d := (r + i) % p
		b, err := cl.encode(vs[d])
		if err == nil {
			err = cl.send(d, b)
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]V, p)
	out[r] = vs[r]
	for i := 1; i < p; i++ {
		s := (r - i + p) % p
		b, err := cl.recvAlloc(s)
		if err == nil {
			err = cl.decode(s, b, &out[s])
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AllreduceValue returns f(...f(f(v_0, v_1), v_2)..., v_{p-1}) on every
// rank. f need not be commutative; every rank folds the same values in the
// same order, so all get the same result. It gathers every value
// everywhere, so keep values small.
func AllreduceValue[V any](ctx context.Context, c *comm.Comm, v V, f func(a, b V) V) (V, error) {
	var zero V
	cl, err := begin(ctx, c, valueDesc(opAllreduceValue, -1), 1)
	if err != nil {
		return zero, err
	}
	if f == nil {
		return zero, cl.finish(cl.argError("f is nil"))
	}
	all, err := allgatherValue(cl, v)
	if err != nil {
		return zero, cl.finish(err)
	}
	acc := all[0]
	for _, x := range all[1:] {
		acc = f(acc, x)
	}
	return acc, cl.finish(nil)
}
