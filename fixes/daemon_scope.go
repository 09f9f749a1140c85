package fixes

import (
	"fmt"

	"github.com/wsgifix/wsgifix/ast"
)

// DaemonScope is the daemon-scope pass.
var DaemonScope = &Pass{
	Name:    "daemon-scope",
	Title:   "move daemon definitions to a scope every vhost that selects them can reach",
	Default: true,
	Run:     runDaemonScope,
	Doc: `WSGIProcessGroup (or a process-group= option) may select a daemon group
defined at global scope, or one defined in a VirtualHost whose ServerName is
the same as the selecting vhost's (mod_wsgi documentation,
"WSGIRestrictProcess"). Anything else is not caught by configtest: every
request fails with 500 and the error log says

    Daemon process called 'web2py' cannot be accessed by this WSGI application

--daemon-scope chooses where definitions live:

    --daemon-scope=vhost   (default) keep the definition in its vhost; the
                           slightly safer choice, since no vhost of another
                           site can select the group by accident
    --daemon-scope=global  move every definition to global scope

With vhost, a definition stays where it is when every vhost that selects it
has the same ServerName as the defining vhost. mod_wsgi compares the names
with strcmp, so case counts here (checked with httpd 2.4 and mod_wsgi 4.9:
"Example.com" cannot use a group of "example.com"); a vhost without
ServerName inherits the main server's, so two vhosts without one match, and
one without against one with does not. The definition is moved to global
scope, with a finding that says why, when a vhost with another ServerName
selects it, when it is selected at global scope (and so inherited by every
vhost), or when a WSGIScriptAlias with process-group= and application-group=
(or WSGIImportScript) names it before it is defined, which httpd refuses:
"WSGI process group not yet configured."

A moved definition takes its lead comments and its continuation layout with
it and goes just before the first vhost (in load order, across files) that
selects it, above that vhost's lead comments. Conditional sections
(IfModule, IfDefine…) are not a scope, so the definition may go inside one,
but it must be read whenever a vhost that selects it is: it stays inside
the conditional sections around its own vhost only as far as they hold
every selecting vhost too. With Debian's web2py-ssl.conf (its vhost inside
<IfModule mod_ssl.c>, loaded first) and web2py.conf (the HTTP vhost), the
definition goes before the IfModule, not inside it, so the HTTP site keeps
its daemon when mod_ssl is not loaded.

A definition already at global scope stays. A group nobody selects is
reported (advice) and left alone, unless some selection is a %{ENV:…}
expansion, which cannot be resolved here. Names defined more than once are
left to duplicate-daemon. A definition nested in a conditional section
inside its vhost is reported, not moved.

Before (the ServerNames differ):

    <VirtualHost *:80>
    ServerName www.example.com
    WSGIDaemonProcess web2py home=/home/web2py/
    WSGIProcessGroup web2py
    </VirtualHost>
    <VirtualHost *:80>
    ServerName example.com
    WSGIProcessGroup web2py
    </VirtualHost>

After:

    WSGIDaemonProcess web2py home=/home/web2py/
    <VirtualHost *:80>
    ServerName www.example.com
    WSGIProcessGroup web2py
    </VirtualHost>
    <VirtualHost *:80>
    ServerName example.com
    WSGIProcessGroup web2py
    </VirtualHost>`,
}

// modWSGINotConfigured is httpd's configtest error for a preload of a group
// that is not defined yet.
const modWSGINotConfigured = "WSGI process group not yet configured."

func runDaemonScope(c *Context) {
	u := c.uses // duplicate-daemon's, when it ran just before
	if u == nil {
		u = scanDaemonUse(c.Files)
	}
	for _, name := range u.names {
		if len(u.defs[name]) != 1 {
			continue // duplicate-daemon's business
		}
		scopeDaemon(c, u, name, u.defs[name][0])
	}
}

