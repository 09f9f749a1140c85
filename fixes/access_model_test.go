package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

// TestDecide holds the model to httpd 2.4's decisions on small configs,
// each a fact checked against real httpd (FACTS.md "httpd access
// control"; the differential in rewrite/prove_test.go asks httpd itself).
func TestDecide(t *testing.T) {
	const ipa = `Alias /ipa/ui "/usr/share/ipa/ui"
<Location "/ipa">
    AuthType Basic
    AuthName "IPA"
    AuthUserFile /etc/ipa/htpasswd
    Require valid-user
</Location>
`
	cases := []struct {
		name, conf, path, client, user string
		https                          bool
		want                           Verdict
	}{
		{name: "nothing configured", conf: "", path: "/", want: Granted},
		{name: "server denies /", conf: "<Directory />\nRequire all denied\n</Directory>\n", path: "/x", want: Forbidden},
		{name: "docroot granted below /", conf: "<Directory />\nRequire all denied\n</Directory>\n<Directory /var/www/>\nRequire all granted\n</Directory>\n", path: "/x", want: Granted},
		{name: "2.2 grant under 2.4 denial", conf: "<Directory />\nRequire all denied\n</Directory>\n<Directory /var/www/html>\nOrder allow,deny\nAllow from all\n</Directory>\n", path: "/x", want: Forbidden},
		{name: "satisfy any lets anonymous in", conf: ipa + "<Directory /usr/share/ipa/ui>\nSatisfy Any\nOrder Deny,Allow\nAllow from all\n</Directory>\n", path: "/ipa/ui/index.html", want: Granted},
		{name: "directory Require replaced by location's", conf: ipa + "<Directory /usr/share/ipa/ui>\nRequire all granted\n</Directory>\n", path: "/ipa/ui/index.html", want: Unauthorized},
		{name: "the login", conf: ipa, path: "/ipa/x", user: ProbeUser, want: Granted},
		{name: "the login switched off", conf: ipa + "<Location /ipa/login>\nSatisfy Any\nOrder Deny,Allow\nAllow from all\n</Location>\n", path: "/ipa/login", want: Granted},
		{name: "location at a segment boundary", conf: ipa, path: "/ipax", want: Granted},
		{name: "files by base name only", conf: "<Directory />\nRequire all denied\n</Directory>\nWSGIScriptAlias / /srv/app/wsgi.py\n<Files /srv/app/wsgi.py>\nRequire all granted\n</Files>\n", path: "/x", want: Forbidden},
		{name: "files by base name", conf: "<Directory />\nRequire all denied\n</Directory>\nWSGIScriptAlias / /srv/app/wsgi.py\n<Files wsgi.py>\nRequire all granted\n</Files>\n", path: "/x", want: Granted},
		{name: "directory of a file never matches", conf: "<Directory />\nRequire all denied\n</Directory>\nWSGIScriptAlias / /srv/app/wsgi.py\n<Directory /srv/app/wsgi.py>\nRequire all granted\n</Directory>\n", path: "/x", want: Forbidden},
		{name: "glob directory", conf: "<Directory />\nRequire all denied\n</Directory>\nAlias /s/ /srv/apps/one/static/\n<Directory /srv/apps/*/static>\nRequire all granted\n</Directory>\n", path: "/s/x.css", want: Granted},
		{name: "ssl required over http", conf: "<Location /admin>\nSSLRequireSSL\n</Location>\n", path: "/admin", want: Forbidden},
		{name: "ssl required over https", conf: "<Location /admin>\nSSLRequireSSL\n</Location>\n", path: "/admin", https: true, want: Granted},
		{name: "require ip other client", conf: "<Location />\nRequire ip 127.0.0.2\n</Location>\n", path: "/", want: Forbidden},
		{name: "require ip its client", conf: "<Location />\nRequire ip 127.0.0.2\n</Location>\n", path: "/", client: "127.0.0.2", want: Granted},
		{name: "partial ip", conf: "<Location />\nOrder deny,allow\nDeny from all\nAllow from 127.0\n</Location>\n", path: "/", want: Granted},
		{name: "authmerging and", conf: ipa + "<Location /ipa/x>\nAuthMerging And\nRequire ip 127.0.0.2\n</Location>\n", path: "/ipa/x", user: ProbeUser, want: Forbidden}, // the no-user pass already denies
		{name: "valid-user without AuthType", conf: "<Location />\nRequire valid-user\n</Location>\n", path: "/", want: ServerError},
		{name: "AuthType without Require", conf: "<Location />\nAuthType Basic\nAuthName x\nAuthUserFile /x\n</Location>\n", path: "/", want: ServerError},
		{name: "require not inside all", conf: "<Location />\n<RequireAll>\nRequire all granted\nRequire not ip 127.0.0.1\n</RequireAll>\n</Location>\n", path: "/", want: Forbidden},
		{name: "host rule", conf: "<Location />\nRequire host example.org\n</Location>\n", path: "/", want: Unknown},
		{name: "rewrite rules", conf: "RewriteEngine on\nRewriteRule ^/a /b\n", path: "/", want: Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ast.Parse("t.conf", []byte(c.conf))
			if err != nil {
				t.Fatal(err)
			}
			client := c.client
			if client == "" {
				client = ProbeClient
			}
			files := []*ast.File{f}
			r := Request{Path: c.path, Client: client, User: c.user, HTTPS: c.https}
			if !ownsServerLevel(files) {
				r.Context = 0 // httpd's default around it
			}
			if got := Decide(files, r); got != c.want {
				t.Errorf("Decide(%s) = %v, want %v", r, got, c.want)
			}
		})
	}
}

// TestRegexSample checks the probe URLs made from regexes match them.
func TestRegexSample(t *testing.T) {
	for _, expr := range []string{`^(/[\w_]*/static/.*)`, `^/([^/]+)/static/(?:_[\d]+.[\d]+.[\d]+/)?(.*)`, `^/app(/.*)?$`, `admin`} {
		s := regexSample(expr)
		re, err := compileRegex(expr)
		if err != nil || s == "" || !re.MatchString(s) {
			t.Errorf("regexSample(%q) = %q, which it does not match", expr, s)
		}
	}
}
