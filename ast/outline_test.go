package ast

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// outlineCases are inputs whose top level is easy to get wrong: tags that
// pair unusually, an indentation unit decided by a later section, a BOM.
var outlineCases = []struct{ name, src string }{
	{"two vhosts", "<VirtualHost *:80>\n  A 1\n</VirtualHost>\n# c\n\n<VirtualHost *:443>\n  B 2\n</VirtualHost>\n"},
	{"open as close on top", "<VirtualHost *>\nA\n<VirtualHost>\n<VirtualHost *>\nB\n</VirtualHost>\n"},
	{"open as close inside", "<VirtualHost *>\n <LocationMatch x>\n  A\n <LocationMatch>\n</VirtualHost>\n"},
	{"close by other name", "<VirtualHost *>\n<Location />\nA\n</Directory>\n</Location>\nB\n"},
	{"closed by outer", "<VirtualHost *>\n<Location />\n</VirtualHost>\nA\n"},
	{"stray closes", "</VirtualHost>\n<VirtualHost *>\n</VirtualHost>\n</VirtualHost>\n"},
	{"unclosed at eof", "<VirtualHost *>\n<IfModule x>\nA\n"},
	{"blank body then tab unit", "<VirtualHost a>\n\n</VirtualHost>\n<VirtualHost b>\n\tA\n</VirtualHost>\n"},
	{"four then two", "<VirtualHost a>\n    A\n</VirtualHost>\n<VirtualHost b>\n  B\n</VirtualHost>\n"},
	{"flat", "<VirtualHost a>\nA\n</VirtualHost>\n<VirtualHost b>\n  B\n</VirtualHost>\n"},
	{"empty first body", "<VirtualHost a>\n</VirtualHost>\n<VirtualHost b>\n   B\n</VirtualHost>\n"},
	{"nested first", "<VirtualHost a>\n\t<Location />\n\t\tA\n\t</Location>\n</VirtualHost>\n"},
	{"bom", "\xef\xbb\xbf<VirtualHost a>\n A\n</VirtualHost>\n"},
	{"crlf", "<VirtualHost a>\r\n  A\r\n</VirtualHost>\r\n"},
	{"continued tag", "<VirtualHost \\\n a>\n  A \\\n  b\n</VirtualHost \\\n>\n"},
	{"missing bracket", "<VirtualHost a\n A\n</VirtualHost\n"},
	{"comment continues", "# x \\\n<VirtualHost a>\n</VirtualHost>\n"},
	{"named lines", "<VirtualHost a>\n  WSGIDaemonProcess w\n  wsgiProcessGroup w\n  \"WSGIX\" y\n  \\\n  Xy z\n  \vWx v\n  \f<Location /w>\n  Alias /w /x\n  \v\n</VirtualHost>\n"},
}

// TestOutlineMatchesParse: the outline of every test input, corpus file
// and a generated config is what Parse's tree says.
func TestOutlineMatchesParse(t *testing.T) {
	for _, tc := range append(outlineCases, roundTrips...) {
		t.Run(tc.name, func(t *testing.T) { checkOutline(t, []byte(tc.src)) })
	}
	files, _ := filepath.Glob("../../shared/corpus/*.conf")
	more, _ := filepath.Glob("../testdata/e2e/*/*.conf")
	fixtures, _ := filepath.Glob("testdata/*.txtar")
	if len(fixtures) == 0 {
		t.Fatal("no fixtures")
	}
	for _, p := range append(files, more...) {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(p, func(t *testing.T) { checkOutline(t, src) })
	}
	for _, p := range fixtures {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "in.conf" {
				t.Run(p, func(t *testing.T) { checkOutline(t, f.Data) })
			}
		}
	}
	t.Run("genconf", func(t *testing.T) {
		if n := checkOutline(t, genconf.Bytes(50)); n != 2 {
			t.Errorf("read in %d stretches, want 2", n)
		}
	})
	// The second stretch would start at the <Location> past the middle,
	// inside a VirtualHost: the first reads on, alone.
	t.Run("stretch starts inside a section", func(t *testing.T) {
		src := "<VirtualHost a>\n" + strings.Repeat("A 1\n", 20) + "<Location />\nB\n</Location>\n</VirtualHost>\n<VirtualHost b>\n</VirtualHost>\n"
		if n := checkOutline(t, []byte(src)); n != 1 {
			t.Errorf("read in %d stretches, want 1", n)
		}
	})
}

// FuzzOutline: on any input the outline is what Parse's tree says.
func FuzzOutline(f *testing.F) {
	for _, tc := range append(outlineCases, roundTrips...) {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkOutline(t, src) })
}

