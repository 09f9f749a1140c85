// Package accessgen makes small random httpd access configurations, for
// the differential test that holds the access model (fixes.Decide) to
// real httpd: Directory, Files and Location sections, nested, holding
// Require rules and containers, 2.2 Order/Allow/Deny/Satisfy, Basic
// authentication and AuthMerging, over a small tree every request of
// Paths maps into.
package accessgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Root is where the generated configurations' files live; a test makes
// the tree (Files) under its own directory and relocates Root there.
const Root = "/srv/accessgen"

// Files are the tree's files, relative to Root: each request of Paths
// reaches one of them.
var Files = []string{"www/index.html", "www/f.txt", "www/d/f.txt", "www/d/g.html", "a/f.txt", "a/x/f.txt", "htpasswd"}

// Paths are the URL paths each configuration is asked about.
var Paths = []string{"/index.html", "/f.txt", "/d/f.txt", "/d/g.html", "/a/f.txt", "/a/x/f.txt", "/ax"}

// Clients are the client addresses asked from (loopback only).
var Clients = []string{"127.0.0.1", "127.0.0.2"}

// VHost returns the body of one random <VirtualHost> (without the tags):
// DocumentRoot and an Alias into the tree, then two to five sections.
func VHost(r *rand.Rand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DocumentRoot %s/www\nAlias /a %s/a\n", Root, Root)
	for range 2 + r.IntN(4) {
		section(&b, r)
	}
	return b.String()
}

var dirs = []string{"/", Root, Root + "/www", Root + "/www/d", Root + "/a", Root + "/*/d"}
var files = []string{"f.txt", "*.txt", "g.html"}
var locs = []string{"/", "/d", "/a", "/a/x", "/d/f.txt"}

func section(b *strings.Builder, r *rand.Rand) {
	switch r.IntN(4) {
	case 0, 1:
		fmt.Fprintf(b, "<Directory %s>\n", pick(r, dirs))
		body(b, r)
		if r.IntN(3) == 0 {
			fmt.Fprintf(b, "<Files %q>\n", pick(r, files))
			body(b, r)
			b.WriteString("</Files>\n")
		}
		b.WriteString("</Directory>\n")
	case 2:
		fmt.Fprintf(b, "<Files %q>\n", pick(r, files))
		body(b, r)
		b.WriteString("</Files>\n")
	default:
		if r.IntN(4) == 0 {
			b.WriteString("<LocationMatch \"^/d/.*\\.txt$\">\n")
			body(b, r)
			b.WriteString("</LocationMatch>\n")
			return
		}
		fmt.Fprintf(b, "<Location %s>\n", pick(r, locs))
		body(b, r)
		b.WriteString("</Location>\n")
	}
}

// body writes one to three kinds of access lines: 2.4 rules, 2.2 host
// rules, authentication.
func body(b *strings.Builder, r *rand.Rand) {
	kinds := 1 + r.IntN(3)
	auth := false
	for range kinds {
		switch r.IntN(5) {
		case 0, 1:
			require(b, r)
		case 2:
			compat(b, r)
		case 3:
			auth = true
		case 4:
			fmt.Fprintf(b, "AuthMerging %s\n", pick(r, []string{"And", "Or", "Off"}))
			require(b, r)
		}
	}
	if auth {
		fmt.Fprintf(b, "AuthType Basic\nAuthName \"gen\"\nAuthUserFile %s/htpasswd\n", Root)
		if r.IntN(2) == 0 {
			b.WriteString("Require valid-user\n")
		}
	}
}

var simple = []string{"all granted", "all denied", "valid-user", "ip 127.0.0.2", "local", "ip 127.0.0.0/8"}

func require(b *strings.Builder, r *rand.Rand) {
	switch r.IntN(4) {
	case 0:
		fmt.Fprintf(b, "<RequireAll>\nRequire %s\nRequire not ip 127.0.0.2\n</RequireAll>\n", pick(r, []string{"all granted", "valid-user", "local"}))
	case 1:
		fmt.Fprintf(b, "<RequireAny>\nRequire %s\nRequire %s\n</RequireAny>\n", pick(r, simple), pick(r, simple))
	default:
		fmt.Fprintf(b, "Require %s\n", pick(r, simple))
	}
}

func compat(b *strings.Builder, r *rand.Rand) {
	if r.IntN(3) > 0 {
		fmt.Fprintf(b, "Order %s\n", pick(r, []string{"allow,deny", "deny,allow"}))
	}
	for range r.IntN(3) {
		fmt.Fprintf(b, "%s from %s\n", pick(r, []string{"Allow", "Deny"}), pick(r, []string{"all", "127.0.0.2", "127.0.0.1", "127.0"}))
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(b, "Satisfy %s\n", pick(r, []string{"Any", "All"}))
	}
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }
