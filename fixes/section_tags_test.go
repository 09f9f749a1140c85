package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

func TestMisspelledSections(t *testing.T) {
	for name, want := range map[string]string{
		"virualhost":  "VirtualHost", // one letter dropped
		"VirtualHots": "VirtualHost", // two letters swapped
		"Fils":        "Files",
		"Directry":    "Directory",
		"Jk":          "", // two edits from "If": too far for a short name
		"Ifx":         "", // one edit from "If": still too far
		"Perl":        "",
		"Locations":   "Location",
		"RequireAn":   "", // near both RequireAny and RequireAll
	} {
		src := "<" + name + " x>\n</" + name + ">\n"
		f, err := ast.Parse("t.conf", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if m := misspelledSections(f); len(m) == 1 {
			got = m[0].canonical
		}
		if got != want {
			t.Errorf("%q corrected to %q, want %q", name, got, want)
		}
	}
}
