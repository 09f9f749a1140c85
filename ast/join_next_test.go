package ast

import (
	"bytes"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

// joinCases: the directive or open tag whose line ends in a backslash
// and blanks is joined to the next line while JoinNext applies; want is
// the text after ("" when it must not apply).
var joinCases = []struct{ name, src, want string }{
	{"spaces", "WSGIDaemonProcess w2p user=www-data \\  \nhome=/tmp/ \\\nprocesses=2\nListen 80\n",
		"WSGIDaemonProcess w2p user=www-data \\\nhome=/tmp/ \\\nprocesses=2\nListen 80\n"},
	{"every line", "WSGIDaemonProcess w2p \\  \n  home=/tmp/ \\  \n  processes=2  \nListen 80  \n",
		"WSGIDaemonProcess w2p \\\n  home=/tmp/ \\\n  processes=2  \nListen 80  \n"},
	{"tab", "Alias /a \\\t\n\t/b\n", "Alias /a \\\n\t/b\n"},
	{"crlf", "A x \\ \r\n  y \\  \r\n  z\r\nB\r\n", "A x \\\r\n  y \\\r\n  z\r\nB\r\n"},
	{"last line without ending", "A x \\ \nB y", "A x \\\nB y"},
	{"alone on its line", "  \\  \nListen 80\n", "  \\\nListen 80\n"},
	{"in a section", "<VirtualHost *:80>\n  A x \\ \n  y\n</VirtualHost>\n", "<VirtualHost *:80>\n  A x \\\n  y\n</VirtualHost>\n"},
	{"open tag", "<VirtualHost *:80 \\ \n  *:443>\n  A\n</VirtualHost>\n", "<VirtualHost *:80 \\\n  *:443>\n  A\n</VirtualHost>\n"},
	{"next blank", "A x \\ \n\nB\n", ""},
	{"next comment", "A x \\ \n# c\nB\n", ""},
	{"next open tag", "A x \\ \n<Location />\n</Location>\n", ""},
	{"next close tag", "<Location />\n  A x \\ \n</Location>\n", ""},
	{"next closes an outer section", "<A x>\n<B y>\nC \\ \n</A>\n", ""},
	{"end of file", "A x \\  ", ""},
	{"end of file with ending", "<A x>\n<B y>\nC \\ \n", ""},
	{"empty section", "<A x \\ \n</A>\n", ""},
	{"tag would close", "<Location \\ \n>\n</Location>\n", ""},
	{"continuation", "A x \\\nB\n", ""},
	{"no backslash", "A x  \nB\n", ""},
	{"close tag", "<A x>\n</A \\ \nB\n", ""},
}

func TestJoinNext(t *testing.T) {
	for _, tc := range joinCases {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.src)
			joined := 0
			for {
				d := blanked(f)
				if d == nil || !d.JoinNext() {
					break
				}
				joined++
			}
			got := string(Print(f))
			if tc.want == "" {
				if joined > 0 || got != tc.src {
					t.Fatalf("joined %d lines, want none:\n%s", joined, difftest.Diff(tc.src, got))
				}
				return
			}
			if d := difftest.Diff(tc.want, got); d != "" {
				t.Fatalf("after JoinNext:\n%s", d)
			}
			if f.Edits() == 0 {
				t.Error("edit not counted")
			}
			// The tree is the one the new text parses into, positions
			// included.
			again := mustParse(t, got)
			if d := difftest.Diff(dumpTree(again), dumpTree(f)); d != "" {
				t.Fatalf("tree differs from a fresh parse (- parse, + edited):\n%s", d)
			}
		})
	}
}

// blanked returns the first directive or open tag whose line ends in a
// backslash and blanks.
func blanked(f *File) *Directive {
	var found *Directive
	Inspect(f, func(n Node) bool {
		d, ok := n.(*Directive)
		if s, isSection := n.(*Section); isSection {
			d, ok = s.Open, true
			if s.Close != nil && found == nil {
				if _, _, b := s.Close.BlankedBackslash(); b {
					found = s.Close
				}
			}
		}
		if ok && found == nil {
			if _, _, b := d.BlankedBackslash(); b {
				found = d
			}
		}
		return found == nil
	})
	return found
}

func TestBlankedBackslash(t *testing.T) {
	for _, tc := range []struct {
		src   string
		pos   Pos
		glued bool
		ok    bool
	}{
		{"A x \\  \n", Pos{1, 5}, false, true},
		{"  A x \\\t\r\n", Pos{1, 7}, false, true},
		{"A x \\\n  y \\ \n", Pos{2, 5}, false, true},
		{"A C:\\www\\ \n", Pos{1, 9}, true, true},
		{"A x \\\\ \n", Pos{1, 6}, true, true},
		{"A x \\ ", Pos{1, 5}, false, true},
		{"\\ \n", Pos{1, 1}, false, true},
		{"A x \\\n", Pos{}, false, false},
		{"A x \\ y\n", Pos{}, false, false},
		{"A x\n", Pos{}, false, false},
	} {
		f := mustParse(t, tc.src)
		d := f.Body()[0].(*Directive)
		pos, glued, ok := d.BlankedBackslash()
		if pos != tc.pos || glued != tc.glued || ok != tc.ok {
			t.Errorf("%q: BlankedBackslash() = %v, %v, %v; want %v, %v, %v", tc.src, pos, glued, ok, tc.pos, tc.glued, tc.ok)
		}
	}
}

// TestBlankedBackslashOutline: the outline reads such lines as Parse does.
func TestBlankedBackslashOutline(t *testing.T) {
	for _, tc := range joinCases {
		checkOutline(t, []byte(tc.src))
	}
}

// FuzzJoinNext: joining every line that ends in a backslash and blanks
// wherever JoinNext applies leaves the tree that parsing the new text
// gives, and changes nothing but the blanks it cuts.
func FuzzJoinNext(f *testing.F) {
	for _, tc := range joinCases {
		f.Add([]byte(tc.src))
	}
	for _, tc := range roundTrips {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.conf", src)
		if err != nil {
			return
		}
		var lines []*Directive
		Inspect(file, func(n Node) bool {
			switch n := n.(type) {
			case *Directive:
				lines = append(lines, n)
			case *Section:
				lines = append(lines, n.Open)
				if n.Close != nil {
					lines = append(lines, n.Close)
				}
			}
			return true
		})
		for _, d := range lines {
			for d.JoinNext() {
			}
		}
		out := Print(file)
		if bytes.Count(out, []byte{'\n'}) != bytes.Count(src, []byte{'\n'}) {
			t.Fatalf("lines added or removed: %q", out)
		}
		if !isSubsequence(out, src) {
			t.Fatalf("more than blanks changed:\n%s", difftest.Diff(string(src), string(out)))
		}
		again, err := Parse("fuzz.conf", out)
		if err != nil {
			t.Fatal(err)
		}
		if d := difftest.Diff(dumpTree(again), dumpTree(file)); d != "" {
			t.Fatalf("tree differs from a fresh parse (- parse, + edited):\n%s\ninput %q", d, src)
		}
	})
}

// isSubsequence reports whether a is b with some spaces and tabs taken out.
func isSubsequence(a, b []byte) bool {
	i := 0
	for _, c := range b {
		if i < len(a) && a[i] == c {
			i++
		} else if c != ' ' && c != '\t' {
			return false
		}
	}
	return i == len(a)
}
