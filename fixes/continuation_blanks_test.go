package fixes

import (
	"slices"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// The pass's cheap guard and the whole-text scan planParts makes agree
// with the tree's reading of each line.
func TestBlankedBackslashGuards(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"A x \\  \n", true},
		{"A x \\\t\r\n", true},
		{"A x \\ ", true},
		{"\\ \n", true},
		{"A x \\\n  y \\ \nB\n", true},
		{"A C:\\www\\ \n", true}, // glued: the pass leaves it, the guards see it
		{"A x \\\n", false},
		{"A x \\\r\n", false},
		{"A x \\", false},
		{"A x \\ y\n", false},
		{"A x \\ \r\r\n", false}, // a CR is not a blank
		{"A x\n", false},
		{"", false},
	} {
		f, err := ast.Parse("t.conf", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		tree := false
		ast.Directives(f, func(d *ast.Directive) {
			_, _, ok := d.BlankedBackslash()
			tree = tree || ok
			if got := endsInBlankedBackslash(d.Raw()); got != ok {
				t.Errorf("%q: endsInBlankedBackslash = %v, BlankedBackslash %v", tc.src, got, ok)
			}
		})
		if tree != tc.want {
			t.Errorf("%q: tree sees a blanked backslash = %v, want %v", tc.src, tree, tc.want)
		}
		if got := hasBlankedBackslash([]byte(tc.src)); got != tc.want {
			t.Errorf("%q: hasBlankedBackslash = %v, want %v", tc.src, got, tc.want)
		}
	}
	if !hasBlankedBackslash([]byte("# c \\ \n")) {
		t.Error("hasBlankedBackslash skips comments; planParts needs every line")
	}
}

// A file with such a backslash is not cut into parts when the pass runs:
// joined, the next line's daemon name ties this vhost to another one that
// the outline, reading the lines apart, would have put in another part.
func TestContinuationBlanksKeepsFileWhole(t *testing.T) {
	forceParts(t)
	src := string(genconf.Bytes(40)) +
		"<VirtualHost *:8081>\n    ServerName late.example.com\n    WSGIDaemonProcess \\  \n        site3 processes=5\n</VirtualHost>\n"
	passes, _ := Select(nil, nil, nil)
	if cut := partsMatchWhole(t, "blanked.conf", []byte(src), DefaultOptions(), passes); cut {
		t.Error("cut into parts with continuation-blanks on")
	}
	without := slices.DeleteFunc(slices.Clone(passes), func(p *Pass) bool { return p == ContinuationBlanks })
	if cut := partsMatchWhole(t, "blanked.conf", []byte(src), DefaultOptions(), without); !cut {
		t.Error("not cut into parts with continuation-blanks off")
	}
}
