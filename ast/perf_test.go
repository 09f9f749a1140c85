package ast

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

// The speed work shares memory between nodes: section bodies are cut
// from one arena (and grow and shrink in place), and a short new line
// shares one allocation with its Directive. These tests check that no
// edit writes into bytes or bodies another node owns.

func printed(t *testing.T, f *File, want string) {
	t.Helper()
	if d := difftest.Diff(want, string(Print(f))); d != "" {
		t.Fatalf("printed file differs:\n%s", d)
	}
}

func TestBodyEditsLeaveNeighbourBodiesAlone(t *testing.T) {
	src := "<A x>\n  a1\n  a2\n</A>\n<B y>\n  b1\n  b2\n</B>\n"
	f := mustParse(t, src)
	a, b := f.Body()[0].(*Section), f.Body()[1].(*Section)
	// Both bodies come from one arena chunk, each top-level one with room
	// for topLevelRoom more nodes: growing A within its room or beyond
	// must not write into B's nodes, shrinking B must not move A's.
	if cap(a.Body) != len(a.Body)+topLevelRoom {
		t.Fatalf("A's body has room for %d more nodes, want %d", cap(a.Body)-len(a.Body), topLevelRoom)
	}
	a.Append(NewDirective("a3"), NewDirective("a4"))
	Remove(b.Body[0])
	InsertBefore(a.Body[0], NewDirective("a0"))
	printed(t, f, "<A x>\n  a0\n  a1\n  a2\n  a3\n  a4\n</A>\n<B y>\n  b2\n</B>\n")
	var more []Node
	for i := 5; i < 5+topLevelRoom; i++ {
		more = append(more, NewDirective(fmt.Sprintf("a%d", i)))
	}
	a.Append(more...) // beyond the room
	if got := string(Print(f)); !strings.HasSuffix(got, "  a12\n</A>\n<B y>\n  b2\n</B>\n") {
		t.Fatalf("after growing A beyond its room:\n%s", got)
	}
	if len(b.Body) != 1 || b.Body[0].(*Directive).Name() != "b2" {
		t.Fatalf("B's body changed to %d nodes", len(b.Body))
	}
}

func TestMovingNodesWithinOneSection(t *testing.T) {
	f := mustParse(t, "<A x>\n  a\n  b\n  c\n  d\n</A>\n")
	s := f.Body()[0].(*Section)
	// Insert takes nodes that are already in s: detaching them shifts the
	// body in place while the list passed in is read.
	s.Insert(0, s.Body[2:4]...)
	printed(t, f, "<A x>\n  c\n  d\n  a\n  b\n</A>\n")
}

func TestNewLineIndentedBeyondItsRoom(t *testing.T) {
	deep := strings.Repeat(" ", 19) // deeper than any small preallocated room
	f := mustParse(t, "<A x>\n"+deep+"a\n</A>\n")
	d := NewDirective("Require", "all", "granted")
	f.Body()[0].(*Section).Append(d)
	printed(t, f, "<A x>\n"+deep+"a\n"+deep+"Require all granted\n</A>\n")
	if got := strings.Join(d.Values(), " "); got != "all granted" {
		t.Fatalf("args after placing = %q", got)
	}
}

func TestNewLinePlacedThenMoved(t *testing.T) {
	f := mustParse(t, "<A x>\n    a\n    <B y>\n        b\n    </B>\n</A>\n")
	a := f.Body()[0].(*Section)
	d := NewDirective("Alias", "/x", "/srv/x dir")
	a.Append(d) // placed: four spaces
	MoveBefore(d, a.Body[1].(*Section).Body[0])
	d.SetArg(0, "/y")
	printed(t, f, "<A x>\n    a\n    <B y>\n        Alias /y \"/srv/x dir\"\n        b\n    </B>\n</A>\n")
}

func TestNewLineInCRLFFile(t *testing.T) {
	f := mustParse(t, "<A x>\r\n  a\r\n</A>\r\n")
	f.Body()[0].(*Section).Append(NewSection("Files", []string{"w.py"}, NewDirective("Require", "all", "granted")))
	printed(t, f, "<A x>\r\n  a\r\n  <Files \"w.py\">\r\n    Require all granted\r\n  </Files>\r\n</A>\r\n")
}

// Print writes a big tree in two halves at once; the halves must join as
// one pass would write them, also where the first half ends on a line
// that had no line ending (the old last line, before an edit added more).
func TestPrintInHalvesIsPrint(t *testing.T) {
	files := map[string]func() *File{
		"edited": func() *File {
			f := mustParse(t, "<A x>\n  a\n</A>\n<B y>\n  b\n</B>\nC c\n")
			f.Body()[0].(*Section).Append(NewDirective("a2"))
			InsertAfter(f.Body()[1], NewComment("# added"))
			return f
		},
		"no final newline": func() *File {
			f := mustParse(t, "X \\")
			f.Root.Append(NewDirective("Y", "y"))
			return f
		},
		"crlf without final newline": func() *File {
			f := mustParse(t, "A a\r\nB b")
			f.Root.Append(NewDirective("C"), NewDirective("D"))
			return f
		},
	}
	for name, build := range files {
		t.Run(name, func(t *testing.T) {
			want := string(Print(build()))
			was, procs := parallelPrint, runtime.GOMAXPROCS(2)
			parallelPrint = 0
			defer func() { parallelPrint = was; runtime.GOMAXPROCS(procs) }()
			if d := difftest.Diff(want, string(Print(build()))); d != "" {
				t.Fatalf("printed in halves, the output differs:\n%s", d)
			}
		})
	}
}
