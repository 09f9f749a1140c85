package ast

import "unsafe"

// EqualFold reports whether a and b are equal ignoring ASCII case. httpd
// compares directive and section names with strcasecmp, which folds ASCII
// letters only, so this is both what httpd does and cheaper than
// strings.EqualFold: names of another length are rejected at once.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if x, y := a[i], b[i]; x != y && !(x|0x20 == y|0x20 && isASCIILetter(x)) {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { c |= 0x20; return c >= 'a' && c <= 'z' }

// lower folds an ASCII letter to lower case.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// view returns b as a string without copying. The tree never writes into
// a line's text after making it (edits build new lines; placing a new
// line writes its indentation into the room before the text, see
// reframe) and Parse's caller must not modify src, so names and
// arguments can share those bytes instead of each costing an allocation.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
