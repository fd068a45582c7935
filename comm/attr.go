package comm

// Attr returns the value cached on c under key, storing mk() first when
// there is none (MPI's attribute caching, MPI_Comm_set_attr and
// MPI_Comm_get_attr): layers above comm keep per-communicator state here
// instead of in package variables, so a second communicator, or a second
// rank in the same process (NewLocal), has its own. Use a key of an
// unexported type, as with context values. Values are per Comm value:
// Split, Dup and Collective start empty. With mk nil, Attr only looks:
// it returns nil when there is no value.
func (c *Comm) Attr(key any, mk func() any) any {
	if v, ok := c.attrs.Load(key); ok {
		return v
	}
	if mk == nil {
		return nil
	}
	v, _ := c.attrs.LoadOrStore(key, mk())
	return v
}
