package ast

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// Parse cuts a big file's second half into nodes on another goroutine,
// and CheckStructure checks the halves of a big tree at once. Wherever
// the cut falls, the tree must be the one a single pass builds (same
// nodes, positions, structure) with the same problems in the same order.

func parseWith(t *testing.T, src string, parallelFrom int) string {
	t.Helper()
	wasParse, wasPrint, procs := parallelParse, parallelPrint, runtime.GOMAXPROCS(2)
	parallelParse, parallelPrint = parallelFrom, parallelFrom // print: CheckStructure's threshold too
	defer func() { parallelParse, parallelPrint = wasParse, wasPrint; runtime.GOMAXPROCS(procs) }()
	f := checkRoundTrip(t, "p.conf", []byte(src))
	var b strings.Builder
	b.WriteString(dumpTree(f))
	for _, p := range CheckStructure(f) {
		fmt.Fprintf(&b, "%s: %s\n", p.Pos, p.Msg)
	}
	return b.String()
}

func TestParallelParseBuildsTheSameTree(t *testing.T) {
	// Each input's middle falls somewhere awkward: inside a section,
	// inside a continued directive or comment, on CRLF lines, right after
	// a BOM, in a section closed only by a later outer tag.
	half := func(middle string) string {
		pad := strings.Repeat("# padding line\n", 40)
		return pad + middle + pad
	}
	cases := map[string]string{
		"genconf": string(genconf.Bytes(30)),
		"section": half("<VirtualHost *:80>\n  ServerName a\n  <Location />\n    Require all granted\n  </Location>\n</VirtualHost>\n"),
		"continued directive": half("WSGIDaemonProcess x \\\n    home=/srv/x \\\n" +
			strings.Repeat("    a=b \\\n", 30) + "    processes=2\n"),
		"continued comment": half("# note \\\n" + strings.Repeat("still the comment \\\n", 30) + "end\n"),
		"crlf":              strings.ReplaceAll(half("<Directory /x>\r\n\\\r\n  Require all denied\r\n</Directory>\r\n"), "\n", "\r\n"),
		"bom":               bom + half("ServerName b\n"),
		"unclosed":          half("<IfModule x>\n<VirtualHost *:80>\n" + strings.Repeat("  Alias /a /b\n", 20) + "</IfModule>\n</VirtualHost>\n"),
		"no final newline":  half("Listen 80") + "ServerName \\",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			want := parseWith(t, src, len(src)+1) // one goroutine
			for _, from := range []int{1, len(src) / 3, len(src) / 2} {
				if d := difftest.Diff(want, parseWith(t, src, from)); d != "" {
					t.Fatalf("parsed in two parts (from %d bytes), the tree differs:\n%s", from, d)
				}
			}
		})
	}
}

func TestSplitPointEndsALogicalLine(t *testing.T) {
	src := []byte("a \\\nb \\\r\nc\n\\\n\nd\n")
	for i := range src {
		s := splitPoint(src[i:])
		if s == 0 {
			continue
		}
		head := src[i : i+s]
		// What precedes the cut is whole logical lines: parsing it alone
		// and the rest alone gives the same lines as parsing both.
		if end, _ := nextLogical(src[i:], 0); end > s {
			t.Fatalf("cut %d of %q splits the line ending at %d", s, src[i:], end)
		}
		if head[len(head)-1] != '\n' {
			t.Fatalf("cut %d of %q is not after a newline", s, src[i:])
		}
	}
}
