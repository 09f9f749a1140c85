package ast

import "testing"

func TestPositions(t *testing.T) {
	src := "A \\\n  b \\\n c\nB 1\r\n\t<Location \"/x\">\n# c \\\nswallowed\n  C  \"q x\" y\n</Location>\nD"
	f := checkRoundTrip(t, "pos", []byte(src))
	var got []string
	Inspect(f, func(n Node) bool {
		got = append(got, n.Pos().String())
		return true
	})
	want := "1:1 4:1 5:2 6:1 8:3 10:1"
	if s := join2(got); s != want {
		t.Fatalf("positions %s, want %s", s, want)
	}
	s := f.Body()[2].(*Section)
	c := s.Body[1].(*Directive)
	if c.ArgPos(0) != (Pos{8, 6}) || c.ArgPos(1) != (Pos{8, 12}) || c.Arg(0) != "q x" {
		t.Fatalf("arg positions %v %v %q", c.ArgPos(0), c.ArgPos(1), c.Arg(0))
	}
	a := f.Body()[0].(*Directive)
	if a.ArgPos(1) != (Pos{3, 2}) || a.Arg(1) != "c" {
		t.Fatalf("continued arg at %v = %q", a.ArgPos(1), a.Arg(1))
	}
}

func join2(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
