package e2e

import (
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
		edit        func(string) string
		ports       [2]int // the case's ports, when not 80/443
	}{
		{"static-urls-reach-the-app", checkStatic, dropLines("AliasMatch"), [2]int{}},
		{"embedded-mode", checkOneDaemon, dropLines("WSGIProcessGroup"), [2]int{}},
		{"ports-8080-8443", checkSharedInterp, strings.NewReplacer("*:80>", "*:8080>", "*:443>", "*:8443>").Replace, [2]int{8080, 8443}},
		{"admin-over-http", checkSSLRequired, dropLines("SSLRequireSSL"), [2]int{}},
		{"root-granted-and-aliased", checkNoLeak, strings.NewReplacer(
			"Require all denied", "Require all granted",
			"WSGIScriptAlias /", "Alias /welcome/ /home/web2py/applications/welcome/\nWSGIScriptAlias /").Replace, [2]int{}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			c := *base
			c.name = base.name + "-" + v.name
			c.files = map[string][]byte{conf: []byte(v.edit(string(base.files[conf])))}
			if v.ports != [2]int{} {
				c.spec.HTTPPort, c.spec.HTTPSPort = v.ports[0], v.ports[1]
			}
			sb := newSandbox(t, bin, &c)
			s, err := sb.serve(t, "variant", sb.caseDir(), false)
			if err != nil {
				t.Fatal(err)
			}
			defer s.stop()
			found := servedCheck(t, v.check)(s)
			if len(found) == 0 {
				t.Fatalf("the %s check passes on a site broken by %s", v.check, v.name)
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
