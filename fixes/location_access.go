package fixes

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// LocationAccess is the location-access pass.
var LocationAccess = &Pass{
	Name:    "location-access",
	Title:   "move access grants from <Location> to the <Directory> and <Files> they serve",
	Doc:     locationAccessDoc,
	Default: true,
	Run:     runLocationAccess,
}

const locationAccessDoc = `<Location> and <LocationMatch> match URLs, not files. Several URLs can
reach one file, so access granted by URL can be bypassed, and it also
opens whatever file an errant mapping reaches: a Location "Allow from all"
or "Require all granted" is merged after every <Directory> and overrides its
denial (httpd "Configuration Sections": Directory, Files, then Location).
httpd's docs say to grant access to filesystem content with <Directory> and
<Files>; web2py's own setup scripts do exactly that.

This pass takes the grants out of each <Location>/<LocationMatch> of a site
that has a WSGIScriptAlias mount and writes them for the files those URLs
map to, where the Location block stood:

  - URLs served by web2py's static AliasMatch (see static-alias):
    <Directory "ROOT/applications/*/static"> granted;
  - URLs served by the WSGI script: <Directory "ROOT"> denied, with
    <Files "wsgihandler.py"> (the script's file name) granted.

A grant on part of the application's URLs ("/admin") becomes a grant of
the script file, which serves all of them: the filesystem has no finer
unit, and the application checks its own URLs (web2py refuses admin over
plain HTTP but from localhost).

A grant is Order/Allow/Deny that lets everyone in ("Order Allow,Deny" +
"Allow from all"), with or without "Satisfy Any", or "Require all granted".
Restrictions stay in the Location, where they still apply on top of the
filesystem rules: SSLRequireSSL, "Require ssl", Deny lists, partial Allow
lists, authentication. A block left empty is removed; a <Location "/"> left
holding only WSGIProcessGroup is dissolved into its VirtualHost (Location
"/" is redundant there; mod_wsgi docs put WSGIProcessGroup at vhost level).
Comments stay.

Every move is proved first with the access model (fixes/access_model.go):
httpd's decision for each URL of the site (its Location, alias and mount
URLs, one below and one beside each), anonymous and authenticated, from
each client address the rules name, must be the same before and after,
under the run's own server level or, without one, under httpd's default
and under the distributions' <Directory /> denied. A move that would change
a decision is left alone, and the finding names the request. The one
change made on purpose is a 2.2 grant that 2.4 ignored because the
server's Require denied the request (Order/Allow do not override Require
in 2.4): the new <Directory> grant makes it take effect as the site
meant, and the finding says "access changes for" and the URLs.

Left alone, with a finding: a grant whose URLs also reach other mappings
(Alias, ScriptAlias…), a LocationMatch regex whose URLs cannot be told, a
grant that cannot be split from the rules next to it without changing who
gets in (Satisfy Any with authentication, "Require all granted" beside other
Require lines). Left alone silently: Location blocks for content that is not
on the filesystem (SetHandler server-status, ldap-status…, proxies) and
sites without a WSGI mount.

Grants are written for --apache: 2.4 (default) "Require all granted" /
"Require all denied"; 2.2 "Order allow,deny" + "Allow from all" /
"Order deny,allow" + "Deny from all".

Before (a site with static-alias's AliasMatch and
"WSGIScriptAlias / /home/web2py/wsgihandler.py"):
    <LocationMatch "^(/[\w_]*/static/.*)">
    Order Allow,Deny
    Allow from all
    </LocationMatch>
    <Location "/">
    Order deny,allow
    Allow from all
    WSGIProcessGroup web2py
    </Location>

After:
    <Directory "/home/web2py/applications/*/static">
    Require all granted
    </Directory>
    WSGIProcessGroup web2py
    <Directory "/home/web2py">
    Require all denied
    <Files "wsgihandler.py">
    Require all granted
    </Files>
    </Directory>`