// checkOutline compares ReadOutline's account of src with a dump of the
// same things read from Parse's tree, src read as one stretch and (if it
// has a line to start a second at) as two. It returns how many
// stretches counted in the second reading.
func checkOutline(t *testing.T, src []byte) (stretches int) {
	t.Helper()
	checkOutlineRead(t, src)
	defer func(size int) { parallelParse = size }(parallelParse)
	parallelParse = 1
	return checkOutlineRead(t, src)
}

func checkOutlineRead(t *testing.T, src []byte) (stretches int) {
	t.Helper()
	var got strings.Builder
	var seen [2]strings.Builder // by stretch
	o, err := ReadOutline("o.conf", src, func(k int) OutlineHooks {
		b := &seen[k]
		return OutlineHooks{
			Directive: func(top int, d *Directive) { fmt.Fprintf(b, "  %d directive %q %q\n", top, d.Name(), d.Arg(0)) },
			Section:   func(top int, d *Directive) { fmt.Fprintf(b, "  %d section %q\n", top, d.Name()) },
		}
	})
	f, perr := Parse("o.conf", src)
	if (err == nil) != (perr == nil) {
		t.Fatalf("ReadOutline error %v, Parse error %v", err, perr)
	}
	if err != nil {
		if err.Error() != perr.Error() {
			t.Fatalf("ReadOutline error %q, Parse's %q", err, perr)
		}
		return 0
	}
	fmt.Fprintf(&got, "layout %q %q, open as close %v\n", o.Layout.eol, o.Layout.step, o.OpenAsClose)
	for _, n := range o.Top {
		fmt.Fprintf(&got, "%d:%d kind %d %q %q\n", n.Offset, n.Line, n.Kind, n.Name, n.Close)
	}
	for k, base := range o.Stretches {
		// A stretch's top indices count from its first node.
		for _, l := range strings.SplitAfter(seen[k].String(), "\n") {
			var top int
			if n, _ := fmt.Sscanf(l, "  %d ", &top); n == 1 {
				l = fmt.Sprintf("  %d %s", base+top, strings.SplitN(strings.TrimPrefix(l, "  "), " ", 2)[1])
			}
			got.WriteString(l)
		}
	}

	var want strings.Builder
	openAsClose := false
	Inspect(f, func(n Node) bool {
		if s, ok := n.(*Section); ok && s.Close != nil && s.Close.Kind() == OpenTag {
			openAsClose = true
		}
		return true
	})
	l := f.Layout()
	fmt.Fprintf(&want, "layout %q %q, open as close %v\n", l.eol, l.step, openAsClose)
	var inside strings.Builder
	for i, n := range f.Root.Body {
		off, ok := Offset(src, n)
		if i == 0 {
			off, ok = 0, true // a byte order mark belongs to the first node
		}
		if !ok {
			t.Fatalf("top-level node %d is not src's own bytes", i)
		}
		kind, name, closeName := TopDirective, "", ""
		switch n := n.(type) {
		case *Directive:
			if n.Kind() == Plain {
				name = n.Name()
			}
		case *Blank:
			kind = TopBlank
		case *Comment:
			kind = TopComment
		case *Section:
			kind, name = TopSection, n.Name()
			if n.Close != nil {
				closeName = n.Close.Name()
			}
			fmt.Fprintf(&inside, "  %d section %q\n", i, n.Name())
			InspectSection(n, func(m Node) bool {
				switch m := m.(type) {
				case *Section:
					fmt.Fprintf(&inside, "  %d section %q\n", i, m.Name())
				case *Directive:
					if m.Kind() == Plain {
						fmt.Fprintf(&inside, "  %d directive %q %q\n", i, m.Name(), m.Arg(0))
					}
				}
				return true
			})
		}
		fmt.Fprintf(&want, "%d:%d kind %d %q %q\n", off, n.Pos().Line, kind, name, closeName)
	}
	want.WriteString(inside.String())
	if d := difftest.Diff(want.String(), got.String()); d != "" {
		t.Fatalf("outline differs from the tree (- tree, + outline):\n%s\ninput: %.2000q", d, src)
	}
	if len(src) > 0 && !bytes.Equal(Print(f), src) {
		t.Fatal("round trip")
	}
	return len(o.Stretches)
}

// BenchmarkOutline reads the outline of the 10k-pair config, with the
// hooks fixes.RunParts uses (named directives and every section).
func BenchmarkOutline(b *testing.B) {
	src := genconf.Bytes(10000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var counts [2]int // by stretch
	hooks := func(k int) OutlineHooks {
		return OutlineHooks{
			Directive: func(top int, d *Directive) {
				if d.IsAny("WSGIDaemonProcess", "WSGIProcessGroup", "WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript") {
					counts[k] += len(d.Arg(0))
				}
			},
			Section: func(top int, d *Directive) { counts[k]++ },
		}
	}
	for b.Loop() {
		if _, err := ReadOutline("bench.conf", src, hooks); err != nil {
			b.Fatal(err)
		}
	}
}
