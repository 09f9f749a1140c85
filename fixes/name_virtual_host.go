package fixes

// STUB: replaced by the real pass.

// NameVirtualHost is the name-virtual-host pass.
var NameVirtualHost = &Pass{
	Name:    "name-virtual-host",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
