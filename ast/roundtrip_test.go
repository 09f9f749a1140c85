package ast

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/debiantest"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

// roundTrips are inputs that must print back byte for byte.
var roundTrips = []struct{ name, src string }{
	{"empty", ""},
	{"newline", "\n"},
	{"no final newline", "ServerName a"},
	{"crlf", "ServerName a\r\nListen 80\r\n"},
	{"mixed endings", "A 1\r\nB 2\nC 3\r\n"},
	{"lone cr", "A 1\rB 2\n"},
	{"tabs and trailing blanks", "\tServerName a \t\n  \t\n"},
	{"bom", "\xef\xbb\xbfServerName a\n"},
	{"bom only", "\xef\xbb\xbf"},
	{"latin1", "ServerAdmin caf\xe9@example.org\n# \xff\xfe\n"},
	{"continuation", "WSGIDaemonProcess x user=a \\\n    home=/h/ \\\n    processes=2\n"},
	{"continuation crlf", "WSGIDaemonProcess x \\\r\n  home=/h\r\n"},
	{"continuation at eof", "A b \\"},
	{"continuation then eof newline", "A b \\\n"},
	{"comment continuation", "# note \\\nServerName swallowed\nListen 80\n"},
	{"quotes", "Alias \"/a b\" '/c d'\nX \"esc \\\" q\" 'it\\'s'\n"},
	{"unterminated quote", "Alias \"/a b\nListen 80\n"},
	{"mid-line hash", "LogFormat \"%h\" # not a comment\n"},
	{"sections", "<VirtualHost *:80>\n  <Location \"/\">\n    Require all granted\n  </Location>\n</VirtualHost>\n"},
	{"mismatched close", "<LocationMatch \"^/x\">\nA\n</Location>\n"},
	{"extra bracket", "<Location \"/\">\nA\n</Location>>\n"},
	{"stray close", "</Location>\nA\n"},
	{"unclosed", "<VirtualHost *:80>\n<Location />\nA\n"},
	{"open as close", "<LocationMatch x>\nA\n<LocationMatch>\n"},
	{"missing bracket", "<Location \"/\"\nA\n</Location\n"},
	{"closed by outer", "<VirtualHost *>\n<Location />\n</VirtualHost>\n"},
	{"blank with backslash", "   \\\n  Listen 80\n"},
	{"only spaces", "   "},
	{"control chars", "A \v\f b\n"},
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTrips {
		t.Run(tc.name, func(t *testing.T) {
			checkRoundTrip(t, tc.name, []byte(tc.src))
		})
	}
}

func checkRoundTrip(t *testing.T, name string, src []byte) *File {
	t.Helper()
	f, err := Parse(name, src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := Print(f); !bytes.Equal(got, src) {
		t.Fatalf("round trip differs:\n%s", difftest.Diff(string(src), string(got)))
	}
	return f
}

func TestRoundTripCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/*.conf")
	files2, _ := filepath.Glob("../testdata/e2e/*/*.conf")
	files = append(files, files2...)
	if len(files) == 0 {
		t.Skip("no corpus beside the repository")
	}
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, p, src)
	}
}

// TestRoundTripDebian round-trips every file of Debian's stock /etc/apache2,
// which .ci/run installs. Under CI it must be there.
func TestRoundTripDebian(t *testing.T) {
	debiantest.Require(t)
	n := 0
	filepath.Walk("/etc/apache2", func(p string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		f := checkRoundTrip(t, p, src)
		if strings.HasSuffix(p, ".conf") {
			if probs := CheckStructure(f); len(probs) > 0 {
				t.Errorf("%s: stock file has structure problems: %v", p, probs[0].Msg)
			}
		}
		n++
		return nil
	})
	if n < 20 {
		t.Fatalf("only %d files under /etc/apache2", n)
	}
}

func TestParseRejectsNUL(t *testing.T) {
	_, err := Parse("x.conf", []byte("A 1\nB \x00\n"))
	if err == nil || err.Error() != "x.conf:2:3: NUL byte in configuration text" {
		t.Fatalf("got %v", err)
	}
}

// TestDeepNesting parses and prints 10,000 nested sections; the parser,
// printer and walker use explicit stacks.
func TestDeepNesting(t *testing.T) {
	const depth = 10000
	var b bytes.Buffer
	for i := 0; i < depth; i++ {
		b.WriteString("<IfModule m>\n")
	}
	b.WriteString("Listen 80\n")
	for i := 0; i < depth; i++ {
		b.WriteString("</IfModule>\n")
	}
	f := checkRoundTrip(t, "deep", b.Bytes())
	var deepest *Directive
	Directives(f, func(d *Directive) { deepest = d })
	if deepest == nil || Depth(deepest) != depth {
		t.Fatalf("deepest directive depth = %v", Depth(deepest))
	}
	if probs := CheckStructure(f); len(probs) != 0 {
		t.Fatalf("unexpected problems: %v", probs[0].Msg)
	}
	// Unclosed at depth: every section reported, nothing lost.
	src := bytes.Repeat([]byte("<Location />\n"), depth)
	f = checkRoundTrip(t, "deep-unclosed", src)
	if probs := CheckStructure(f); len(probs) != depth {
		t.Fatalf("got %d problems, want %d", len(probs), depth)
	}
}

// TestLongLogicalLine parses a 16 MiB logical line made of continuations and
// a 16 MiB physical line.
func TestLongLogicalLine(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Define x ")
	chunk := strings.Repeat("a", 1023) + "\\\n"
	for b.Len() < 16<<20 {
		b.WriteString(chunk)
	}
	b.WriteString("end\nListen 80\n")
	f := checkRoundTrip(t, "long", b.Bytes())
	if len(f.Body()) != 2 {
		t.Fatalf("got %d nodes, want 2", len(f.Body()))
	}
	d := f.Body()[1].(*Directive)
	wantLine := bytes.Count(b.Bytes(), []byte("\n"))
	if d.Pos().Line != wantLine || d.Name() != "Listen" {
		t.Fatalf("Listen at %v", d.Pos())
	}
	phys := append([]byte("Define y "), bytes.Repeat([]byte("b"), 16<<20)...)
	f = checkRoundTrip(t, "physical", phys)
	if got := len(f.Body()[0].(*Directive).Arg(1)); got != 16<<20 {
		t.Fatalf("value length %d", got)
	}
}
