package fixes

import (
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

// After location-access, a Location of a site with a WSGI mount grants
// nobody by URL unless it serves content that is not on the filesystem or
// was reported as left alone.
func TestNoLocationGrantLeftUnreported(t *testing.T) {
	for _, in := range loadGoldenInputs(t, "static-alias", "location-access") {
		findings := Run(in.files, in.opts, []*Pass{StaticAlias, LocationAccess})
		for _, site := range accessSites(in.files) {
			if len(siteMounts(site)) == 0 {
				continue
			}
			for _, n := range levelNodes(site) {
				loc := asLocation(n)
				if loc == nil || notOnFilesystem(loc) || !locationGrant(loc).grants {
					continue
				}
				if !reportedAt(findings, loc) && !proxiedLocation(site, loc) {
					t.Errorf("%s: %s still grants by URL, unreported", in.name, tagText(loc))
				}
			}
		}
	}
}

// proxiedLocation reports whether a ProxyPass of site covers loc's URLs.
func proxiedLocation(site, loc *ast.Section) bool {
	space, ok := locationSpace(loc)
	for _, m := range siteMappings(site) {
		if ok && m.known && m.d.IsAny("ProxyPass", "ProxyPassMatch") && space.within(m.space) {
			return true
		}
	}
	return false
}

// static-alias plans a site's Location grants to tell whether one will
// move onto the static directory, and location-access carries out those
// plans when it runs right after. A pass run between the two may change
// what the plans were made from, so location-access must plan again:
// here the pass between adds an Alias that the Location's URLs reach,
// which leaves the grant where it is.
func TestLocationAccessPlansAgainAfterAnotherPass(t *testing.T) {
	const src = `<VirtualHost *:80>
    Alias / /srv/w/applications/
    WSGIScriptAlias / /srv/w/wsgihandler.py
    <Location "/admin">
        Require all granted
    </Location>
</VirtualHost>
`
	addAlias := &Pass{Name: "add-alias", Run: func(c *Context) {
		for _, vh := range VirtualHosts(c.Files) {
			vh.Insert(0, ast.NewDirective("Alias", "/admin", "/srv/other/"))
		}
	}}
	cases := []struct {
		passes []*Pass
		moved  bool
	}{
		{[]*Pass{StaticAlias, LocationAccess}, true},
		{[]*Pass{StaticAlias, addAlias, LocationAccess}, false},
	}
	for _, tc := range cases {
		out := runAll(t, DefaultOptions(), tc.passes, src)
		moved := strings.Contains(out, `<Files "wsgihandler.py">`)
		left := strings.Contains(out, `left alone, its URLs also reach "Alias /admin /srv/other/"`)
		if moved != tc.moved || left == tc.moved {
			t.Errorf("passes %v: moved %v, reported as left %v; want moved %v\n%s", passNames(tc.passes), moved, left, tc.moved, out)
		}
	}
}

func passNames(passes []*Pass) []string {
	var names []string
	for _, p := range passes {
		names = append(names, p.Name)
	}
	return names
}
