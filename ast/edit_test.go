package ast

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	return checkRoundTrip(t, "t.conf", []byte(src))
}

func expect(t *testing.T, f *File, want string) {
	t.Helper()
	if d := difftest.Diff(want, string(Print(f))); d != "" {
		t.Fatalf("after edit:\n%s", d)
	}
}

func first(f *File, name string) *Directive {
	var found *Directive
	Directives(f, func(d *Directive) {
		if found == nil && d.Is(name) {
			found = d
		}
	})
	return found
}

func firstSection(f *File, name string) *Section {
	var found *Section
	Sections(f, func(s *Section) {
		if found == nil && s.Is(name) {
			found = s
		}
	})
	return found
}

func TestEditsKeepUntouchedBytes(t *testing.T) {
	src := "# lead\r\n<VirtualHost *:80>\r\n\tServerName  a   # odd spacing kept\r\n\tListen 80\r\n</VirtualHost>\r\n"
	f := mustParse(t, src)
	if f.EOL() != "\r\n" {
		t.Fatalf("EOL %q", f.EOL())
	}
	InsertAfter(first(f, "Listen"), NewDirective("WSGIProcessGroup", "web2py"))
	expect(t, f, "# lead\r\n<VirtualHost *:80>\r\n\tServerName  a   # odd spacing kept\r\n\tListen 80\r\n\tWSGIProcessGroup web2py\r\n</VirtualHost>\r\n")
	if f.Edits() == 0 {
		t.Fatal("edit not counted")
	}
}

func TestNewSectionIndentsBody(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n    ServerName a\n    <Location />\n        SSLRequireSSL\n    </Location>\n</VirtualHost>\n")
	vh := firstSection(f, "VirtualHost")
	dir := NewSection("Directory", []string{"/home/web2py"},
		NewDirective("Require", "all", "denied"),
		NewSection("Files", []string{"wsgihandler.py"}, NewDirective("Require", "all", "granted")))
	vh.Append(dir)
	expect(t, f, `<VirtualHost *:80>
    ServerName a
    <Location />
        SSLRequireSSL
    </Location>
    <Directory "/home/web2py">
        Require all denied
        <Files "wsgihandler.py">
            Require all granted
        </Files>
    </Directory>
</VirtualHost>
`)
}

// A new line is placed in its own buffer, in place when the buffer has
// room (reframe): its name and arguments must still be read right after
// the shift, for short and long lines, at an indent within the room kept
// and deeper, with LF and CRLF endings.
func TestPlacedNewLinesKeepTheirText(t *testing.T) {
	long := strings.Repeat("x", 100)
	for _, eol := range []string{"\n", "\r\n"} {
		var src strings.Builder
		names := []string{"A", "B", "C", "D", "E", "F"}
		for i, n := range names {
			src.WriteString(strings.Repeat("    ", i) + "<" + n + ">" + eol)
		}
		for i := len(names) - 1; i >= 0; i-- {
			src.WriteString(strings.Repeat("    ", i) + "</" + names[i] + ">" + eol)
		}
		f := mustParse(t, src.String())
		for _, at := range []string{"B", "F"} { // children at 8 and 24 spaces
			s := firstSection(f, at)
			short := NewDirective("Require", "all", "granted")
			longer := NewDirective("AliasMatch", long, "/srv/$1")
			files := NewSection("Files", []string{"w.py"}, NewDirective("Require", "all", "denied"))
			s.Append(short, longer, files)
			indent := s.Open.Indent() + "    "
			for _, d := range []*Directive{short, longer, files.Open, files.Close} {
				if d.Indent() != indent || d.EOL() != eol {
					t.Errorf("in %s: %s has indent %q and eol %q, want %q and %q", at, d.Name(), d.Indent(), d.EOL(), indent, eol)
				}
			}
			if short.Name() != "Require" || short.Arg(1) != "granted" || longer.Arg(0) != long || longer.Arg(1) != "/srv/$1" || files.Open.Arg(0) != "w.py" {
				t.Fatalf("in %s: names or arguments lost in the shift: %q %q %q %q", at, short.Name(), short.Arg(1), longer.Arg(0), files.Open.Arg(0))
			}
			printed := string(Print(f))
			want := indent + "Require all granted" + eol + indent + "AliasMatch " + long + " /srv/$1" + eol +
				indent + "<Files \"w.py\">" + eol + indent + "    Require all denied" + eol + indent + "</Files>" + eol
			if !strings.Contains(printed, want) {
				t.Fatalf("in %s: printed\n%s\nwithout\n%s", at, printed, want)
			}
		}
	}
}

