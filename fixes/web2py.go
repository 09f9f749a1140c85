package fixes

import (
	"path"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// web2py trees are recognised from what the broken examples name: an Alias
// whose target is ROOT/applications/, the home= of the daemon group, or a
// WSGIScriptAlias whose target is ROOT/wsgihandler.py.

// Web2pyRoot returns the web2py root directory (no trailing slash) that vhost
// vh serves, or "" when nothing names one, or Aliases name several (which
// tree is the application's cannot be told). files is the whole run (the
// daemon may be defined in another vhost or at global scope).
func Web2pyRoot(files []*ast.File, vh *ast.Section) string {
	return web2pyRoot(vh, func(vh *ast.Section) *ast.Directive { return DaemonFor(files, vh) })
}

// web2pyRoot is Web2pyRoot with the daemon lookup given: passes that ask
// for every vhost use a daemonIndex, since DaemonFor walks every file.
func web2pyRoot(vh *ast.Section, daemonFor func(*ast.Section) *ast.Directive) string {
	if root, several := aliasRoot(vh); root != "" || several {
		return root
	}
	return rootBeyondAliases(vh, daemonFor)
}

// rootBeyondAliases is the web2py root that vh's WSGIScriptAlias script or
// its daemon's home= names, for a vhost whose Aliases name none.
func rootBeyondAliases(vh *ast.Section, daemonFor func(*ast.Section) *ast.Directive) string {
	for _, d := range DirectivesIn(vh, "WSGIScriptAlias") {
		if t := d.Arg(1); strings.HasSuffix(t, ".py") {
			if root := path.Dir(t); root != "/" && root != "." {
				return root
			}
		}
	}
	if def := daemonFor(vh); def != nil {
		if home := DaemonOption(def, "home"); home != "" {
			return CleanDir(home)
		}
	}
	return ""
}

// aliasRoot returns the web2py root that the Aliases and AliasMatches of
// vh map into (ROOT/applications/…), or "" and several when they name more
// than one. Passes ask for every vhost, so it is one walk of vh's level.
func aliasRoot(vh *ast.Section) (root string, several bool) {
	for _, n := range levelNodes(vh) {
		d, ok := n.(*ast.Directive)
		if !ok || d.Kind() != ast.Plain || !d.IsAny("Alias", "AliasMatch") {
			continue
		}
		nargs := d.NumArgs()
		if nargs == 0 {
			continue // Arg(-1) would panic
		}
		switch r := rootFromApplications(d.Arg(nargs - 1)); {
		case r == "" || r == root:
		case root == "":
			root = r
		default:
			return "", true
		}
	}
	return root, false
}

// rootFromApplications returns ROOT for a path "ROOT/applications" or
// "ROOT/applications/…", else "".
func rootFromApplications(p string) string {
	i := strings.Index(p, "/applications/")
	if i < 0 && strings.HasSuffix(p, "/applications") {
		i = len(p) - len("/applications")
	}
	if i <= 0 {
		return ""
	}
	return CleanDir(p[:i])
}

// DaemonOption returns the value of option key (case-insensitive) of a
// WSGIDaemonProcess directive, or "".
func DaemonOption(def *ast.Directive, key string) string {
	args := def.Args() // the list the line keeps, not a copy
	if len(args) == 0 {
		return "" // "WSGIDaemonProcess" without even a name
	}
	for _, a := range args[1:] {
		if k, v, ok := Option(a.Value); ok && k == key {
			return v
		}
	}
	return ""
}

// ProcessGroups returns the daemon group names vh selects: WSGIProcessGroup
// anywhere inside it and process-group= options of WSGIScriptAlias*.
func ProcessGroups(vh *ast.Section) []string {
	var out []string
	seen := map[string]bool{}
	eachDaemonName(vh, func(n string, def bool) {
		if !def && n != "" && !seen[n] && !strings.HasPrefix(n, "%{") {
			seen[n] = true
			out = append(out, n)
		}
	})
	return out
}

// eachDaemonName calls fn with every daemon group name vh defines
// (WSGIDaemonProcess, def true) or selects (WSGIProcessGroup, and the
// process-group= options of WSGIScriptAlias*, whose values keep any
// quotes), in order.
func eachDaemonName(vh *ast.Section, fn func(name string, def bool)) {
	ast.InspectSection(vh, func(n ast.Node) bool {
		if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain {
			daemonNamesOf(d, fn)
		}
		return true
	})
}

// daemonNamesOf calls fn with the daemon group names plain directive d
// defines or selects, as eachDaemonName does.
func daemonNamesOf(d *ast.Directive, fn func(name string, def bool)) {
	if n := d.Name(); n == "" || n[0]|0x20 != 'w' {
		return // the planning asks this of every line of a big file
	}
	switch {
	case d.Is("WSGIDaemonProcess"):
		fn(d.Arg(0), true)
	case d.Is("WSGIProcessGroup"):
		fn(d.Arg(0), false)
	case d.IsAny("WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript"):
		for i, n := 0, d.NumArgs(); i < n; i++ {
			if k, v, ok := Option(d.Arg(i)); ok && k == "process-group" {
				fn(v, false)
			}
		}
	}
}

// DaemonDefs returns every WSGIDaemonProcess of the run in load order.
func DaemonDefs(files []*ast.File) []*ast.Directive { return AllDirectives(files, "WSGIDaemonProcess") }

// DaemonFor returns the definition of the first daemon group vh selects, or
// the first defined inside vh, or nil.
func DaemonFor(files []*ast.File, vh *ast.Section) *ast.Directive {
	defs := DaemonDefs(files)
	for _, name := range ProcessGroups(vh) {
		for _, d := range defs {
			if d.Arg(0) == name {
				return d
			}
		}
	}
	for _, d := range defs {
		if VirtualHostOf(d) == vh {
			return d
		}
	}
	return nil
}

// daemonIndex answers DaemonFor for many vhosts after one walk: the first
// definition of each name, and the first inside each vhost, in load order.
// It is valid while no WSGIDaemonProcess is added, removed, renamed or
// moved, which the passes that use it never do.
type daemonIndex struct {
	byName  map[string]*ast.Directive
	inVhost map[*ast.Section]*ast.Directive
}

func newDaemonIndex(files []*ast.File) *daemonIndex {
	x := &daemonIndex{byName: map[string]*ast.Directive{}, inVhost: map[*ast.Section]*ast.Directive{}}
	for _, d := range DaemonDefs(files) {
		if name := d.Arg(0); x.byName[name] == nil {
			x.byName[name] = d
		}
		if vh := VirtualHostOf(d); vh != nil && x.inVhost[vh] == nil {
			x.inVhost[vh] = d
		}
	}
	return x
}

// daemonFor is DaemonFor.
func (x *daemonIndex) daemonFor(vh *ast.Section) *ast.Directive {
	for _, name := range ProcessGroups(vh) {
		if d := x.byName[name]; d != nil {
			return d
		}
	}
	return x.inVhost[vh]
}
