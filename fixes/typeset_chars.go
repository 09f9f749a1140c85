package fixes

// STUB: replaced by the real pass.

// TypesetChars is the typeset-chars pass.
var TypesetChars = &Pass{
	Name:    "typeset-chars",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
