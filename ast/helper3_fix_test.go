package ast

import (
	"strings"
	"testing"
)

// Indenting a directive (placing a new one, moving one) shifts its text;
// its name and argument offsets must shift too, or Args and SetArg read and
// write the wrong bytes.

func TestPlacedDirectiveArgsFollowIndent(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\n")
	d := NewDirective("AliasMatch", "^/x", "/srv/x")
	InsertAfter(first(f, "ServerName"), d)
	if got := strings.Join(d.Values(), "|"); got != "^/x|/srv/x" {
		t.Fatalf("args after insert = %q, want %q", got, "^/x|/srv/x")
	}
	d.SetArg(1, "/srv/y")
	expect(t, f, "<VirtualHost *:80>\n    ServerName a\n    AliasMatch ^/x /srv/y\n</VirtualHost>\n")
}

func TestPlacedSectionTagArgsFollowIndent(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n\tServerName a\n</VirtualHost>\n")
	s := NewSection("Directory", []string{"/srv/x"}, NewDirective("Require", "all", "granted"))
	InsertAfter(first(f, "ServerName"), s)
	if got := strings.Join(s.Open.Values(), "|"); got != "/srv/x" {
		t.Fatalf("open tag args = %q, want %q", got, "/srv/x")
	}
	if got := strings.Join(s.Body[0].(*Directive).Values(), "|"); got != "all|granted" {
		t.Fatalf("body args = %q, want %q", got, "all|granted")
	}
}

func TestMovedDirectiveArgsFollowIndent(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n<Location />\n        WSGIProcessGroup web2py\n</Location>\n</VirtualHost>\n")
	loc := firstSection(f, "Location")
	d := first(f, "WSGIProcessGroup")
	loc.Dissolve()
	if got := strings.Join(d.Values(), "|"); got != "web2py" {
		t.Fatalf("args after dissolve = %q, want %q", got, "web2py")
	}
	d.SetArg(0, "other")
	expect(t, f, "<VirtualHost *:80>\nWSGIProcessGroup other\n</VirtualHost>\n")
}

func TestMovedDirectiveKeepsParsedArgs(t *testing.T) {
	f := mustParse(t, "<VirtualHost *:80>\n\tServerName a\n\t<Location />\n\t\t\tAllow from 10.1\n\t</Location>\n</VirtualHost>\n")
	d := first(f, "Allow")
	if got := strings.Join(d.Values(), "|"); got != "from|10.1" { // parsed before the move
		t.Fatalf("args = %q", got)
	}
	MoveBefore(d, first(f, "ServerName"))
	d.SetArg(1, "10.2")
	expect(t, f, "<VirtualHost *:80>\n\tAllow from 10.2\n\tServerName a\n\t<Location />\n\t</Location>\n</VirtualHost>\n")
}
