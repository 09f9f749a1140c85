package fixes

// STUB: replaced by the real pass.

// LocationAccess is the location-access pass.
var LocationAccess = &Pass{
	Name:    "location-access",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