// Strings read from a new line before it is placed (its name, its
// arguments, the parsed list a long line keeps) are views of its text, so
// placing it must not move that text: the indentation goes into the room
// its buffer keeps before it. A build that shifted the text in place
// returned "ias /sta" for the first argument of "Alias /static/ ...".
func TestStringsReadBeforePlacementStay(t *testing.T) {
	long := "/srv/some/long/path/for/the/static/files/" + strings.Repeat("x", 40)
	for _, eol := range []string{"\n", "\r\n"} {
		for _, depth := range []int{1, 5} { // an indent within the room, and deeper
			var src strings.Builder
			for i := range depth {
				src.WriteString(strings.Repeat("    ", i) + "<S" + string(rune('A'+i)) + ">" + eol)
			}
			for i := depth - 1; i >= 0; i-- {
				src.WriteString(strings.Repeat("    ", i) + "</S" + string(rune('A'+i)) + ">" + eol)
			}
			f := mustParse(t, src.String())
			inner := firstSection(f, "S"+string(rune('A'+depth-1)))
			short := NewDirective("Alias", "/static/", "/srv/s/")
			longer := NewDirective("Alias", "/static/", long)
			files := NewSection("Files", []string{"wsgihandler.py"}, NewDirective("Require", "all", "granted"))
			type read struct {
				got  *string
				want string
			}
			var reads []read
			keep := func(got, want string) { reads = append(reads, read{&got, want}) }
			keep(short.Name(), "Alias")
			keep(short.Arg(0), "/static/")
			keep(short.Arg(1), "/srv/s/")
			keep(longer.Arg(1), long)
			for i, v := range longer.Values() {
				keep(v, []string{"/static/", long}[i])
			}
			keep(longer.Args()[0].Raw, "/static/")
			keep(files.Open.Arg(0), "wsgihandler.py")
			keep(files.Open.Name(), "Files")
			inner.Append(short, longer, files)
			for i, r := range reads {
				if *r.got != r.want {
					t.Errorf("eol %q, depth %d: string %d read before placement is now %q, want %q", eol, depth, i, *r.got, r.want)
				}
			}
			if longer.Arg(1) != long || longer.Args()[0].Raw != "/static/" || short.Arg(1) != "/srv/s/" {
				t.Errorf("eol %q, depth %d: arguments after placement %q %q %q", eol, depth, longer.Arg(1), longer.Args()[0].Raw, short.Arg(1))
			}
			indent := strings.Repeat("    ", depth)
			if want := indent + "Alias /static/ " + long + eol; !strings.Contains(string(Print(f)), want) {
				t.Errorf("eol %q, depth %d: printed\n%s\nwithout %q", eol, depth, Print(f), want)
			}
		}
	}
}

// Indent is a view of the line's bytes, like Name: what it returned must
// stay when the line, or the one it was read from, is indented anew.
func TestIndentReadBeforeReindentStays(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n    <Location />\n        WSGIProcessGroup x\n    </Location>\n</VirtualHost>\n")
	loc := firstSection(f, "Location")
	d := first(f, "WSGIProcessGroup")
	locIndent, dIndent := Indent(loc), Indent(d)
	fresh := NewDirective("Require", "all", "granted")
	loc.Append(fresh)
	freshIndent := Indent(fresh)
	loc.Dissolve() // its body moves out, indented as the Location was
	if locIndent != "    " || dIndent != "        " || freshIndent != "        " {
		t.Errorf("indentation read before the move is now %q, %q, %q", locIndent, dIndent, freshIndent)
	}
	if Indent(d) != "    " || Indent(fresh) != "    " {
		t.Errorf("after the move: %q, %q", Indent(d), Indent(fresh))
	}
}

func TestFlatFileStaysFlat(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\nServerName a\n<Location />\nSSLRequireSSL\n</Location>\n</VirtualHost>\n")
	loc := firstSection(f, "Location")
	Replace(loc, NewSection("Directory", []string{"/x"}, NewDirective("Require", "all", "granted")))
	expect(t, f, "<VirtualHost *:80>\nServerName a\n<Directory \"/x\">\nRequire all granted\n</Directory>\n</VirtualHost>\n")
}

