package fixes

// STUB: replaced by the real pass.

// DuplicateDaemon is the duplicate-daemon pass.
var DuplicateDaemon = &Pass{
	Name:    "duplicate-daemon",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
