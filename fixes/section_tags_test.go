package fixes

import (
	"bytes"
	"os"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

// requireCRLFFixture fails unless a golden case's input really has CRLF
// line endings, so the case proves what its name says.
func requireCRLFFixture(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, in, ok := bytes.Cut(b, []byte("-- in.conf --\n"))
	if !ok {
		t.Fatalf("%s: no in.conf", path)
	}
	if !bytes.Contains(in, []byte("\r\n")) {
		t.Errorf("%s: in.conf has no CRLF line endings", path)
	}
}

func TestSectionTagsCRLFFixture(t *testing.T) {
	requireCRLFFixture(t, "testdata/section-tags/tabs-crlf.txtar")
}

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