func TestRemoveKeepsLeadComment(t *testing.T) {
	f := mustParse(t, "### for port 80\nNameVirtualHost *:80\n<VirtualHost *:80>\n</VirtualHost>\n")
	d := first(f, "NameVirtualHost")
	if lead := LeadComments(d); len(lead) != 1 || lead[0].Text() != "### for port 80" {
		t.Fatalf("lead comments %v", lead)
	}
	if !Remove(d) || Remove(d) {
		t.Fatal("Remove should succeed once")
	}
	expect(t, f, "### for port 80\n<VirtualHost *:80>\n</VirtualHost>\n")
}

func TestMoveReindentsAndKeepsContinuation(t *testing.T) {
	src := "<VirtualHost *:80>\n    # the daemon\n    WSGIDaemonProcess web2py \\\n        home=/h/ \\\n        processes=2\n    ServerName a\n</VirtualHost>\n"
	f := mustParse(t, src)
	vh := firstSection(f, "VirtualHost")
	d := first(f, "WSGIDaemonProcess")
	lead := LeadComments(d)
	for _, c := range lead {
		MoveBefore(c, vh)
	}
	MoveBefore(d, vh)
	expect(t, f, "# the daemon\nWSGIDaemonProcess web2py \\\n        home=/h/ \\\n        processes=2\n<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\n")
	if d.Parent() != f.Root || d.Pos() != (Pos{3, 5}) {
		t.Fatalf("moved node parent %v pos %v", d.Parent(), d.Pos())
	}
}

func TestSetArgKeepsQuotesAndLayout(t *testing.T) {
	f := mustParse(t, "WSGIScriptAlias / \\\n   '/home/web2py/'   process-group=x\n")
	d := first(f, "WSGIScriptAlias")
	d.SetArg(1, "/home/web2py/wsgihandler.py")
	expect(t, f, "WSGIScriptAlias / \\\n   '/home/web2py/wsgihandler.py'   process-group=x\n")
	d.SetArgs("/", "/a b")
	expect(t, f, "WSGIScriptAlias / \"/a b\"\n")
	if d.Arg(1) != "/a b" {
		t.Fatalf("arg %q", d.Arg(1))
	}
}

func TestSetCloseTag(t *testing.T) {
	f := mustParse(t, "<LocationMatch \"^/x\">\n  A\n  </Location>>\n<Files x>\n<Files>\n")
	probs := CheckStructure(f)
	if len(probs) != 2 {
		t.Fatalf("problems %v", probs)
	}
	for _, p := range probs {
		p.Tag.SetCloseTag(p.Section.Name())
	}
	expect(t, f, "<LocationMatch \"^/x\">\n  A\n  </LocationMatch>\n<Files x>\n</Files>\n")
	if probs := CheckStructure(f); len(probs) != 0 {
		t.Fatalf("still %v", probs[0].Msg)
	}
}

func TestCloseBefore(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n  <Location />\n    SSLRequireSSL\n  Listen 80\n</VirtualHost>")
	loc := firstSection(f, "Location")
	loc.CloseBefore(1)
	expect(t, f, "<VirtualHost *:80>\n  <Location />\n    SSLRequireSSL\n  </Location>\n  Listen 80\n</VirtualHost>")
	// At end of file without a final newline the ending stays absent.
	f = mustParse(t, "<VirtualHost *:80>\nListen 80")
	vh := firstSection(f, "VirtualHost")
	vh.CloseBefore(len(vh.Body))
	expect(t, f, "<VirtualHost *:80>\nListen 80\n</VirtualHost>")
	if probs := CheckStructure(f); len(probs) != 0 {
		t.Fatalf("still %v", probs[0].Msg)
	}
}

func TestInsertAfterLastLineWithoutEOL(t *testing.T) {
	f := mustParse(t, "Listen 80")
	f.Root.Append(NewDirective("ServerName", "a"))
	expect(t, f, "Listen 80\nServerName a\n")
}

func TestDissolve(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n  <Location \"/\">\n      # route it\n      WSGIProcessGroup web2py\n  </Location>\n</VirtualHost>\n")
	firstSection(f, "Location").Dissolve()
	expect(t, f, "<VirtualHost *:80>\n  # route it\n  WSGIProcessGroup web2py\n</VirtualHost>\n")
}

