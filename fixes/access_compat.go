package fixes

// STUB: replaced by the real pass.

// AccessCompat is the access-compat pass.
var AccessCompat = &Pass{
	Name:    "access-compat",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
