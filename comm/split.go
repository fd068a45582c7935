package comm

import (
	"context"
	"fmt"
	"sort"
)

// splitTag is the tag of Split's exchange, on a context of its own.
const splitTag = 1

// Split partitions c by color; ranks with equal color form a new
// communicator, ordered by key then by rank in c. Color Undefined gets nil.
// Every member must call it (collective).
func (c *Comm) Split(ctx context.Context, color, key int) (*Comm, error) {
	n := c.splits.Add(1)
	x := &Comm{w: c.w, id: deriveID(c.id, n, "split-exchange"), members: c.members, rank: c.rank}
	type ck struct{ Color, Key, Rank int }
	mine := ck{color, key, c.rank}
	for r := range c.Size() {
		if err := x.SendValue(ctx, r, splitTag, mine); err != nil {
			return nil, fmt.Errorf("comm: Split: %w", err)
		}
	}
	all := make([]ck, c.Size())
	for r := range c.Size() {
		var v ck
		if _, err := x.RecvValue(ctx, r, splitTag, &v); err != nil {
			return nil, fmt.Errorf("comm: Split: %w", err)
		}
		all[r] = v
	}
	if color == Undefined {
		return nil, nil
	}
	var group []ck
	for _, v := range all {
		if v.Color == color {
			group = append(group, v)
		}
	}
	sort.SliceStable(group, func(i, j int) bool {
		if group[i].Key != group[j].Key {
			return group[i].Key < group[j].Key
		}
		return group[i].Rank < group[j].Rank
	})
	nc := &Comm{w: c.w, id: deriveID(c.id, n, fmt.Sprintf("color=%d", color))}
	for i, v := range group {
		nc.members = append(nc.members, c.members[v.Rank])
		if v.Rank == c.rank {
			nc.rank = i
		}
	}
	return nc, nil
}

// Dup is a communicator with c's group in a new context. Like MPI_Comm_dup
// it is collective (every member calls it, in the same order as its other
// Dups and Splits of c), but it sends nothing: the group is c's, and the
// new context's id derives from c's and the call count, the same on every
// member. (It was a Split, an exchange of n² messages: a tenth of opening
// a file at 8 ranks on 2 cores.) A broken c gives its error at once.
func (c *Comm) Dup(ctx context.Context) (*Comm, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("comm: Dup: %w", err)
	}
	if err := c.brokenErr(); err != nil {
		return nil, fmt.Errorf("comm: Dup: %w", err)
	}
	n := c.splits.Add(1)
	return &Comm{w: c.w, id: deriveID(c.id, n, "dup"), members: c.members, rank: c.rank}, nil
}
