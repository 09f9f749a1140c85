package ast

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzParse checks the tree's promises on arbitrary bytes: input without NUL
// parses and prints back exactly; every node and argument can be read; the
// structure check does not panic; and closing every unclosed section leaves
// a tree that still prints without losing a byte of the original lines.
func FuzzParse(f *testing.F) {
	for _, tc := range roundTrips {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.conf", src)
		if bytes.IndexByte(src, 0) >= 0 {
			if err == nil {
				t.Fatal("NUL accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := Print(file); !bytes.Equal(got, src) {
			t.Fatalf("round trip: got %q want %q", got, src)
		}
		checkArgShortcuts(t, src)
		Inspect(file, func(n Node) bool {
			if d, ok := n.(*Directive); ok {
				for i := range d.Args() {
					_ = d.ArgPos(i)
				}
			}
			return true
		})
		for _, p := range CheckStructure(file) {
			if p.Msg == "" {
				t.Fatal("problem without message")
			}
		}
	})
}

// checkArgShortcuts checks that the ways of reading arguments without
// parsing the list (Arg on a directive whose list is not parsed yet,
// SameArgs) agree with the parsed list. The first read that falls back
// parses and keeps the list, so each argument index is read from a tree
// of its own.
func checkArgShortcuts(t *testing.T, src []byte) {
	t.Helper()
	directives := func() []*Directive {
		f, _ := Parse("check.conf", src)
		var out []*Directive
		Inspect(f, func(n Node) bool {
			if d, ok := n.(*Directive); ok {
				out = append(out, d)
			}
			return true
		})
		return out
	}
	parsed := directives()
	for i := -1; i < 4; i++ {
		for k, d := range directives() {
			args, want := parsed[k].Args(), ""
			if i >= 0 && i < len(args) {
				want = args[i].Value
			}
			if got := d.Arg(i); got != want {
				t.Fatalf("line %d: Arg(%d) = %q, parsed list has %q", d.Pos().Line, i, got, want)
			}
		}
	}
	fresh := directives()
	for k := 1; k < len(fresh); k++ {
		if fresh[k-1].SameArgs(fresh[k]) && !slices.Equal(parsed[k-1].Values(), parsed[k].Values()) {
			t.Fatalf("line %d: SameArgs with the line before, but the values differ", fresh[k].Pos().Line)
		}
	}
}

// Continued lines: Arg reads an argument from the first physical line only
// when it ends there, and agrees with the parsed list either way.
func TestArgOfContinuedLine(t *testing.T) {
	for _, src := range []string{
		"WSGIDaemonProcess site0 user=www-data \\\n    home=/srv/x/ \\\n    processes=2\n",
		"WSGIDaemonProcess site0\\\nx user=a\n",        // the name runs on into the next line
		"WSGIDaemonProcess \"site 0\" \\\r\n  a=b\r\n", // quoted, CRLF
		"WSGIDaemonProcess \"site \\\n0\" a=b\n",       // a quote across the continuation
		"Foo a\\b c \\\n d\n",                          // a backslash inside a token
		"Foo \\\n a\n",                                 // nothing on the first line
		"<Directory /a \\\n /b>\n</Directory>\n",       // an open tag: not read in place
	} {
		checkArgShortcuts(t, []byte(src))
	}
}

// A backslash before the newline of a file's last line continues it with
// nothing: httpd removes it (ap_cfg_getline_core reads on, meets the end,
// and ends the line where the backslash was), so it is no argument. Not
// before a missing newline, where httpd keeps it.
func TestBackslashAtEndOfFile(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"ServerName a \\\n", []string{"a"}},
		{"ServerName a\\\n", []string{"a"}},
		{"ServerName a\\\r\n", []string{"a"}},
		{"ServerName\\\n", nil},
		{"ServerName \\\n  a \\\n", []string{"a"}},
		{"ServerName a\\", []string{"a\\"}},
		{"ServerName a\\\n\n", []string{"a"}}, // joined with the blank line
		{"<Location /\\\n", []string{"/"}},
	} {
		f, err := Parse("eof.conf", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		d, ok := f.Root.Body[0].(*Directive)
		if s, isSection := f.Root.Body[0].(*Section); isSection {
			d, ok = s.Open, true
		}
		if !ok {
			t.Fatalf("%q: first node is %T", c.src, f.Root.Body[0])
		}
		if got := d.Values(); !slices.Equal(got, c.want) {
			t.Errorf("%q: arguments %q, want %q", c.src, got, c.want)
		}
		checkArgShortcuts(t, []byte(c.src))
	}
}
