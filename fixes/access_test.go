package fixes

import (
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

func TestHostKind(t *testing.T) {
	for spec, want := range map[string]string{
		"all":                "all",
		"ALL":                "all",
		"10.1":               "ip",
		"10.1.":              "ip",
		"192.168.2.3":        "ip",
		"10.0.0.0/8":         "ip",
		"10.0.0.0/255.0.0.0": "ip",
		"::1":                "ip",
		"2001:db8::/32":      "ip",
		"example.org":        "host",
		".example.org":       "host",
		"localhost":          "host",
		"env=BADBOT":         "env",
		"Env=!TRUSTED":       "env",
	} {
		if got := hostKind(spec); got != want {
			t.Errorf("hostKind(%q) = %q, want %q", spec, got, want)
		}
	}
}

// compatBody parses lines as the body of a <Directory> and reads its
// compat rules.
func compatBody(t *testing.T, lines ...string) compatRules {
	t.Helper()
	f, err := ast.Parse("t.conf", []byte("<Directory /x>\n"+strings.Join(lines, "\n")+"\n</Directory>\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, problem := readCompat(readAccess(f.Root.Body[0].(*ast.Section)).compat)
	if problem != "" {
		t.Fatalf("%q: %s", lines, problem)
	}
	return c
}

// The upgrading guide's table and the general rules of FACTS.md, as rules.
func TestHostRule(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string // summarizeAuthz() of the rule
	}{
		{[]string{"Order deny,allow", "Deny from all"}, "Require all denied"},
		{[]string{"Order allow,deny", "Allow from all"}, "Require all granted"},
		{[]string{"Order Deny,Allow", "Deny from all", "Allow from example.org"}, "Require host example.org"},
		{[]string{"Order allow,deny", "Allow from 10.1 192.168.2.3"}, "Require ip 10.1 192.168.2.3"},
		{[]string{"Allow from 10.1"}, "Require all granted"}, // default Deny,Allow, no Deny
		{[]string{"Order allow,deny"}, "Require all denied"},
		{[]string{"Order Mutual-failure", "Allow from all", "Deny from 10.9"},
			"<RequireAll> Require all granted; Require not ip 10.9 </RequireAll>"},
		{[]string{"Order deny,allow", "Deny from 10.0.0.0/8", "Allow from 10.1.2.3"},
			"Require ip 10.1.2.3; <RequireAll> Require all granted; Require not ip 10.0.0.0/8 </RequireAll>"},
		{[]string{"Deny from 10.9"}, "<RequireAll> Require all granted; Require not ip 10.9 </RequireAll>"},
		{[]string{"Order deny,allow", "Deny from env=!OK"}, "<RequireAll> Require all granted; Require env OK </RequireAll>"},
		{[]string{"Order allow,deny", "Allow from 10.1 a.example", "Deny from all"}, "Require all denied"},
		{[]string{"Order allow,deny", "Allow from 10.1 a.example 10.2", "Deny from b.example"},
			"<RequireAll> <RequireAny> Require ip 10.1 10.2; Require host a.example </RequireAny>; Require not host b.example </RequireAll>"},
	} {
		rule, problem := compatBody(t, tc.lines...).hostRule()
		if problem != "" {
			t.Errorf("%q: %s", tc.lines, problem)
			continue
		}
		if got := summarizeAuthz(&rule, requireAny); got != tc.want {
			t.Errorf("%q\n got %s\nwant %s", tc.lines, got, tc.want)
		}
	}
	if _, problem := compatBody(t, "Allow from env=!X").hostRule(); problem == "" {
		t.Error(`"Allow from env=!X" has no exact form but was translated`)
	}
}

func TestReadCompatProblems(t *testing.T) {
	for _, lines := range [][]string{
		{"Order deny, allow"}, // two arguments
		{"Order first"},
		{"Allow 10.1"},
		{"Deny from"},
		{"Satisfy maybe"},
	} {
		f, err := ast.Parse("t.conf", []byte("<Directory /x>\n"+strings.Join(lines, "\n")+"\n</Directory>\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, problem := readCompat(readAccess(f.Root.Body[0].(*ast.Section)).compat); problem == "" {
			t.Errorf("%q read without a problem", lines)
		}
	}
}

func TestLocationGrant(t *testing.T) {
	for _, tc := range []struct {
		body    string
		grants  bool
		moved   string // names of the lines that move, space separated
		problem bool
	}{
		{"Order allow,deny\nAllow from all", true, "Order Allow", false},
		{"Order deny,allow\nAllow from all\nWSGIProcessGroup x", true, "Order Allow", false},
		{"Allow from all\nSatisfy Any", true, "Allow Satisfy", false},
		{"Require all granted", true, "Require", false},
		{"SSLRequireSSL\nOrder allow,deny\nAllow from all", true, "Order Allow", false},
		{"Require ssl\nOrder allow,deny\nAllow from all", true, "Order Allow", false},
		{"Order deny,allow\nDeny from all\nAllow from 127.0.0.1", false, "", false},
		{"SSLRequireSSL", false, "", false},
		{"Require ssl", false, "", false},
		{"Require all granted\nRequire ssl", true, "", true},
		{"Require valid-user\nAllow from all\nSatisfy Any", true, "", true},
		{"<IfModule x>\nRequire all denied\n</IfModule>\nRequire all granted", true, "", true},
		{"Order sideways", false, "", true},
	} {
		f, err := ast.Parse("t.conf", []byte("<Location />\n"+tc.body+"\n</Location>\n"))
		if err != nil {
			t.Fatal(err)
		}
		g := locationGrant(f.Root.Body[0].(*ast.Section))
		var moved []string
		for _, d := range g.lines {
			moved = append(moved, d.Name())
		}
		if g.grants != tc.grants || strings.Join(moved, " ") != tc.moved || (g.problem != "") != tc.problem {
			t.Errorf("%q: grants=%v moved=%q problem=%q; want grants=%v moved=%q problem=%v",
				tc.body, g.grants, moved, g.problem, tc.grants, tc.moved, tc.problem)
		}
	}
}
