package fixes

// STUB: replaced by the real pass.

// SectionTags is the section-tags pass.
var SectionTags = &Pass{
	Name:    "section-tags",
	Title:   "TODO",
	Doc:     "TODO",
	Default: true,
	Run:     func(*Context) {},
}
