package fixes

import (
	"path"
	"slices"

	"github.com/wsgifix/wsgifix/ast"
)

// StaticAlias is the static-alias pass.
var StaticAlias = &Pass{
	Name:    "static-alias",
	Title:   "replace an Alias that shadows the WSGI mount with web2py's static AliasMatch",
	Doc:     staticAliasDoc,
	Default: true,
	Run:     runStaticAlias,
}

const staticAliasDoc = `mod_wsgi maps URLs after mod_alias, so an Alias always wins over a
WSGIScriptAlias for the URLs it covers, whatever the order in the file
(mod_wsgi docs, "Configuration Guidelines"). The broken web2py examples put
"Alias / /home/web2py/applications/" next to "WSGIScriptAlias /": the
application is never reached, and httpd serves every file under
applications/ instead, controllers, models and databases included.

This pass removes an Alias that shadows a WSGIScriptAlias mount: one whose
URL covers the whole mount, or a sub-URL that serves the application's
files: the script's directory or the web2py root (named by an Alias of
ROOT/applications/, the script's path or the daemon's home=, in any file of
the run) or a directory above them, or anything under ROOT/applications/
but the apps' static directories.

When the Alias pointed at ROOT/applications/ and the mount is "/", it
becomes web2py's own static alias, in its place and under its comments:

    AliasMatch "^/([^/]+)/static/(?:_[\d]+.[\d]+.[\d]+/)?(.*)" "ROOT/applications/$1/static/$2"

(the optional segment is web2py's static-asset versioning), so static files
are still served by httpd and nothing else under applications/ is. That
AliasMatch needs a filesystem grant: when no <Location> grant of the site
will be moved onto <Directory "ROOT/applications/*/static"> by
location-access, this pass adds that <Directory> itself, granted in the
--apache syntax, so there is exactly one.

An Alias of a sub-URL that serves other files (Alias /media/ /srv/media/,
an app's static directory, a Flask app's static/) is fine and left alone.
An Alias serving the application's files that does not touch a mount is
reported as an error and left alone.

Before:
    ### alias the location of applications (for static files)
    Alias / /home/web2py/applications/
    WSGIScriptAlias / /home/web2py/wsgihandler.py

After:
    ### alias the location of applications (for static files)
    AliasMatch "^/([^/]+)/static/(?:_[\d]+.[\d]+.[\d]+/)?(.*)" "/home/web2py/applications/$1/static/$2"
    <Directory "/home/web2py/applications/*/static">
    Require all granted
    </Directory>
    WSGIScriptAlias / /home/web2py/wsgihandler.py`

func runStaticAlias(c *Context) {
	if !anyDirective(c.Files, "Alias", "AliasMatch") {
		return
	}
	dirs := newDirectories(c.Files)
	site := func(c *Context, site *ast.Section) {
		made := fixShadowingAliases(c, site)
		grantStaticFiles(c, site, dirs.of(site), made)
	}
	// Vhosts first (see eachVhost), then each file's server level, which
	// may add to the server-level Directory index the vhosts read.
	c.eachVhost(VirtualHosts(c.Files), func() { c.daemonIndex() }, site)
	for _, f := range c.Files {
		site(c, f.Root)
	}
}

// madeAlias is an AliasMatch line static-alias wrote, and the position of
// the Alias it replaced, for findings about it.
type madeAlias struct {
	d   *ast.Directive
	pos ast.Pos
}

