package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

// A golden archive cannot hold a file without a final newline; the comment
// that replaces the last line must not add one.
func TestEmptyServerNameLastLineWithoutNewline(t *testing.T) {
	for in, want := range map[string]string{
		"<VirtualHost *:80>\n</VirtualHost>\nServerName": "<VirtualHost *:80>\n</VirtualHost>\n#ServerName",
		"\tServerName \r\n": "\t#ServerName \r\n",
	} {
		f, err := ast.Parse("t.conf", []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		findings := Run([]*ast.File{f}, DefaultOptions(), []*Pass{EmptyServerName})
		if len(findings) != 1 || !findings[0].Fixed {
			t.Errorf("%q: want one fixed finding, got %v", in, findings)
		}
		if d := difftest.Diff(want, string(ast.Print(f))); d != "" {
			t.Errorf("%q:\n%s", in, d)
		}
		if _, ok := f.Body()[len(f.Body())-1].(*ast.Comment); !ok {
			t.Errorf("%q: the last node is %T, want a comment", in, f.Body()[len(f.Body())-1])
		}
	}
}
