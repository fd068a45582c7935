package h5core

import "sort"

// A group's links are kept in a slice in no particular order between
// uses, with a map from name to position once there are linkIndexMin of
// them: inserting a name is O(1) amortised and removing one O(1) (the last
// link moves into its place), whatever the name order, so 100k links made
// in random order cost 100k steps, not 100k²/2 moves of a sorted slice
// (ARCHITECTURE.md decision 7). The slice is sorted by name, libhdf5's
// order, only when someone needs the order: Members, Visit, a flush.

// linkIndexMin is the link count from which a group keeps the name map;
// below it a scan of a few names is faster than a map.
const linkIndexMin = 16

// find returns the position of the link called name in g.links.
func (g *Group) find(name string) (int, bool) {
	if len(g.links) < linkIndexMin {
		for i := range g.links {
			if g.links[i].name == name {
				return i, true
			}
		}
		return -1, false
	}
	if g.linkIdx == nil {
		g.linkIdx = make(map[string]int, len(g.links))
		for i := range g.links {
			g.linkIdx[g.links[i].name] = i
		}
	}
	i, ok := g.linkIdx[name]
	return i, ok
}

// addLink appends l (whose name is not taken) to g.links.
func (g *Group) addLink(l link) {
	if n := len(g.links); n > 0 && g.links[n-1].name >= l.name {
		g.unsorted = true
	}
	g.links = append(g.links, l)
	if g.linkIdx != nil {
		g.linkIdx[l.name] = len(g.links) - 1
	}
}

// removeLink removes the link at position i: the last link takes its
// place, so the order is lost until ordered is called.
func (g *Group) removeLink(i int) {
	last := len(g.links) - 1
	if g.linkIdx != nil {
		delete(g.linkIdx, g.links[i].name)
	}
	if i != last {
		g.links[i] = g.links[last]
		g.unsorted = true
		if g.linkIdx != nil {
			g.linkIdx[g.links[i].name] = i
		}
	}
	g.links[last] = link{}
	g.links = g.links[:last]
}

// ordered sorts g.links by name (libhdf5's order, bytewise) if an insert
// or removal left them out of order, and returns them.
func (g *Group) ordered() []link {
	if g.unsorted {
		sortLinks(g.links)
		g.unsorted = false
		g.linkIdx = nil // positions moved: rebuilt on the next find
	}
	return g.links
}

// sortLinks orders links by name, as libhdf5's symbol table does.
func sortLinks(ls []link) {
	sort.Slice(ls, func(i, j int) bool { return ls[i].name < ls[j].name })
}
