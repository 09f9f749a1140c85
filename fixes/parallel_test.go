package fixes

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// forceParallel makes eachPart split even two parts over goroutines and
// collect and scanDaemonUse work on even the smallest run on two.
func forceParallel(t *testing.T) {
	t.Helper()
	min, walk, uses, procs := minSitesPerWorker, parallelWalk, minParallelUses, runtime.GOMAXPROCS(4)
	minSitesPerWorker, parallelWalk, minParallelUses = 1, 0, 0
	t.Cleanup(func() {
		minSitesPerWorker, parallelWalk, minParallelUses = min, walk, uses
		runtime.GOMAXPROCS(procs)
	})
}

// Every golden case again, with the per-vhost passes split over
// goroutines: the output and findings must be the same.
func TestGoldenInParallel(t *testing.T) {
	forceParallel(t)
	TestGolden(t)
}

// runAll parses srcs as one server, runs passes and returns the printed
// files and the findings as text.
func runAll(t *testing.T, opts Options, passes []*Pass, srcs ...string) string {
	t.Helper()
	var files []*ast.File
	for i, src := range srcs {
		f, err := ast.Parse(fmt.Sprintf("f%d.conf", i), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var b strings.Builder
	for _, fd := range Run(files, opts, passes) {
		b.WriteString(fd.String() + "\n")
	}
	for _, f := range files {
		b.Write(ast.Print(f))
	}
	return b.String()
}

// A larger server than the goldens, with what makes parts depend on each
// other (a daemon defined at global scope and in another file, a
// server-level Directory, conditional sections, access blocks inside
// access blocks), run with every pass on one goroutine and split over
// several.
func TestParallelVhostsMatchSequential(t *testing.T) {
	main := string(genconf.Bytes(40)) + `<IfModule mod_wsgi.c>
<VirtualHost *:8080>
    ServerName other.example.com
    Alias / /srv/other/web2py/applications/
    WSGIScriptAlias / /srv/other/web2py/
    WSGIProcessGroup shared
    <Location "/">
        Order allow,deny
        Allow from all
    </Location>
</VirtualHost>
</IfModule>
<Directory "/srv/site3/web2py/applications/*/static">
    Require all granted
</Directory>
<Directory "/srv/private">
    Order deny,allow
    Deny from all
    Allow from 10.1
    <Files "*.py">
        Order allow,deny
        Allow from all
        Satisfy Any
    </Files>
</Directory>
<VirtualHost *:443>
    ServerName nested.example.com
    <Directory "/srv/nested">
        AuthType Basic
        Require valid-user
        <Files "x">
            Order deny,allow
            Deny from all
        </Files>
    </Directory>
</VirtualHost>
`
	second := `WSGIDaemonProcess shared home=/srv/shared/web2py/
<VirtualHost *:80>
    ServerName shared.example.com
    WSGIScriptAlias / /srv/shared/web2py/
    WSGIProcessGroup shared
    <Location "/">
        Require all granted
    </Location>
</VirtualHost>
`
	all, err := Select(nil, nil, []string{"application-group"})
	if err != nil {
		t.Fatal(err)
	}
	policies := []Options{DefaultOptions(), {DaemonScope: "global", DaemonConflict: "rename", WSGIScript: "w.py", Apache: "2.2"}}
	var want []string
	for _, opts := range policies {
		want = append(want, runAll(t, opts, all, main, second))
	}
	forceParallel(t)
	for i, opts := range policies {
		if d := difftest.Diff(want[i], runAll(t, opts, all, main, second)); d != "" {
			t.Errorf("%+v: split over goroutines, the run differs:\n%s", opts, d)
		}
	}
}
