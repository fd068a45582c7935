package comm

import (
	"context"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// IsendSlice starts SendSlice and returns its Request; s must not change
// until the request completes. dest may be ProcNull (completes at once).
func IsendSlice[T Number](ctx context.Context, c *Comm, dest, tag int, s []T) *Request {
	b := AsBytes(s)
	return c.isend(ctx, dest, len(b), func(ctx context.Context) error {
		return c.sendNow(ctx, dest, tag, uint8(ElemKind[T]()), [][]byte{b})
	})
}

// IrecvSlice starts RecvSlice into s (posted before it returns, so
// receives match in the order they were started); Status.Count is in
// elements. ctx bounds the receive. src may be ProcNull.
func IrecvSlice[T Number](ctx context.Context, c *Comm, src, tag int, s []T) *Request {
	p, err := c.post(src, tag, sliceBufs(s), int(ElemKind[T]()))
	if err != nil || p.done {
		return Completed(sliceResult(p, err, s))
	}
	return start(func() (Status, error) { return sliceResult(p, p.wait(ctx), s) })
}

// IsendValue starts SendValue. v is encoded before IsendValue returns, so
// the caller may change it at once.
func (c *Comm) IsendValue(ctx context.Context, dest, tag int, v any) *Request {
	b, err := msgpack.Marshal(v)
	if err != nil {
		return Completed(Status{}, fmt.Errorf("comm: IsendValue cannot encode %T: %w", v, err))
	}
	return c.isend(ctx, dest, len(b), func(ctx context.Context) error {
		return c.sendNow(ctx, dest, tag, 0, [][]byte{b})
	})
}

// IrecvValue starts RecvValue into the pointer v, which is written when the
// request completes (not before: read it after Wait).
func (c *Comm) IrecvValue(ctx context.Context, src, tag int, v any) *Request {
	p, err := c.post(src, tag, nil, -1)
	decode := func(err error) (Status, error) {
		if err != nil {
			return Status{}, err
		}
		st := p.status()
		if p.null {
			return st, nil
		}
		if err := msgpack.Unmarshal(p.m.data, v); err != nil {
			return st, fmt.Errorf("comm: IrecvValue from rank %d cannot decode into %T: %w", st.Source, v, err)
		}
		return st, nil
	}
	if err != nil || p.done {
		return Completed(decode(err))
	}
	return start(func() (Status, error) { return decode(p.wait(ctx)) })
}
