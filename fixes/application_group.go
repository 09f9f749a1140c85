package fixes

// STUB: replaced by the real pass.

// ApplicationGroup is the application-group pass.
var ApplicationGroup = &Pass{
	Name:    "application-group",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
