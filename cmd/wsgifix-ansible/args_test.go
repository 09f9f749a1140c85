package main

import (
	"fmt"
	"testing"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

// show renders the parsed arguments one per line, so a failure is a diff.
func show(a moduleArgs) string {
	return fmt.Sprintf("paths=%q include=%v server_root=%q\nbackup=%v verify=%v apachectl=%q\nfix=%+v\nonly=%q skip=%q enable=%q\ncheck=%v diff=%v\n",
		a.Paths, a.Include, a.ServerRoot, a.Backup, a.Verify, a.Apachectl, a.Fix, a.Only, a.Skip, a.Enable, a.CheckMode, a.Diff)
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name string
		json string
		want func(*moduleArgs)
	}{
		{"defaults", `{"path": "/etc/apache2/sites-enabled"}`, func(a *moduleArgs) {
			a.Paths = []string{"/etc/apache2/sites-enabled"}
		}},
		{"paths list", `{"paths": ["/a.conf", " /b "]}`, func(a *moduleArgs) {
			a.Paths = []string{"/a.conf", "/b"}
		}},
		{"paths comma string", `{"paths": "/a.conf,/b,"}`, func(a *moduleArgs) {
			a.Paths = []string{"/a.conf", "/b"}
		}},
		{"every argument", `{"path": "/x", "backup": false, "verify": true, "apachectl": "apache2ctl -t",
			"daemon_scope": "global", "daemon_conflict": "rename", "server_name": "example.org",
			"wsgi_script": "app.wsgi", "apache": "2.2", "only": ["section-tags", "typeset-chars"],
			"skip": "typeset-chars", "enable": "application-group"}`, func(a *moduleArgs) {
			a.Paths = []string{"/x"}
			a.Backup, a.Verify, a.Apachectl = false, true, "apache2ctl -t"
			a.Fix.DaemonScope, a.Fix.DaemonConflict, a.Fix.ServerName = "global", "rename", "example.org"
			a.Fix.WSGIScript, a.Fix.Apache = "app.wsgi", "2.2"
			a.Only = []string{"section-tags", "typeset-chars"}
			a.Skip = []string{"typeset-chars"}
			a.Enable = []string{"application-group"}
		}},
		{"following includes", `{"path": "/etc/apache2/apache2.conf", "include": "yes", "server_root": "/etc/apache2"}`, func(a *moduleArgs) {
			a.Paths = []string{"/etc/apache2/apache2.conf"}
			a.Include, a.ServerRoot = true, "/etc/apache2"
		}},
		{"ansible-style booleans", `{"path": "/x", "backup": "no", "verify": "Yes"}`, func(a *moduleArgs) {
			a.Paths = []string{"/x"}
			a.Backup, a.Verify = false, true
		}},
		{"numeric booleans", `{"path": "/x", "backup": 0, "verify": 1}`, func(a *moduleArgs) {
			a.Paths = []string{"/x"}
			a.Backup, a.Verify = false, true
		}},
		{"apache as a YAML number", `{"path": "/x", "apache": 2.2}`, func(a *moduleArgs) {
			a.Paths = []string{"/x"}
			a.Fix.Apache = "2.2"
		}},
		{"null keeps the default", `{"path": "/x", "server_name": null, "backup": null}`, func(a *moduleArgs) {
			a.Paths = []string{"/x"}
		}},
		{"ansible internals", `{"path": "/x", "_ansible_check_mode": true, "_ansible_diff": true,
			"_ansible_verbosity": 3, "_ansible_no_log": false, "_ansible_module_name": "wsgifix",
			"_ansible_tmpdir": "/tmp/x", "_ansible_version": "2.14.18"}`, func(a *moduleArgs) {
			a.Paths = []string{"/x"}
			a.CheckMode, a.Diff = true, true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseArgs([]byte(tt.json))
			if err != nil {
				t.Fatalf("parseArgs: %v", err)
			}
			want := defaultArgs()
			tt.want(&want)
			if d := difftest.Diff(show(want), show(got)); d != "" {
				t.Errorf("parsed arguments differ:\n%s", d)
			}
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		name, json, msg string
	}{
		{"not an object", `["/x"]`, "arguments file: want a JSON object (json: cannot unmarshal array into Go value of type map[string]interface {})"},
		{"null", `null`, "arguments file: want a JSON object (got null)"},
		{"unknown", `{"path": "/x", "bakup": true}`, `unsupported argument "bakup"; supported: apache, apachectl, backup, daemon_conflict, daemon_scope, enable, include, only, path, paths, server_name, server_root, skip, verify, wsgi_script`},
		{"no path", `{"backup": true}`, `one of the arguments "path" or "paths" is required`},
		{"empty paths", `{"paths": []}`, `one of the arguments "path" or "paths" is required`},
		{"both", `{"path": "/x", "paths": ["/y"]}`, `arguments "path" and "paths" are mutually exclusive`},
		{"relative", `{"paths": ["/x", "sites-enabled"]}`, `argument "paths": want absolute paths, got "sites-enabled"`},
		{"stdin", `{"path": "-"}`, `argument "path": want absolute paths, got "-"`},
		{"relative server root", `{"path": "/x", "include": true, "server_root": "apache2"}`, `argument "server_root": want an absolute path, got "apache2"`},
		{"include mistyped", `{"path": "/x", "include": "sometimes"}`, `argument "include": want a boolean, got string "sometimes"`},
		{"path list", `{"path": ["/x"]}`, `argument "path": want a string, got a list`},
		{"bool word", `{"path": "/x", "backup": "maybe"}`, `argument "backup": want a boolean, got string "maybe"`},
		{"bool number", `{"path": "/x", "verify": 2}`, `argument "verify": want a boolean, got number 2`},
		{"string number", `{"path": "/x", "server_name": 5}`, `argument "server_name": want a string, got number 5`},
		{"string object", `{"path": "/x", "apachectl": {"cmd": "apachectl"}}`, `argument "apachectl": want a string, got an object`},
		{"list number", `{"path": "/x", "only": 5}`, `argument "only": want a list of strings or a comma-separated string, got number 5`},
		{"list item", `{"path": "/x", "skip": ["section-tags", true]}`, `argument "skip": want a list of strings or a comma-separated string, got a list holding boolean true`},
		{"daemon scope", `{"path": "/x", "daemon_scope": "sideways"}`, `argument "daemon_scope": invalid --daemon-scope "sideways": want vhost or global`},
		{"daemon conflict", `{"path": "/x", "daemon_conflict": "merge"}`, `argument "daemon_conflict": invalid --daemon-conflict "merge": want report or keep-first or rename`},
		{"apache", `{"path": "/x", "apache": 2.6}`, `argument "apache": invalid --apache "2.6": want 2.4 or 2.2`},
		{"wsgi script", `{"path": "/x", "wsgi_script": "dir/app.wsgi"}`, `argument "wsgi_script": invalid --wsgi-script "dir/app.wsgi": want a file name`},
		{"server name", `{"path": "/x", "server_name": "a b"}`, `argument "server_name": invalid --server-name "a b"`},
		{"unknown pass", `{"path": "/x", "enable": "aplication-group"}`, `argument "enable": unknown pass "aplication-group"; passes: ` + fixes.Names(fixes.All)},
		{"verify without command", `{"path": "/x", "verify": true, "apachectl": " "}`, `argument "apachectl": want a command line when "verify" is true, got " "`},
		{"check mode mistyped", `{"path": "/x", "_ansible_check_mode": "perhaps"}`, `argument "_ansible_check_mode": want a boolean, got string "perhaps"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseArgs([]byte(tt.json))
			if err == nil {
				t.Fatalf("parseArgs(%s) = nil error, want %q", tt.json, tt.msg)
			}
			if d := difftest.Diff(tt.msg+"\n", err.Error()+"\n"); d != "" {
				t.Errorf("message differs:\n%s", d)
			}
		})
	}
}
