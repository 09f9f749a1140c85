package fixes

// STUB: replaced by the real pass.

// ScriptAliasTarget is the script-alias-target pass.
var ScriptAliasTarget = &Pass{
	Name:    "script-alias-target",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
