package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestHarnessCatches proves that each served check can fail: it serves
// broken variants of the hand-written expected example (which passes every
// check as it is) and requires the check to report the breakage.
func TestHarnessCatches(t *testing.T) {
	bin := requireHTTPD(t)
	base, err := loadCase(filepath.Join(casesDir, "book-expected-example"))
	if err != nil {
		t.Fatal(err)
	}
	const conf = "book-http-https.expected-example.conf"
	dropLines := func(substr string) func(string) string {
		return func(s string) string {
			var keep []string
			for _, l := range strings.SplitAfter(s, "\n") {
				if !strings.Contains(l, substr) {
					keep = append(keep, l)
				}
			}
			return strings.Join(keep, "")
		}
	}
	variants := []struct {
		name, check string
		want        string // in the first problem the check reports
		edit        func(string) string
		ports       [2]int // the case's ports, when not 80/443
		freePorts   bool   // serve 80/443 on other ports (as when they are busy)
		hostHTTPS   string // when the edit renames the HTTPS vhost
	}{
		{name: "static-urls-reach-the-app", check: checkStatic, want: "with the file's bytes", edit: dropLines("AliasMatch")},
		{name: "embedded-mode", check: checkOneDaemon, want: `process group ""`, edit: dropLines("WSGIProcessGroup")},
		{name: "ports-8080-8443", check: checkSharedInterp, want: "different sub-interpreters", ports: [2]int{8080, 8443},
			edit: strings.NewReplacer("*:80>", "*:8080>", "*:443>", "*:8443>").Replace},
		// The default-port rule must not hide a real difference: two
		// names on one global daemon group, served off 80/443.
		{name: "two-hosts-off-80-443", check: checkSharedInterp, want: "different sub-interpreters", freePorts: true, hostHTTPS: "secure.example.com",
			edit: func(s string) string {
				daemon := "WSGIDaemonProcess web2py user=www-data group=www-data \\\nhome=/home/web2py/ \\\nprocesses=10 maximum-requests=500\n"
				if !strings.Contains(s, daemon) {
					panic("the expected example changed: update this variant")
				}
				s = daemon + strings.Replace(s, daemon, "", 1)
				i := strings.Index(s, "<VirtualHost *:443>")
				return s[:i] + strings.Replace(s[i:], "ServerName www.example.com", "ServerName secure.example.com", 1)
			}},
		{name: "admin-over-http", check: checkSSLRequired, want: "want 403 over plain HTTP", edit: dropLines("SSLRequireSSL")},
		{name: "root-granted-and-aliased", check: checkNoLeak, want: "served the file", edit: strings.NewReplacer(
			"Require all denied", "Require all granted",
			"WSGIScriptAlias /", "Alias /welcome/ /home/web2py/applications/welcome/\nWSGIScriptAlias /").Replace},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			c := *base
			c.name = base.name + "-" + v.name
			c.files = map[string][]byte{conf: []byte(v.edit(string(base.files[conf])))}
			if v.ports != [2]int{} {
				c.spec.HTTPPort, c.spec.HTTPSPort = v.ports[0], v.ports[1]
			}
			if v.hostHTTPS != "" {
				c.spec.HostHTTPS = v.hostHTTPS
			}
			sb := newSandbox(t, bin, &c)
			sb.freePortsOnly = v.freePorts
			s, err := sb.serve(t, "variant", sb.caseDir(), false)
			if err != nil {
				t.Fatal(err)
			}
			defer s.stop()
			found := servedCheck(t, v.check)(s)
			if len(found) == 0 {
				t.Fatalf("the %s check passes on a site broken by %s", v.check, v.name)
			}
			if !strings.Contains(found[0], v.want) {
				t.Fatalf("the %s check failed for another reason than %q: %s", v.check, v.want, found[0])
			}
			t.Logf("%s caught it: %s", v.check, found[0])
		})
	}
}

func servedCheck(t *testing.T, name string) func(*served) problems {
	for _, ch := range servedChecks {
		if ch.name == name {
			return ch.run
		}
	}
	t.Fatalf("no served check %q", name)
	return nil
}

// TestDefaultPortRule serves the expected example without ServerNames off
// 80/443: the raw sub-interpreter names then carry the listening ports
// (the vhosts' addresses), and checkSharedInterpreter must still see the
// one interpreter they share on 80/443.
func TestDefaultPortRule(t *testing.T) {
	bin := requireHTTPD(t)
	c, err := loadCase(filepath.Join(casesDir, "book-expected-example"))
	if err != nil {
		t.Fatal(err)
	}
	const conf = "book-http-https.expected-example.conf"
	c.files[conf] = []byte(strings.ReplaceAll(string(c.files[conf]), "ServerName www.example.com\n", ""))
	c.spec.HostHTTP, c.spec.HostHTTPS = "", ""
	sb := newSandbox(t, bin, c)
	sb.freePortsOnly = true
	s, err := sb.serve(t, "no-servername", sb.caseDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	if found := s.checkSharedInterpreter(); len(found) > 0 {
		t.Fatalf("one interpreter on 80/443 not recognised off 80/443: %s", found[0])
	}
	for _, e := range s.endpoints {
		if want := fmt.Sprintf("localhost:%d|", e.port); !strings.Contains(strings.Join(s.notes, "\n"), want) {
			t.Errorf("want the raw name %q in what the check saw (else this test proves nothing):\n%s", want, strings.Join(s.notes, "\n"))
		}
	}
}
