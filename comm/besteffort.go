package comm

import "context"

// BestEffort marks ctx so that a Send under it that cannot reach its
// destination (the dial is refused or the connection is lost) returns the
// error to the caller and nothing more: the destination is not reported
// as failed and no verdict is awaited. For messages whose loss changes
// nothing, such as collectives' watchdog probes: a probe to a rank that
// already finished the job and exited must not fail the job (it did,
// under load at 1024 ranks: docs/SCALING.md).
func BestEffort(ctx context.Context) context.Context {
	return context.WithValue(ctx, bestEffortKey{}, true)
}

type bestEffortKey struct{}

func bestEffort(ctx context.Context) bool {
	v, _ := ctx.Value(bestEffortKey{}).(bool)
	return v
}
