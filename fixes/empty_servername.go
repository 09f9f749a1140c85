package fixes

// STUB: replaced by the real pass.

// EmptyServerName is the empty-servername pass.
var EmptyServerName = &Pass{
	Name:    "empty-servername",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
