package fixes

// STUB: replaced by the real pass.

// StaticAlias is the static-alias pass.
var StaticAlias = &Pass{
	Name:    "static-alias",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