// fixShadowingAliases removes or replaces the Aliases of site that shadow
// its WSGI mounts, and reports those that expose the web2py tree. It
// returns the AliasMatch lines it wrote.
func fixShadowingAliases(c *Context, site *ast.Section) []madeAlias {
	aliases := directivesAt(site, "Alias")
	if len(aliases) == 0 {
		return nil
	}
	root, several := aliasRoot(site)
	if several {
		// Which tree is the application's cannot be told, and removing
		// one Alias would let the next run take the other's for it.
		c.Report(FileOf(aliases[0]), aliases[0].Pos(), Warning, false,
			"the Aliases of this site map into several web2py trees: left alone, which one the application is cannot be told")
		return nil
	}
	var made []madeAlias
	mounts := siteMounts(site)
	if root == "" { // as c.web2pyRoot, without reading the Aliases again
		root = rootBeyondAliases(site, c.daemonIndex().daemonFor)
	}
	// The application's own directories: an Alias of one of them (or of a
	// directory above) serves its source. Below them only web2py's
	// applications/ is known to hold source and databases; other
	// subdirectories (a Flask app's static/) may well be meant for serving.
	var tree []string
	if root != "" {
		tree = append(tree, root)
	}
	for _, m := range mounts {
		if m.isFile() {
			tree = append(tree, path.Dir(m.target))
		} else {
			tree = append(tree, CleanDir(m.target))
		}
	}
	hasStaticAlias := false
	for _, d := range directivesAt(site, "AliasMatch") {
		hasStaticAlias = hasStaticAlias || staticAliasRoot(d) != ""
	}
	for _, a := range aliases {
		if a.NumArgs() != 2 {
			continue
		}
		url, target := a.Arg(0), a.Arg(1)
		space := prefixSpace(url)
		exposes := root != "" && isWithin(target, root+"/applications") && !inStaticDir(target, root)
		for _, dir := range tree {
			exposes = exposes || isWithin(dir, target)
		}
		var shadowed *wsgiMount
		for i, m := range mounts {
			if m.space.within(space) || (exposes && space.within(m.space)) {
				shadowed = &mounts[i]
				break
			}
		}
		text := directiveText(a)
		file := FileOf(a)
		var what string // what it shadows
		if shadowed != nil {
			what = sprintf("the WSGI mount %q", shadowed.url)
			if !shadowed.space.within(space) {
				what = sprintf("%q of the WSGI mount %q", url, shadowed.url)
			}
		}
		switch {
		case shadowed != nil && !hasStaticAlias && root != "" && len(shadowed.space.segs) == 0 &&
			CleanDir(target) == root+"/applications":
			am := newStaticAliasMatch(c.maker, root)
			ast.Replace(a, am)
			made = append(made, madeAlias{am, a.Pos()})
			hasStaticAlias = true
			c.Report(file, a.Pos(), Error, true,
				"%q shadows %s and serves application source and databases: replaced by web2py's static AliasMatch",
				text, what)
		case shadowed != nil:
			ast.Remove(a)
			sev, why := Warning, "the application is never reached"
			if exposes {
				sev, why = Error, "it serves the web2py tree, source and databases included"
			}
			c.Report(file, a.Pos(), sev, true, "%q shadows %s (%s): removed", text, what, why)
		case exposes:
			c.Report(file, a.Pos(), Error, false,
				"%q serves files of the web2py tree, source and databases included: left alone, no WSGI mount it shadows", text)
		}
	}
	return made
}

// grantStaticFiles adds <Directory "ROOT/applications/*/static"> granted
// after each web2py static AliasMatch of site that has none, unless a
// Location grant that location-access will move provides it: the plans
// that tell are kept for location-access, which carries them out.
func grantStaticFiles(c *Context, site *ast.Section, dirs *siteDirectories, made []madeAlias) {
	var plans []locationPlan
	planned := false
	for _, d := range directivesAt(site, "AliasMatch") {
		root := staticAliasRoot(d)
		if root == "" {
			continue
		}
		dir := staticDir(root)
		if dirs.has(dir) {
			continue
		}
		if !planned {
			plans, planned = planLocations(c, site), true
			c.keepPlans(site, plans)
		}
		if willGrant(plans, dir) {
			continue
		}
		ast.InsertAfter(d, c.newGrantedDirectory(dir))
		dirs.added(dir)
		pos := d.Pos()
		for _, m := range made {
			if m.d == d {
				pos = m.pos
			}
		}
		c.Report(FileOf(d), pos, Warning, true,
			"static files that AliasMatch maps to %q have no filesystem grant and no Location grant to move: <Directory %q> added",
			d.Arg(1), dir)
	}
}

// willGrant reports whether one of plans writes a grant for static
// directory dir.
func willGrant(plans []locationPlan, dir string) bool {
	for _, p := range plans {
		if !p.skip && p.problem == "" && slices.Contains(p.staticDirs, dir) {
			return true
		}
	}
	return false
}