func TestReplaceInArgs(t *testing.T) {
	f := mustParse(t, "<LocationMatch \"ˆ(/x)\">\n# ˆ stays in comments\n</LocationMatch>\n")
	s := firstSection(f, "LocationMatch")
	if n := s.Open.ReplaceInArgs("ˆ", "^"); n != 1 {
		t.Fatalf("replaced %d", n)
	}
	expect(t, f, "<LocationMatch \"^(/x)\">\n# ˆ stays in comments\n</LocationMatch>\n")
	if s.Args()[0].Value != "^(/x)" {
		t.Fatalf("args %v", s.Args())
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/a":        "/a",
		"":          `""`,
		"a b":       `"a b"`,
		`say "hi"`:  `"say \"hi\""`,
		`^/(\d+)/x`: `^/(\d+)/x`,
		`a\\b`:      `"a\\\b"`,
		`%{GLOBAL}`: `%{GLOBAL}`,
	} {
		if got := Quote(in, 0); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		// Whatever we write, httpd's tokenizer reads back the value.
		f := mustParse(t, "X "+Quote(in, 0)+"\n")
		if got := first(f, "X").Arg(0); got != in {
			t.Errorf("Quote(%q) reads back as %q", in, got)
		}
	}
	if strings.Count(Quote("a", '\''), "'") != 2 {
		t.Error("single quote style not kept")
	}
}

func TestMoveAcrossFilesAdoptsLineEndings(t *testing.T) {
	crlf := mustParse(t, "WSGIDaemonProcess w \\\r\n  home=/h\r\n<VirtualHost *:443>\r\n</VirtualHost>\r\n")
	lf := mustParse(t, "<VirtualHost *:80>\n</VirtualHost>\n")
	d := first(crlf, "WSGIDaemonProcess")
	Remove(d)
	InsertBefore(firstSection(lf, "VirtualHost"), d)
	expect(t, lf, "WSGIDaemonProcess w \\\n  home=/h\n<VirtualHost *:80>\n</VirtualHost>\n")
	expect(t, crlf, "<VirtualHost *:443>\r\n</VirtualHost>\r\n")
}

