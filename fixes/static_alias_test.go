package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

// After static-alias and location-access, every site with web2py's static
// AliasMatch has exactly one <Directory "ROOT/applications/*/static">:
// static-alias adds it only when no Location grant will be moved there.
func TestStaticGrantExactlyOnce(t *testing.T) {
	for _, in := range loadGoldenInputs(t, "static-alias", "location-access") {
		Run(in.files, in.opts, []*Pass{StaticAlias, LocationAccess})
		for _, site := range accessSites(in.files) {
			for _, d := range DirectivesIn(site, "AliasMatch") {
				root := staticAliasRoot(d)
				if root == "" {
					continue
				}
				if n := countDirectories(in.files, site, staticDir(root)); n != 1 {
					t.Errorf("%s: %s: %d <Directory %q> blocks, want 1", in.name, tagOrRoot(site), n, staticDir(root))
				}
			}
		}
	}
}

// countDirectories counts <Directory dir> at site's level and at server level.
func countDirectories(files []*ast.File, site *ast.Section, dir string) int {
	scopes := []*ast.Section{site}
	for _, f := range files {
		if f.Root != site {
			scopes = append(scopes, f.Root)
		}
	}
	n := 0
	for _, sc := range scopes {
		for _, s := range SectionsIn(sc, "Directory") {
			if v := s.Open.Values(); len(v) == 1 && CleanDir(v[0]) == dir {
				n++
			}
		}
	}
	return n
}

func tagOrRoot(s *ast.Section) string {
	if s.IsRoot() {
		return "server level"
	}
	return tagText(s)
}

// No Alias that covers a whole WSGI mount survives static-alias unless it
// was reported.
func TestNoShadowingAliasLeft(t *testing.T) {
	for _, in := range loadGoldenInputs(t, "static-alias", "location-access") {
		findings := Run(in.files, in.opts, []*Pass{StaticAlias})
		for _, site := range accessSites(in.files) {
			for _, a := range DirectivesIn(site, "Alias") {
				for _, m := range siteMounts(site) {
					if m.space.within(prefixSpace(a.Arg(0))) && !reportedAt(findings, a) {
						t.Errorf("%s: %q still shadows %q, unreported", in.name, directiveText(a), m.url)
					}
				}
			}
		}
	}
}

// reportedAt reports whether an unfixed finding points at n.
func reportedAt(findings []Finding, n ast.Node) bool {
	for _, f := range findings {
		if !f.Fixed && f.Pos == n.Pos() && f.File == FileOf(n).Name {
			return true
		}
	}
	return false
}
