package fixes

// STUB: replaced by the real pass.

// DaemonSizing is the daemon-sizing pass.
var DaemonSizing = &Pass{
	Name:    "daemon-sizing",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