// Offset finds a parsed node in its source without a scan, and refuses a
// node that is not the source's own bytes.
func TestOffset(t *testing.T) {
	src := []byte("\ufeffListen 80\n<VirtualHost *:80>\n  ServerName a\n</VirtualHost>\n# end\n")
	f, err := Parse("o.conf", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.Root.Body {
		off, ok := Offset(src, n)
		if !ok || !bytes.HasPrefix(src[off:], PrintNode(n)) {
			t.Errorf("%T at line %d: Offset = %d, %v", n, n.Pos().Line, off, ok)
		}
	}
	if off, _ := Offset(src, f.Root.Body[0]); off != 3 {
		t.Errorf("first node at %d, want 3 (after the byte order mark)", off)
	}
	if _, ok := Offset(src, NewDirective("Listen", "80")); ok {
		t.Error("a new directive has an offset in the source")
	}
	if _, ok := Offset([]byte(string(src)), f.Root.Body[1]); ok {
		t.Error("a node has an offset in a copy of its source")
	}
}

// Renaming a section can change which section a tag closes (the parser
// pairs tags by name); Reparse reads the text again into the same File,
// numbering lines as before, a part of a file from its own first line.
func TestReparsePairsRenamedTags(t *testing.T) {
	const src = "# lead\n<Directroy /srv>\n  Require all granted\n<Directory>\n"
	for _, first := range []int{1, 40} {
		lay := Layout{eol: "\n", step: "  "}
		f, err := parse("t.conf", []byte(src), first, &lay)
		if err != nil {
			t.Fatal(err)
		}
		open := firstSection(f, "Directroy")
		if open == nil || open.Close != nil || len(open.Body) != 2 {
			t.Fatalf("first %d: as parsed, want an unclosed <Directroy> holding the argument-less tag", first)
		}
		open.Open.SetName("Directory")
		if err := f.Reparse(); err != nil {
			t.Fatal(err)
		}
		if got := string(Print(f)); got != strings.Replace(src, "Directroy", "Directory", 1) {
			t.Fatalf("first %d: text changed: %q", first, got)
		}
		dir := firstSection(f, "Directory")
		if dir == nil || dir.Close == nil || dir.Close.Kind() != OpenTag || len(dir.Body) != 1 {
			t.Fatalf("first %d: reparsed, want <Directory /srv> closed by the argument-less tag", first)
		}
		if dir.File() != f || dir.Parent() != f.Root || f.Root.File() != f {
			t.Errorf("first %d: the new nodes do not belong to the file", first)
		}
		if got, want := dir.Pos(), (Pos{Line: first + 1, Col: 1}); got != want {
			t.Errorf("first %d: <Directory> at %v, want %v", first, got, want)
		}
	}
}

// A backslash is taken out only before a backslash or the quote (httpd's
// substring_conf); a regex's \d stays, and is read without a copy.
func TestUnquoteTakesOutOnlyEscapes(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`"^/(\d+)/static/(.*)"`, `^/(\d+)/static/(.*)`},
		{`"a\"b"`, `a"b`},
		{`"a\\b\d"`, `a\b\d`},
		{`'it\'s\d'`, `it's\d`},
		{`a\\b`, `a\b`},
		{`a\d\`, `a\d\`},
		{`"\d\\"`, `\d\`},
	}
	for _, c := range cases {
		f := mustParse(t, "AliasMatch "+c.raw+" /x\n")
		if got := first(f, "AliasMatch").Arg(0); got != c.want {
			t.Errorf("%s: Arg(0) = %q, want %q", c.raw, got, c.want)
		}
	}
}

// A NodePool hands the memory of a tree out again after Reset: the next
// tree parsed with it is built in the same nodes, zeroed, and prints as
// its own text.
func TestNodePoolReusesNodes(t *testing.T) {
	var pool NodePool
	layout := mustParse(t, "<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\n").Layout()
	texts := []string{
		"<VirtualHost *:80>\n    ServerName a\n    # note\n\n    <Location />\n        Require all granted\n    </Location>\n</VirtualHost>\n",
		"<VirtualHost *:443>\n    ServerName b\n</VirtualHost>\nNameVirtualHost *:80\n",
		"# only a comment\n",
	}
	var reused *Directive
	for i, text := range texts {
		f, err := ParsePartIn(&pool, "p.conf", []byte(text), 10*i+1, layout)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(Print(f)); got != text {
			t.Fatalf("part %d printed %q, want %q", i, got, text)
		}
		if d := first(f, "ServerName"); d != nil {
			if reused == nil {
				reused = d
			} else if d != reused {
				t.Errorf("part %d: its ServerName is not in the memory of part 0's", i)
			}
			if d.Pos().Line != 10*i+2 || d.Arg(0) == "" {
				t.Errorf("part %d: ServerName at %v with %q", i, d.Pos(), d.Arg(0))
			}
		}
		pool.Reset()
	}
}

// A pool's Maker makes new nodes in memory the pool hands out again after
// Reset: sections, tiny and short lines in their Directive's memory, and
// long lines' text from an arena of chunks. Made there, they must print
// as the same edits with fresh nodes do, placed with indentation in the
// room before their text (no neighbour's text overwritten), and part after
// part be made in the same memory.
func TestMakerMakesInThePoolsMemory(t *testing.T) {
	var pool NodePool
	layout := mustParse(t, "<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\n").Layout()
	long := strings.Repeat("x", 100) // past shortDirective's buffer: the arena
	edit := func(m Maker, f *File) *Section {
		vh := f.Body()[0].(*Section)
		files := m.NewSection("Files", []string{"wsgihandler.py"}, m.NewDirective("Require", "all", "granted"))
		dir := m.NewSection("Directory", []string{"/srv/" + long}, m.NewDirective("Require", "all", "denied"), files)
		vh.Append(dir, m.NewDirectiveRaw("AliasMatch", `"^/(`+long+`)"`, "/a/"+long), m.NewDirective("Alias", "/b/", "/c/"+long))
		return dir
	}
	var first *Section
	for i := range 3 {
		text := fmt.Sprintf("<VirtualHost *:%d>\n    ServerName a%d\n</VirtualHost>\n", 80+i, i)
		fresh := mustParse(t, text)
		edit(Maker{}, fresh)
		f, err := ParsePartIn(&pool, "p.conf", []byte(text), 1, layout)
		if err != nil {
			t.Fatal(err)
		}
		made := edit(pool.Maker(), f)
		want := string(Print(fresh))
		if !strings.Contains(want, "    <Directory \"/srv/"+long+"\">\n        Require all denied\n        <Files") {
			t.Fatalf("the fresh edit printed\n%s", want)
		}
		printed(t, f, want)
		if first == nil {
			first = made
		} else if made != first {
			t.Errorf("part %d: its new Directory is not in the memory of part 0's", i)
		}
		pool.Reset()
	}
}
