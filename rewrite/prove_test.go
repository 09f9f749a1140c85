package rewrite

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wsgifix/wsgifix/fixes"
)

// requireApache2 skips a test that needs real httpd + mod_wsgi where they
// are not installed, except under CI=true, where that is a failure.
func requireApache2(t *testing.T) {
	t.Helper()
	if _, err := FindHTTPD(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("-short: starts httpd")
	}
}

// prove serves before and after (one file each) and returns the rows.
func prove(t *testing.T, before, after string, findings ...fixes.Finding) []ProveRow {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := Prove(ctx, []ProveFile{{Name: "site.conf", Before: []byte(before), After: []byte(after)}}, findings)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no requests")
	}
	for _, r := range rows {
		if r.Before == 0 || r.After == 0 {
			t.Errorf("%s (%s): no answer: before %d, after %d", r.Request, r.Context, r.Before, r.After)
		}
		if r.ModelDisagrees() { // the model's business, not the prover's
			t.Logf("model: %s (%s): httpd %d, model %v", r.Request, r.Context, r.Before, r.Model)
		}
	}
	return rows
}

// row is the answer for path from client, anonymous or as ProbeUser,
// under the server context whose name has ctx in it ("" any).
func row(t *testing.T, rows []ProveRow, ctx, path, client string, user bool) ProveRow {
	t.Helper()
	for _, r := range rows {
		if r.Request.Path == path && r.Request.Client == client && (r.Request.User != "") == user && strings.Contains(r.Context, ctx) {
			return r
		}
	}
	var have []string
	for _, r := range rows {
		have = append(have, r.Request.String()+" "+r.Context)
	}
	t.Fatalf("no request for %s from %s (user %v, context %q) among:\n%s", path, client, user, ctx, strings.Join(have, "\n"))
	return ProveRow{}
}

func wantStatus(t *testing.T, r ProveRow, before, after int) {
	t.Helper()
	if r.Before != before || r.After != after {
		t.Errorf("%s (%s): %d before, %d after; want %d, %d", r.Request, r.Context, r.Before, r.After, before, after)
	}
}

const staticSite = `<VirtualHost *:80>
    ServerName www.example.com
    Alias /static/ /srv/app/static/
    WSGIScriptAlias /app /srv/app/wsgi.py
    <Directory /srv/app/static>
        Require all granted
    </Directory>
    <Directory /srv/app>
        <Files wsgi.py>
            Require all granted
        </Files>
    </Directory>
</VirtualHost>
`

func TestProveSameText(t *testing.T) {
	requireApache2(t)
	rows := prove(t, staticSite, staticSite)
	for _, r := range rows {
		if r.Before != r.After || r.Changed() {
			t.Errorf("%s (%s): %d before, %d after the same text", r.Request, r.Context, r.Before, r.After)
		}
	}
	// The static file and the WSGI script are served.
	for _, ctx := range []string{"default", "Debian"} {
		wantStatus(t, row(t, rows, ctx, "/static/x", "127.0.0.1", false), 200, 200)
		wantStatus(t, row(t, rows, ctx, "/app", "127.0.0.1", false), 200, 200)
		wantStatus(t, row(t, rows, ctx, "/app/x", "127.0.0.1", false), 200, 200)
	}
}

func TestProveDenied(t *testing.T) {
	requireApache2(t)
	after := strings.Replace(staticSite, "<Directory /srv/app/static>\n        Require all granted", "<Directory /srv/app/static>\n        Require all denied", 1)
	rows := prove(t, staticSite, after)
	r := row(t, rows, "Debian", "/static/x", "127.0.0.1", false)
	wantStatus(t, r, 200, 403)
	if !r.Changed() || r.Declared {
		t.Errorf("%s: changed %v, declared %v; want changed, undeclared", r.Request, r.Changed(), r.Declared)
	}
	// A finding that names the URL declares the change.
	rows = prove(t, staticSite, after, fixes.Finding{Message: `access changes for "/static/x": denied on purpose`})
	if r := row(t, rows, "Debian", "/static/x", "127.0.0.1", false); !r.Declared {
		t.Errorf("%s: not declared by the finding", r.Request)
	}
}

func TestProveBasicAuth(t *testing.T) {
	requireApache2(t)
	site := `<VirtualHost *:80>
    ServerName www.example.com
    Alias /private/ /srv/private/
    <Directory /srv/private>
        AuthType Basic
        AuthName "private"
        AuthUserFile /etc/apache2/private.htpasswd
        Require valid-user
    </Directory>
</VirtualHost>
`
	rows := prove(t, site, site)
	for _, ctx := range []string{"default", "Debian"} {
		wantStatus(t, row(t, rows, ctx, "/private/x", "127.0.0.1", false), 401, 401)
		wantStatus(t, row(t, rows, ctx, "/private/x", "127.0.0.1", true), 200, 200)
	}
}