func scopeDaemon(c *Context, u *daemonUse, name string, def *ast.Directive) {
	f := FileOf(def)
	sels := u.selectors[name]
	if len(sels) == 0 {
		if !u.dynamic {
			c.Report(f, def.Pos(), Advice, false,
				"WSGIDaemonProcess %q is not selected by any WSGIProcessGroup or process-group= option", name)
		}
		return
	}
	home := VirtualHostOf(def)
	if home == nil {
		return
	}
	reason := vhostScopeProblem(u, name, def, home, sels)
	if reason == "" && c.Opts.DaemonScope != "global" {
		return
	}
	sev, why := Error, reason
	if reason == "" {
		sev, why = Warning, "as --daemon-scope=global asks"
	}
	if def.Parent() != home {
		c.Report(f, def.Pos(), sev, false,
			"WSGIDaemonProcess %q should be at global scope (%s) but is nested in <%s> inside its vhost; move it by hand",
			name, why, def.Parent().Name())
		return
	}
	anchor := hoistAnchor(home, sels)
	if anchor == nil {
		c.Report(f, def.Pos(), sev, false,
			"WSGIDaemonProcess %q should be at global scope (%s) but its vhost at %s is nested in a section that is not conditional; move it by hand",
			name, why, where(home))
		return
	}
	mark := ast.Node(anchor)
	if lead := ast.LeadComments(anchor); len(lead) > 0 {
		mark = lead[0]
	}
	var moved []ast.Node
	for _, cm := range ast.LeadComments(def) {
		moved = append(moved, cm)
	}
	moved = append(moved, def) // comments first: they stay above it
	for _, n := range moved {
		ast.Remove(n)
	}
	ast.InsertBefore(mark, moved...)
	c.Report(f, def.Pos(), sev, true, "WSGIDaemonProcess %q moved to global scope before %s: %s",
		name, describeAnchor(anchor), why)
}

// vhostScopeProblem says why def cannot stay in its vhost home, or "".
func vhostScopeProblem(u *daemonUse, name string, def *ast.Directive, home *ast.Section, sels []*ast.Directive) string {
	homeHost, homeNamed := hostName(home)
	for _, s := range sels {
		vh := VirtualHostOf(s)
		if vh == nil {
			return fmt.Sprintf("%s at %s selects it at global scope, so every vhost inherits the selection", s.Name(), where(s))
		}
		if preloads(s, name) && u.before(s, def) {
			return fmt.Sprintf("%s at %s names it with process-group= and application-group= before it is defined; httpd refuses that: %q",
				s.Name(), where(s), modWSGINotConfigured)
		}
		if vh == home {
			continue
		}
		if host, named := hostName(vh); host != homeHost || named != homeNamed {
			return fmt.Sprintf("the vhost at %s (%s) selects it but it is defined in the vhost at %s (%s); "+
				"mod_wsgi fails every request there with \"Daemon process called '%s' cannot be accessed by this WSGI application\"",
				where(vh), describeHost(vh), where(home), describeHost(home), name)
		}
	}
	return ""
}

// hoistAnchor returns the node the definition goes before. It stays under
// the innermost conditional section around home that also holds every
// selection (IfModule is not a context), else it leaves them all for the
// file root; there it goes before the outermost node around the first
// selection, sels[0]. nil means there is no such place.
func hoistAnchor(home *ast.Section, sels []*ast.Directive) ast.Node {
	target := home.Parent()
	for target != nil && !target.IsRoot() {
		if !ast.IsConditional(target.Name()) {
			return nil // a <Macro> or the like around the vhost
		}
		if enclosesAll(target, sels) {
			break
		}
		target = target.Parent()
	}
	if target == nil {
		return nil
	}
	first := sels[0]
	if target.IsRoot() {
		target = FileOf(first).Root
	}
	var n ast.Node = first
	for n.Parent() != nil && n.Parent() != target {
		n = n.Parent()
	}
	if n.Parent() != target {
		return nil
	}
	return n
}

func enclosesAll(s *ast.Section, nodes []*ast.Directive) bool {
	for _, n := range nodes {
		if !isAncestor(s, n) {
			return false
		}
	}
	return true
}

// isAncestor reports whether section s encloses n.
func isAncestor(s *ast.Section, n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p == s {
			return true
		}
	}
	return false
}

// describeAnchor names the node a definition was moved before.
func describeAnchor(n ast.Node) string {
	if s, ok := n.(*ast.Section); ok {
		return fmt.Sprintf("<%s> at %s", s.Name(), where(s))
	}
	if d, ok := n.(*ast.Directive); ok {
		return fmt.Sprintf("%s at %s", d.Name(), where(d))
	}
	return where(n)
}
