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

// Dup is a communicator with c's group in a new context.
func (c *Comm) Dup(ctx context.Context) (*Comm, error) { return c.Split(ctx, 0, c.rank) }