func runLocationAccess(c *Context) {
	dirs := newDirectories(c.Files)
	pr := newAccessProver(c.Files)
	site := func(c *Context, site *ast.Section) {
		plans, ok := c.plans[site]
		if !ok {
			plans = planLocations(c, site)
		}
		siteDirs := dirs.of(site)
		for _, plan := range plans {
			loc := plan.loc
			switch {
			case plan.skip:
			case plan.problem != "":
				c.Report(FileOf(loc), loc.Pos(), Warning, false,
					"%s grants access by URL: left alone, %s", tagText(loc), plan.problem)
			default:
				moveGrant(c, pr, site, siteDirs, plan)
			}
		}
	}
	// Vhosts first (see eachVhost), then each file's server level, which
	// may add to the server-level Directory index the vhosts read.
	c.eachVhost(VirtualHosts(c.Files), func() { c.daemonIndex(); pr.settle() }, site)
	for _, f := range c.Files {
		site(c, f.Root)
		pr.changed() // what the next file's proofs read at server level
	}
}

// asLocation returns n when it is a Location or LocationMatch section.
func asLocation(n ast.Node) *ast.Section {
	if s, ok := n.(*ast.Section); ok && (s.Is("Location") || s.Is("LocationMatch")) {
		return s
	}
	return nil
}

