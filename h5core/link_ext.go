package h5core

import "fmt"

// CreateExternalLink adds an external link at path naming target in the
// file file (h5py's g[name] = ExternalLink(file, target)). The file name is
// stored as given; readers resolve it (libhdf5 relative to the linking
// file's directory, then the working directory).
//
// A symbol table group cannot hold an external link, so a group of the
// classic family that receives one is converted to link messages, as
// libhdf5's H5G__obj_insert does: its old heap and B-tree are released and
// the root's cached symbol table entry is dropped from the superblock.
func (g *Group) CreateExternalLink(path, file, target string) error {
	if file == "" || target == "" {
		return fmt.Errorf("h5core: external link %q needs a file name and a target path", path)
	}
	parent, name, err := g.parentOf(path, true)
	if err != nil {
		return err
	}
	if _, ok := parent.find(name); ok {
		return fmt.Errorf("link %q: %w", path, ErrExists)
	}
	g.f.mix("ExternalLink", g.ident(), path, file, target)
	if !parent.linkMsgs {
		parent.toLinkMessages()
	}
	return parent.insert(link{name: name, external: &[2]string{file, target}})
}

// toLinkMessages switches a symbol table group to link messages.
func (g *Group) toLinkMessages() {
	for _, e := range g.table {
		g.f.release(e.addr, e.size)
	}
	g.table = nil
	g.btree, g.heap = 0, 0
	g.linkMsgs = true
	g.linfo = linkInfoMsg{heap: UndefinedAddr, nameIndex: UndefinedAddr, orderIndex: UndefinedAddr}
	g.dirty = true
}
