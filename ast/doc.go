// Package ast is a lossless concrete syntax tree for Apache httpd
// configuration files.
//
// Print(Parse(b)) == b for every input without NUL bytes: each node keeps
// the exact bytes of its logical line (indentation, continuations, line
// ending), so untouched lines are never reformatted. Parsing never fails on
// structure: mismatched, stray, misspelled and missing close tags become
// nodes, and CheckStructure reports them with httpd's own messages so that
// fix passes can repair what httpd refuses.
//
// The lexical rules follow httpd's server/util.c and server/config.c: a
// backslash before the line ending joins the next line (also in comments, so
// a comment can swallow a directive; on the last line it is dropped), '#' starts a comment only as the first
// non-blank byte, quotes only open at the start of a word, names compare
// case-insensitively.
//
// Edits are typed: InsertBefore/InsertAfter/Section.Insert, Remove, Replace,
// MoveBefore, Section.Dissolve and Section.CloseBefore on the tree;
// SetName, SetArg, SetArgs, SetCloseTag, ReplaceInArgs and JoinNext on a
// Directive.
// New nodes take their siblings' indentation and the file's line ending.
//
// ReadOutline reads a file's top level the way Parse does without building
// the tree, and ParsePart parses a run of top-level nodes cut from a file:
// together they let a big file be fixed part by part without ever being
// parsed whole.
//
// The package imports only the standard library and does no I/O.
package ast
