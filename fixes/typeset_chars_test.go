package fixes

import "testing"

func TestQuoteClosed(t *testing.T) {
	for tok, want := range map[string]bool{
		`"a b"`:  true,
		`"a`:     false,
		`"`:      false,
		`"a\"`:   false, // the backslash escapes the quote
		`"a\\"`:  true,  // the backslash escapes itself
		`'it'`:   true,
		`"a"b`:   false, // httpd ends the token at the quote; the rest is not closed by it
		`'a\'b'`: true,
	} {
		if got := typesetQuoteClosed(tok); got != want {
			t.Errorf("typesetQuoteClosed(%s) = %v, want %v", tok, got, want)
		}
	}
}
