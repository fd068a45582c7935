package comm

import (
	"context"
	"fmt"

	"github.com/gorun-hpc/gorun/internal/msgcheck"
	"github.com/vmihailenco/msgpack/v5"
)

// SendValue sends any Go value, msgpack-encoded (mpi4py's lowercase send).
func (c *Comm) SendValue(ctx context.Context, dest, tag int, v any) error {
	b, err := msgpack.Marshal(v)
	if err != nil {
		return fmt.Errorf("comm: SendValue cannot encode %T: %w", v, err)
	}
	return c.Send(ctx, dest, tag, b)
}

// RecvValue receives a value sent by SendValue into the pointer v.
func (c *Comm) RecvValue(ctx context.Context, src, tag int, v any) (Status, error) {
	b, st, err := c.RecvBytes(ctx, src, tag)
	if err != nil || src == ProcNull {
		return st, err
	}
	if err := msgcheck.Check(b); err != nil { // lengths checked before msgpack trusts them
		return st, fmt.Errorf("comm: RecvValue from rank %d: not a well-formed message: %w", st.Source, err)
	}
	if err := msgpack.Unmarshal(b, v); err != nil {
		return st, fmt.Errorf("comm: RecvValue from rank %d cannot decode into %T: %w", st.Source, v, err)
	}
	return st, nil
}
