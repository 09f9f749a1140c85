package fixes

import (
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
			for _, loc := range locationsIn(site) {
				if notOnFilesystem(loc) || !locationGrant(loc).grants {
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