func TestProveClientAddress(t *testing.T) {
	requireApache2(t)
	site := `<VirtualHost *:80>
    ServerName www.example.com
    Alias /local/ /srv/local/
    <Directory /srv/local>
        Require ip 127.0.0.2
    </Directory>
</VirtualHost>
`
	rows := prove(t, site, site)
	wantStatus(t, row(t, rows, "Debian", "/local/x", "127.0.0.1", false), 403, 403)
	wantStatus(t, row(t, rows, "Debian", "/local/x", "127.0.0.2", false), 200, 200)
}

func TestProveTLS(t *testing.T) {
	requireApache2(t)
	site := `<VirtualHost *:443>
    ServerName secure.example.com
    SSLEngine on
    SSLCertificateFile /etc/ssl/certs/secure.example.com.pem
    SSLCertificateKeyFile /etc/ssl/private/secure.example.com.key
    Alias /static/ /srv/app/static/
    <Directory /srv/app/static>
        Require all granted
    </Directory>
    <Location /admin>
        SSLRequireSSL
        Require all denied
    </Location>
</VirtualHost>
`
	rows := prove(t, site, site)
	r := row(t, rows, "Debian", "/static/x", "127.0.0.1", false)
	if !r.Request.HTTPS {
		t.Errorf("%s: not over TLS", r.Request)
	}
	wantStatus(t, r, 200, 200)
	wantStatus(t, row(t, rows, "Debian", "/admin", "127.0.0.1", false), 403, 403)
}

func TestProveNoHTTPD(t *testing.T) {
	if !strings.Contains(ErrNoHTTPD.Error(), "apt-get install apache2 libapache2-mod-wsgi-py3") {
		t.Errorf("ErrNoHTTPD = %q: it must say how to install httpd", ErrNoHTTPD)
	}
	if !errors.Is(ErrNoHTTPD, ErrNoHTTPD) {
		t.Fatal("unreachable")
	}
}

// TestProveRefused: a side httpd refuses is a ConfigtestError that names
// the user's file and line, not the scratch tree's.
func TestProveRefused(t *testing.T) {
	requireApache2(t)
	before := "<VirtualHost *:80>\n    ServerName www.example.com\n    WSGIDaemonProcess app \\\n        processes=1 \\\n        threads=2\n    <Location /x>\n    </Location>>\n</VirtualHost>\n"
	_, err := Prove(context.Background(), []ProveFile{{Name: "sites/site.conf", Before: []byte(before), After: []byte(before)}}, nil)
	var ce *ConfigtestError
	if !errors.As(err, &ce) || ce.Side != "before" {
		t.Fatalf("err = %v, want a ConfigtestError for the before text", err)
	}
	if !strings.Contains(ce.Output, "line 7 of sites/site.conf: Expected </Location> but saw </Location>>") || strings.Contains(ce.Output, "wsgifix-prove-") {
		t.Errorf("apache2 -t output does not name the file and line as the user has them:\n%s", ce.Output)
	}
}

// TestProveUnreachableTemp: as root, a TMPDIR that www-data cannot reach
// would answer 403 everywhere, before and after alike; the scratch tree
// goes elsewhere.
func TestProveUnreachableTemp(t *testing.T) {
	requireApache2(t)
	if os.Geteuid() != 0 {
		t.Skip("httpd's children run as the prover's user")
	}
	private := t.TempDir()
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", private)
	rows := prove(t, staticSite, staticSite)
	wantStatus(t, row(t, rows, "default", "/static/x", "127.0.0.1", false), 200, 200)
}

// TestProveScriptTarget: the rewrite names the WSGI script where the
// original named its directory; the scratch tree holds the files both
// reach.
func TestProveScriptTarget(t *testing.T) {
	requireApache2(t)
	before := "<VirtualHost *:80>\n    ServerName www.example.com\n    WSGIScriptAlias / /srv/app/\n</VirtualHost>\n"
	after := "<VirtualHost *:80>\n    ServerName www.example.com\n    WSGIScriptAlias / /srv/app/wsgihandler.py\n</VirtualHost>\n"
	rows := prove(t, before, after)
	wantStatus(t, row(t, rows, "default", "/x", "127.0.0.1", false), 200, 200)
	// The directory itself gets an index in the scratch tree (without
	// one mod_wsgi refuses it, "Attempt to invoke directory as WSGI
	// application", a 403 that is no access decision).
	wantStatus(t, row(t, rows, "default", "/", "127.0.0.1", false), 200, 200)
}

func TestJoinContinuations(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a\nb\n", "a\nb\n"},
		{"a \\\n  b\nc\n", "a   b\n\nc\n"},
		{"a \\\r\n b \\\r\n c\r\nd", "a  b  c\r\n\n\nd"},
		{"a \\\nb", "a b\n\n"},
		{"a \\ \nb\n", "a \\ \nb\n"}, // blanks after the backslash: no continuation
		{"a \\", "a \\"},
	} {
		if got := joinContinuations(tc.in); got != tc.want {
			t.Errorf("joinContinuations(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Count(joinContinuations(tc.in), "\n") < strings.Count(tc.in, "\n") {
			t.Errorf("joinContinuations(%q) loses lines", tc.in)
		}
	}
}
