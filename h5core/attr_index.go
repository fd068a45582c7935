package h5core

// attrIndexMin is the attribute count from which an object keeps a map
// from name to position: below it a scan of a few names is faster than a
// map, above it SetAttr and Attr stay O(1), so 10k attributes cost ten
// times 1k, not a hundred (ARCHITECTURE.md, decision 7).
const attrIndexMin = 16

// attrPos returns the position of the attribute called name in o.attrs.
func (o *object) attrPos(name string) (int, bool) {
	if len(o.attrs) < attrIndexMin {
		for i, a := range o.attrs {
			if a.Name == name {
				return i, true
			}
		}
		return -1, false
	}
	if o.attrIdx == nil {
		o.attrIdx = make(map[string]int, len(o.attrs))
		for i, a := range o.attrs {
			o.attrIdx[a.Name] = i
		}
	}
	i, ok := o.attrIdx[name]
	return i, ok
}

// appendAttr adds a to the end of o.attrs, keeping the index current.
func (o *object) appendAttr(a *Attribute) {
	o.attrs = append(o.attrs, a)
	if o.attrIdx != nil {
		o.attrIdx[a.Name] = len(o.attrs) - 1
	}
}

// removeAttr removes the attribute at position i. Positions after it
// shift, so the index is rebuilt on next use.
func (o *object) removeAttr(i int) {
	o.attrs = append(o.attrs[:i:i], o.attrs[i+1:]...)
	o.attrIdx = nil
}