// planLocations plans every Location grant of site, all before any is
// moved: static-alias asks the plans whether a grant will move onto a
// static directory, and location-access carries out the very same ones.
func planLocations(c *Context, site *ast.Section) []locationPlan {
	nodes := levelNodes(site)
	n := 0
	for _, m := range nodes {
		if asLocation(m) != nil {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	urls := readSiteURLs(c, site)
	plans := make([]locationPlan, 0, n)
	for _, m := range nodes {
		if loc := asLocation(m); loc != nil {
			plans = append(plans, planLocation(urls, loc))
		}
	}
	return plans
}

// keepPlans keeps static-alias's plans for site, for location-access.
func (c *Context) keepPlans(site *ast.Section, plans []locationPlan) {
	if c.planned == nil {
		c.planned = make(map[*ast.Section][]locationPlan)
	}
	c.planned[site] = plans
}

// locationPlan is what moving one Location's grant would do.
type locationPlan struct {
	loc        *ast.Section
	grant      urlGrant
	staticDirs []string // static directories to grant
	script     string   // WSGI script file to grant in its directory, or ""
	skip       bool     // nothing to move, or not ours to move
	problem    string   // a grant that cannot be moved safely
}

// planLocation works out which files a Location grant covers in a site. It
// edits nothing, so static-alias can ask whether a grant will move.
func planLocation(urls *siteURLs, loc *ast.Section) locationPlan {
	p := locationPlan{loc: loc}
	if notOnFilesystem(loc) {
		p.skip = true
		return p
	}
	p.grant = locationGrant(loc)
	if !p.grant.grants || len(urls.mounts) == 0 {
		p.skip = true
		return p
	}
	if p.grant.problem != "" {
		p.problem = p.grant.problem
		return p
	}
	space, ok := locationSpace(loc)
	if !ok {
		p.problem = "cannot tell which URLs it matches"
		return p
	}
	var statics []urlSpace
	for _, m := range urls.mappings {
		root, static := staticMapping(m, urls.web2pyRoot)
		switch {
		case static:
			statics = append(statics, m.space)
			if m.space.intersects(space) {
				if dir := urls.staticDir(root); !slices.Contains(p.staticDirs, dir) {
					p.staticDirs = append(p.staticDirs, dir)
				}
			}
		case m.d.IsAny("ProxyPass", "ProxyPassMatch") && m.known && space.within(m.space):
			p.skip = true // proxied: not on the filesystem
			return p
		case !m.known || m.space.intersects(space):
			p.problem = fmt.Sprintf("its URLs also reach %q", directiveText(m.d))
			return p
		}
	}
	onlyStatic := false
	for _, s := range statics {
		onlyStatic = onlyStatic || space.within(s)
	}
	var hitBuf [2]wsgiMount // on the stack: most sites have one mount
	hit := hitBuf[:0]
	for _, m := range urls.mounts {
		if m.space.intersects(space) {
			hit = append(hit, m)
		}
	}
	switch {
	case onlyStatic:
	case len(hit) == 0 && len(p.staticDirs) == 0:
		p.skip = true // not under the WSGI mount: not web2py's files
	case len(hit) != 1:
		p.problem = "its URLs reach several WSGI mounts"
	case !space.within(hit[0].space):
		p.problem = fmt.Sprintf("its URLs reach beyond the WSGI mount %q", hit[0].url)
	case !hit[0].isFile():
		p.problem = fmt.Sprintf("the WSGI mount %q names a directory, not a script file", hit[0].url)
	default:
		p.script = hit[0].target
	}
	return p
}

// staticMapping reports whether mapping m serves web2py static files, and
// from which web2py root: web2py's AliasMatch, or an Alias into one app's
// static directory. The root is asked for only then: finding it may mean
// looking through every daemon definition of the run.
func staticMapping(m urlMapping, web2pyRoot func() string) (string, bool) {
	if r := staticAliasRoot(m.d); r != "" {
		return r, m.known
	}
	if m.d.Is("Alias") {
		if root := web2pyRoot(); root != "" && inStaticDir(m.target, root) {
			return root, true
		}
	}
	return "", false
}

// notOnFilesystem reports whether a Location serves generated or proxied
// content (SetHandler server-status, ProxyPass…), where URL access control
// is the only kind there is.
func notOnFilesystem(loc *ast.Section) bool {
	for _, n := range levelNodes(loc) {
		d, ok := n.(*ast.Directive)
		if !ok || d.Kind() != ast.Plain {
			continue
		}
		if d.Is("SetHandler") && !strings.EqualFold(d.Arg(0), "none") {
			return true
		}
		if hasPrefixFold(d.Name(), "proxy") {
			return true
		}
	}
	return false
}

// moveGrant applies a plan, once the access model proves it keeps who
// gets in: the grant lines out of the Location, which is removed or
// dissolved when nothing that needs it is left, and the filesystem blocks
// where it stood (after it, when it stays).
func moveGrant(c *Context, pr *accessProver, site *ast.Section, dirs *siteDirectories, p locationPlan) {
	loc := p.loc
	file := FileOf(loc)
	blocks := make([]ast.Node, 0, len(p.staticDirs)+1)
	var wrote []string // the directories the blocks are for
	// moved lists what the grant became, for the finding; a Directory
	// that is already there is named, not written again: the proof
	// below shows its rules let in the same requests.
	moved := make([]byte, 0, 128)
	target := func(dir string) bool {
		if len(moved) > 0 {
			moved = append(moved, " and "...)
		}
		return !dirs.has(dir)
	}
	for _, dir := range p.staticDirs {
		if target(dir) {
			moved = append(appendQuote(append(moved, "<Directory "...), dir), "> granted"...)
			blocks = append(blocks, c.newGrantedDirectory(dir))
			wrote = append(wrote, dir)
		} else {
			moved = append(appendQuote(append(moved, "the rules already there for <Directory "...), dir), '>')
		}
	}
	if p.script != "" {
		dir, script := path.Dir(p.script), path.Base(p.script)
		if target(dir) {
			moved = append(appendQuote(append(moved, "<Directory "...), dir), "> denied but for <Files "...)
			moved = append(appendQuote(moved, script), '>')
			blocks = append(blocks, c.newScriptDirectory(dir, script))
			wrote = append(wrote, dir)
		} else {
			moved = append(appendQuote(append(moved, "the rules already there for <Directory "...), dir), '>')
		}
	}
	tag := tagText(loc)

	// What the Location keeps, and whether it stays.
	kept := make([]ast.Node, 0, len(loc.Body))
	left := 0
	for _, n := range loc.Body {
		if d, ok := n.(*ast.Directive); ok && slices.Contains(p.grant.lines, d) {
			continue
		}
		kept = append(kept, n)
		switch n.(type) {
		case *ast.Directive, *ast.Section:
			left++
		}
	}
	stays := left > 0 && !dissolvable(site, loc, kept)
	rw := &rewrite{added: map[ast.Node][]*ast.Section{}}
	if stays {
		rw.bodies = map[*ast.Section][]ast.Node{loc: kept}
	} else {
		rw.removed = map[*ast.Section]bool{loc: true}
	}
	for _, b := range blocks {
		rw.added[loc] = append(rw.added[loc], b.(*ast.Section))
	}
	proved := pr.prove(loc, rw, nil)
	if !proved.ok() {
		c.Report(file, loc.Pos(), Warning, false, "%s grants access by URL: left alone, moving the grant to %s: %s", tag, owned(moved), proved.problem())
		return
	}
	for _, dir := range wrote {
		dirs.added(dir)
	}
	c.Report(file, loc.Pos(), Warning, true,
		"%s grants access by URL, which other URLs reaching the same files bypass: moved to %s%s",
		tag, owned(moved), proved.declared())
	for _, d := range p.grant.lines {
		ast.Remove(d)
	}
	parent := loc.Parent()
	at := parent.Index(loc)
	switch {
	case left == 0 && !hasComments(loc):
		ast.Remove(loc)
	case !stays:
		n := len(loc.Body)
		loc.Dissolve()
		if left > 0 {
			c.Report(file, loc.Pos(), Advice, true, "%s held only WSGIProcessGroup: dissolved into the VirtualHost", tag)
		}
		at += n
	default:
		at++ // the Location stays with its comment; the blocks follow it
	}
	parent.Insert(at, blocks...)
}

// leftInLocation counts the directives and sections still in loc.
func leftInLocation(loc *ast.Section) int {
	n := 0
	for _, m := range loc.Body {
		switch m.(type) {
		case *ast.Directive, *ast.Section:
			n++
		}
	}
	return n
}

func hasComments(s *ast.Section) bool {
	for _, m := range s.Body {
		if _, ok := m.(*ast.Comment); ok {
			return true
		}
	}
	return false
}

// dissolvable reports whether loc, left holding body, is a <Location "/">
// of a VirtualHost holding only daemon selection, which means the same at vhost level: unless
// the vhost already sets it there, when the order of the two would matter.
func dissolvable(site, loc *ast.Section, body []ast.Node) bool {
	if !site.Is("VirtualHost") || !loc.Is("Location") || loc.NumArgs() != 1 || loc.Open.Arg(0) != "/" {
		return false
	}
	for _, m := range body {
		switch m := m.(type) {
		case *ast.Section:
			return false
		case *ast.Directive:
			if !m.IsAny("WSGIProcessGroup", "WSGIApplicationGroup") || hasDirectiveAt(site, m.Name()) {
				return false
			}
		}
	}
	return true
}

// tagText is a section's open tag as a message shows it: <Location "/">.
func tagText(s *ast.Section) string {
	b := append(make([]byte, 0, 64), '<')
	b = append(b, s.Name()...)
	for i, n := 0, s.Open.NumArgs(); i < n; i++ {
		b = appendQuote(append(b, ' '), s.Open.Arg(i))
	}
	return owned(append(b, '>'))
}

// directiveText is a directive on one line, arguments as written.
func directiveText(d *ast.Directive) string {
	b := append(make([]byte, 0, 64), d.Name()...)
	for i, n := 0, d.NumArgs(); i < n; i++ {
		b = append(append(b, ' '), d.ArgRaw(i)...)
	}
	return owned(b)
}
