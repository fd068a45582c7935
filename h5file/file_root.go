package h5file

// A File is also its root group, as in h5py (f["a"], f.create_group).
// These are real methods rather than ones promoted from an embedded
// group so that go doc and pkg.go.dev list them under File; each is the
// Group method of Root().

// Name is "/", the root group's path.
func (f *File) Name() string { return f.root.Name() }

// File returns f itself, as h5py's f.file does.
func (f *File) File() *File { return f }

// Attrs is the root group's attribute set: h5py's f.attrs.
func (f *File) Attrs() *Attrs { return f.root.Attrs() }

// ObjectID identifies the root group in the file (see Group.ObjectID).
func (f *File) ObjectID() uint64 { return f.root.ObjectID() }

// CreateGroup creates a group at path, and any missing intermediate
// groups (see Group.CreateGroup).
func (f *File) CreateGroup(path string) (*Group, error) { return f.root.CreateGroup(path) }

// RequireGroup returns the group at path, creating it and any missing
// intermediate groups (see Group.RequireGroup).
func (f *File) RequireGroup(path string) (*Group, error) { return f.root.RequireGroup(path) }

// Group opens the group at path (see Group.Group).
func (f *File) Group(path string) (*Group, error) { return f.root.Group(path) }

// Dataset opens the dataset at path (see Group.Dataset).
func (f *File) Dataset(path string) (*Dataset, error) { return f.root.Dataset(path) }

// CreateDataset creates a dataset of the given type and shape at path
// (see Group.CreateDataset).
func (f *File) CreateDataset(path string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*Dataset, error) {
	return f.root.CreateDataset(path, dtype, shape, opts...)
}

// CreateDatasetFrom creates a dataset shaped and typed after data and
// writes data to it (see Group.CreateDatasetFrom).
func (f *File) CreateDatasetFrom(path string, data any, opts ...DatasetOption) (*Dataset, error) {
	return f.root.CreateDatasetFrom(path, data, opts...)
}

// Get opens the group or dataset at path (see Group.Get).
func (f *File) Get(path string) (Object, error) { return f.root.Get(path) }

// Contains reports whether path names an object (see Group.Contains).
func (f *File) Contains(path string) bool { return f.root.Contains(path) }

// Keys returns the root group's member names (see Group.Keys).
func (f *File) Keys() ([]string, error) { return f.root.Keys() }

// Len is the number of members of the root group (see Group.Len).
func (f *File) Len() int { return f.root.Len() }

// Delete removes the link at path (see Group.Delete).
func (f *File) Delete(path string) error { return f.root.Delete(path) }

// Move renames the link at src to dst (see Group.Move).
func (f *File) Move(src, dst string) error { return f.root.Move(src, dst) }

// SoftLink creates a soft link at path pointing at target (see
// Group.SoftLink).
func (f *File) SoftLink(path, target string) error { return f.root.SoftLink(path, target) }

// LinkTarget returns the target of the soft link name in the root group
// (see Group.LinkTarget).
func (f *File) LinkTarget(name string) (string, bool) { return f.root.LinkTarget(name) }

// ExternalLink returns the file and path of the external link name in the
// root group (see Group.ExternalLink).
func (f *File) ExternalLink(name string) (file, path string, ok bool) {
	return f.root.ExternalLink(name)
}

// Visit calls fn for every object below the root group (see Group.Visit).
func (f *File) Visit(fn func(name string, o Object) error) error { return f.root.Visit(fn) }

// Ref returns an object reference to the root group (h5py's f.ref).
func (f *File) Ref() (Ref, error) { return f.root.Ref() }

// RequireDataset returns the dataset at path if its type and shape match,
// and creates it otherwise (see Group.RequireDataset).
func (f *File) RequireDataset(path string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*Dataset, error) {
	return f.root.RequireDataset(path, dtype, shape, opts...)
}

// HardLink makes path a second name of o (see Group.HardLink).
func (f *File) HardLink(path string, o Object) error { return f.root.HardLink(path, o) }

// CreateExternalLink makes path an external link to target in file (see
// Group.CreateExternalLink).
func (f *File) CreateExternalLink(path, file, target string) error {
	return f.root.CreateExternalLink(path, file, target)
}

// VisitLinks calls fn for every link below the root group (see
// Group.VisitLinks).
func (f *File) VisitLinks(fn func(name string, l Link) error) error { return f.root.VisitLinks(fn) }

// CommitType stores dtype as a committed datatype at path (see
// Group.CommitType).
func (f *File) CommitType(path string, dtype *Datatype) (*NamedType, error) {
	return f.root.CommitType(path, dtype)
}

// NamedType opens the committed datatype at path (see Group.NamedType).
func (f *File) NamedType(path string) (*NamedType, error) { return f.root.NamedType(path) }

// Copy copies the object at src to dst, paths in the file (see
// Group.Copy).
func (f *File) Copy(src, dst string, opts ...CopyOption) error { return f.root.Copy(src, dst, opts...) }
