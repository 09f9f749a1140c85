package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

func parseDirective(t *testing.T, line string) *ast.Directive {
	t.Helper()
	f, err := ast.Parse("t.conf", []byte(line+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := f.Body()[0].(*ast.Directive)
	if !ok {
		t.Fatalf("%q: not a directive", line)
	}
	return d
}

func TestDaemonOptionsCompareNormalised(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"WSGIDaemonProcess x home=/srv/app/ processes=2", "WSGIDaemonProcess x Processes=2 home=/srv/app", true},
		{`WSGIDaemonProcess x home="/srv/app"`, "WSGIDaemonProcess x home=/srv/app/", true},
		{"WSGIDaemonProcess x python-path=/a/:/b", "WSGIDaemonProcess x python-path=/a:/b/", true},
		{"WSGIDaemonProcess x user=Alice", "WSGIDaemonProcess x user=alice", false},
		{"WSGIDaemonProcess x threads=15 threads=15", "WSGIDaemonProcess x threads=15", false},
		{"WSGIDaemonProcess x display-name=/a/", "WSGIDaemonProcess x display-name=/a", false},
	} {
		onlyA, onlyB := optionDiff(parseDirective(t, tc.a), parseDirective(t, tc.b))
		if same := len(onlyA) == 0 && len(onlyB) == 0; same != tc.same {
			t.Errorf("%q vs %q: same = %v (only first %q, only second %q), want %v", tc.a, tc.b, same, onlyA, onlyB, tc.same)
		}
	}
}

func TestSetOptionValueKeepsQuoting(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"WSGIScriptAlias / /a.py process-group=web2py", "WSGIScriptAlias / /a.py process-group=web2py-2\n"},
		{`WSGIScriptAlias / /a.py process-group="web2py"`, "WSGIScriptAlias / /a.py process-group=\"web2py-2\"\n"},
		{`WSGIScriptAlias / /a.py "process-group=web2py"`, "WSGIScriptAlias / /a.py \"process-group=web2py-2\"\n"},
		{"WSGIScriptAlias / /a.py \\\n  process-group='web2py' x=1", "WSGIScriptAlias / /a.py \\\n  process-group='web2py-2' x=1\n"},
	} {
		d := parseDirective(t, tc.in)
		if !setOptionValue(d, 2, "web2py-2") {
			t.Errorf("%q: not rewritten", tc.in)
			continue
		}
		if diff := difftest.Diff(tc.want, string(d.Raw())); diff != "" {
			t.Errorf("%q:\n%s", tc.in, diff)
		}
	}
}

func TestExclusiveConditions(t *testing.T) {
	f, err := ast.Parse("t.conf", []byte("<IfDefine X>\nA\n</IfDefine>\n<IfDefine !X>\nB\n</IfDefine>\n<IfDefine Y>\nC\n</IfDefine>\nD\n"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ast.Node{}
	ast.Directives(f, func(d *ast.Directive) { byName[d.Name()] = d })
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"A", "B", true}, {"B", "A", true}, {"A", "C", false}, {"A", "D", false}, {"D", "D", false}} {
		if got := exclusive(byName[tc.a], byName[tc.b]); got != tc.want {
			t.Errorf("exclusive(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
