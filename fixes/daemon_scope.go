package fixes

// STUB: replaced by the real pass.

// DaemonScope is the daemon-scope pass.
var DaemonScope = &Pass{
	Name:    "daemon-scope",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
