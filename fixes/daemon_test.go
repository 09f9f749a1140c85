package fixes

import (
	"strings"
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

// duplicate-daemon hands its scan of the daemon groups, minus the
// definitions it removed, to daemon-scope run right after it (Runner.Run).
// daemon-scope must then do exactly what it does after scanning afresh,
// which it does when another pass runs between the two: on every golden
// input and corpus file, under every daemon policy, and on a pair whose
// kept definition must move because the ServerNames differ (a scan that
// still held the removed duplicate would call the name duplicated and
// leave it). The first case must be handed over, not scanned again.
func TestDaemonScopeTakesDuplicateDaemonScan(t *testing.T) {
	const pair = `<VirtualHost *:80>
    ServerName example.com
    WSGIDaemonProcess web2py home=/srv/web2py/
    WSGIProcessGroup web2py
</VirtualHost>
<VirtualHost *:443>
    ServerName www.example.com
    WSGIDaemonProcess web2py home=/srv/web2py
    WSGIProcessGroup web2py
</VirtualHost>
`
	// Debian's order: the conditional HTTPS vhost first. duplicate-daemon
	// removes the first definitions then, which changes the order in which
	// the groups are first defined, and so the order in which daemon-scope
	// moves B and A before the same vhost.
	const debian = `<IfModule mod_ssl.c>
<VirtualHost *:443>
    ServerName secure.example.com
    WSGIDaemonProcess A home=/srv/a
    WSGIDaemonProcess B home=/srv/b
    WSGIProcessGroup A
    WSGIScriptAlias /b /srv/b/wsgihandler.py process-group=B
</VirtualHost>
</IfModule>
<VirtualHost *:80>
    ServerName example.com
    WSGIDaemonProcess B home=/srv/b
    WSGIDaemonProcess A home=/srv/a
    WSGIProcessGroup A
</VirtualHost>
`
	inputs := append([][]byte{[]byte(pair), []byte(debian)}, goldenInputs(t)...)
	between := &Pass{Name: "nothing", Run: func(*Context) {}}
	// run returns the output and findings, and whether a pass was handed
	// a scan.
	run := func(src []byte, opts Options, passes ...*Pass) (string, bool) {
		f, err := ast.Parse("t.conf", src)
		if err != nil {
			return err.Error(), false
		}
		r := NewRunner([]*ast.File{f}, opts)
		handed := false
		for _, p := range passes {
			r.Run(p)
			handed = handed || r.c.uses != nil
		}
		return string(ast.Print(f)) + formatFindings(r.Findings()), handed
	}
	var handedOver int
	for i, src := range inputs {
		for _, conflict := range []string{"report", "keep-first", "rename"} {
			for _, scope := range []string{"vhost", "global"} {
				opts := DefaultOptions()
				opts.DaemonConflict, opts.DaemonScope = conflict, scope
				got, handed := run(src, opts, DuplicateDaemon, DaemonScope)
				want, _ := run(src, opts, DuplicateDaemon, between, DaemonScope)
				if got != want {
					t.Errorf("input %d, %s, %s: with the handed-over scan\n%s\nscanning again\n%s", i, conflict, scope, got, want)
				}
				if handed {
					handedOver++
				}
				if i == 0 && !handed {
					t.Errorf("%s, %s: daemon-scope scanned again after duplicate-daemon removed a duplicate", conflict, scope)
				}
			}
		}
	}
	if out, _ := run([]byte(pair), DefaultOptions(), DuplicateDaemon, DaemonScope); !strings.Contains(out, `WSGIDaemonProcess "web2py" moved to global scope`) {
		t.Errorf("the pair's kept definition was not moved:\n%s", out)
	}
	t.Logf("%d of %d runs handed the scan over", handedOver, len(inputs)*6)
}
