package fixes

import (
	"path"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// ScriptAliasTarget is the script-alias-target pass.
var ScriptAliasTarget = &Pass{
	Name:    "script-alias-target",
	Title:   "point a WSGIScriptAlias at the web2py root to web2py's handler script",
	Default: true,
	Run:     runScriptAliasTarget,
	Doc: `Scraped copies of the web2py example lost "wsgihandler.py" after
"WSGIScriptAlias / /home/web2py/" (FACTS.md, "The broken configurations").
mod_wsgi treats a directory target differently from a file: with a file,
every URL under the mount goes to that script; with a directory, the next
URL segment picks a file in the directory to run as a WSGI script (mod_wsgi
docs, "WSGIScriptAlias"). Pointed at the web2py root, the application is
never reached and any file in the root can be asked for as a script.

A WSGIScriptAlias whose target is the web2py root of its vhost (recognised
by an "Alias ... ROOT/applications/", a WSGIScriptAlias to ROOT/*.py, or
the home= of the daemon group the vhost uses; any one of them will do,
unless the vhost's Aliases name several trees) gets ROOT/wsgihandler.py, or
ROOT/NAME with --wsgi-script NAME. The mount, the options (process-group=,
application-group=…), the quote style and the continuation layout stay as
written. Other directory targets (ending in "/") may be meant: they are
reported, not changed.

Before:

  Alias / /home/web2py/applications/
  WSGIScriptAlias / /home/web2py/ process-group=web2py

After:

  Alias / /home/web2py/applications/
  WSGIScriptAlias / /home/web2py/wsgihandler.py process-group=web2py
`,
}

func runScriptAliasTarget(c *Context) {
	// A script file is the common case, and finding the root costs a walk:
	// the walk (on both CPUs for a big run) keeps only the other targets.
	aliases := collect(c.Files, func(d *ast.Directive) bool {
		return d.Is("WSGIScriptAlias") && d.NumArgs() >= 2 && !isScriptFile(d.Arg(1))
	})
	for _, d := range aliases {
		f := FileOf(d)
		target := d.Arg(1)
		scope := VirtualHostOf(d)
		if scope == nil {
			scope = f.Root
		}
		root := CleanDir(target)
		switch {
		case isWeb2pyRoot(c, scope, root):
			script := strings.TrimSuffix(root, "/") + "/" + c.Opts.WSGIScript
			d.SetArg(1, script)
			c.Report(f, d.ArgPos(1), Error, true,
				"%q target %q is the web2py root directory, where each URL would pick a file to run as a script: set to %q",
				d.Name(), target, script)
		case strings.HasSuffix(target, "/"):
			c.Report(f, d.ArgPos(1), Advice, false,
				"%q target %q is a directory: the next URL segment picks the script file in it; left alone, give the script if one was meant",
				d.Name(), target)
		}
	}
}

// isScriptFile reports whether a WSGIScriptAlias target names a file.
func isScriptFile(target string) bool {
	return path.Ext(target) != "" && !strings.HasSuffix(target, "/")
}

// isWeb2pyRoot reports whether dir is the web2py root of scope by any of
// the signs the doc lists (an Alias into ROOT/applications/, a
// WSGIScriptAlias to ROOT/*.py, the daemon group's home=). Asking only
// Web2pyRoot, where the Aliases come first, was not enough: an Alias into
// another tree hid the daemon's home, and once static-alias removed that
// Alias (it shadowed the mount) the next run found the root and fixed
// what the first had left: not idempotent. When the Aliases name several
// trees, nothing is the root.
func isWeb2pyRoot(c *Context, scope *ast.Section, dir string) bool {
	byAlias, several := aliasRoot(scope)
	switch {
	case several || dir == "":
		return false
	case byAlias == dir:
		return true
	}
	return rootBeyondAliases(scope, c.daemonIndex().daemonFor) == dir
}
