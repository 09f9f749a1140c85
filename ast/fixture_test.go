package ast

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

var update = flag.Bool("update", false, "rewrite the tree and problems sections of ast/testdata fixtures")

// TestFixtures parses each testdata/*.txtar "in.conf" and compares a dump of
// the tree and the structure problems with the archive's "tree" and
// "problems". A fixture proves its own feature: the comment's "assert:"
// lines name byte sequences in.conf must contain (\r\n, \t, \\ escapes
// written as Go string escapes).
func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string][]byte{}
			for _, f := range ar.Files {
				sections[f.Name] = f.Data
			}
			src, ok := sections["in.conf"]
			if !ok {
				t.Fatal("no in.conf")
			}
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				if a, ok := strings.CutPrefix(line, "assert: "); ok {
					var want string
					if _, err := fmt.Sscanf(a, "%q", &want); err != nil {
						t.Fatalf("bad assert %q: %v", a, err)
					}
					if !bytes.Contains(src, []byte(want)) {
						t.Fatalf("fixture does not contain %q: it does not prove its feature", want)
					}
				}
			}
			f := checkRoundTrip(t, "in.conf", src)
			tree := dumpTree(f)
			var probs strings.Builder
			for _, p := range CheckStructure(f) {
				fmt.Fprintf(&probs, "%s: %s\n", p.Pos, p.Msg)
			}
			if *update {
				for i := range ar.Files {
					switch ar.Files[i].Name {
					case "tree":
						ar.Files[i].Data = []byte(tree)
					case "problems":
						ar.Files[i].Data = []byte(probs.String())
					}
				}
				if _, ok := sections["tree"]; !ok {
					ar.Files = append(ar.Files, txtar.File{Name: "tree", Data: []byte(tree)})
				}
				if _, ok := sections["problems"]; !ok {
					ar.Files = append(ar.Files, txtar.File{Name: "problems", Data: []byte(probs.String())})
				}
				os.WriteFile(file, txtar.Format(ar), 0o644)
				return
			}
			if d := difftest.Diff(string(sections["tree"]), tree); d != "" {
				t.Errorf("tree differs:\n%s", d)
			}
			if d := difftest.Diff(string(sections["problems"]), probs.String()); d != "" {
				t.Errorf("problems differ:\n%s", d)
			}
		})
	}
}

// dumpTree renders one line per node: position, kind, name and arguments
// (values, %q), indented by depth; line endings shown as CRLF/LF/EOF.
func dumpTree(f *File) string {
	var b strings.Builder
	if f.BOM {
		b.WriteString("BOM\n")
	}
	var walk func(body []Node, depth int)
	eol := func(l *line) string {
		switch l.EOL() {
		case "\r\n":
			return "CRLF"
		case "\n":
			return "LF"
		}
		return "EOF"
	}
	tag := func(d *Directive) string {
		s := fmt.Sprintf("%s %q", d.Kind(), d.Name())
		if d.Extra() != "" {
			s += fmt.Sprintf(" extra=%q", d.Extra())
		}
		if d.MissingBracket() {
			s += " missing-bracket"
		}
		return s
	}
	walk = func(body []Node, depth int) {
		ind := strings.Repeat("  ", depth)
		for _, n := range body {
			switch n := n.(type) {
			case *Blank:
				fmt.Fprintf(&b, "%s%s blank %s\n", ind, n.Pos(), eol(&n.line))
			case *Comment:
				fmt.Fprintf(&b, "%s%s comment %q %s\n", ind, n.Pos(), n.Text(), eol(&n.line))
			case *Directive:
				fmt.Fprintf(&b, "%s%s %s %q %s\n", ind, n.Pos(), tag(n), n.Values(), eol(&n.line))
			case *Section:
				fmt.Fprintf(&b, "%s%s section %q args=%q indent=%q %s\n", ind, n.Pos(), n.Name(), n.Open.Values(), n.Open.Indent(), eol(&n.Open.line))
				walk(n.Body, depth+1)
				switch {
				case n.Close != nil:
					fmt.Fprintf(&b, "%s%s close %s %s\n", ind, n.Close.Pos(), tag(n.Close), eol(&n.Close.line))
				case n.Unclosed == UnclosedAtEOF:
					fmt.Fprintf(&b, "%sunclosed at EOF\n", ind)
				default:
					fmt.Fprintf(&b, "%sunclosed, ended by %s\n", ind, n.ClosedBy.Pos())
				}
			}
		}
	}
	walk(f.Body(), 0)
	return b.String()
}

func (k Kind) String() string {
	switch k {
	case OpenTag:
		return "open-tag"
	case CloseTag:
		return "close-tag"
	}
	return "directive"
}
