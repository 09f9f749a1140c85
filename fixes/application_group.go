package fixes

import (
	"fmt"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// ApplicationGroup is the application-group pass.
var ApplicationGroup = &Pass{
	Name:    "application-group",
	Title:   "run the HTTP and HTTPS vhosts of one daemon group in one interpreter",
	Default: false,
	Run:     runApplicationGroup,
	Doc: `mod_wsgi runs each application in a sub-interpreter named after the
request (mod_wsgi documentation, "WSGIApplicationGroup"): host|SCRIPT_NAME,
or host:port|SCRIPT_NAME when the port is neither 80 nor 443. HTTP and
HTTPS on 80 and 443 therefore share one interpreter per daemon process; on
other ports (8080 and 8443, say) each process loads the application twice,
doubling memory, and module-level state is not shared between the two.

This opt-in pass (--enable=application-group) finds an HTTP and an HTTPS
vhost (SSLEngine on) with the same ServerName that select the same daemon
group, where at least one VirtualHost address has a port other than 80 or
443 and all of them mount the same script, and adds

    WSGIApplicationGroup %{GLOBAL}

to each of them, after its vhost-level WSGIProcessGroup or else at the end
of the vhost, so both run in the process's main interpreter. A vhost that
already sets WSGIApplicationGroup or application-group= is left as it is;
when such a setting is not %{GLOBAL} the other vhost is not changed either
(it would not share the interpreter) and the pair is reported. Addresses
without a port ("*") say nothing about the port, so they do not count as
other ports.

%{GLOBAL} puts everything the group runs for these vhosts into one
interpreter, so the pass acts only when every vhost of the pair mounts the
same single script with WSGIScriptAlias; several scripts (or a
WSGIScriptAliasMatch that picks one from the URL, or a vhost whose
application is mounted some other way) are reported as advice and left
alone, since separate applications must not share an interpreter. The main
interpreter is also the one C extensions such as numpy or lxml expect.

Before:

    <VirtualHost *:8080>
    ServerName www.example.com
    WSGIScriptAlias / /home/web2py/wsgihandler.py
    WSGIProcessGroup web2py
    </VirtualHost>
    <VirtualHost *:8443>
    ServerName www.example.com
    SSLEngine on
    WSGIScriptAlias / /home/web2py/wsgihandler.py
    WSGIProcessGroup web2py
    </VirtualHost>

After:

    <VirtualHost *:8080>
    ServerName www.example.com
    WSGIScriptAlias / /home/web2py/wsgihandler.py
    WSGIProcessGroup web2py
    WSGIApplicationGroup %{GLOBAL}
    </VirtualHost>
    <VirtualHost *:8443>
    ServerName www.example.com
    SSLEngine on
    WSGIScriptAlias / /home/web2py/wsgihandler.py
    WSGIProcessGroup web2py
    WSGIApplicationGroup %{GLOBAL}
    </VirtualHost>`,
}

const globalAppGroup = "%{GLOBAL}"

func runApplicationGroup(c *Context) {
	if len(AllDirectives(c.Files, "WSGIProcessGroup")) == 0 && len(DaemonDefs(c.Files)) == 0 {
		return
	}
	type key struct{ group, host string }
	var keys []key
	sets := map[key][]*ast.Section{}
	for _, vh := range VirtualHosts(c.Files) {
		for _, g := range ProcessGroups(vh) {
			k := key{g, ServerName(vh)}
			if len(sets[k]) == 0 {
				keys = append(keys, k)
			}
			sets[k] = append(sets[k], vh)
		}
	}
	for _, k := range keys {
		shareInterpreter(c, k.group, sets[k])
	}
}

// shareInterpreter adds WSGIApplicationGroup %{GLOBAL} to the vhosts of
// one daemon group and ServerName when they mix HTTP and HTTPS on ports that
// give them separate interpreters.
func shareInterpreter(c *Context, group string, vhs []*ast.Section) {
	var http, https, odd bool
	for _, vh := range vhs {
		if sslOn(vh) {
			https = true
		} else {
			http = true
		}
		odd = odd || hasOtherPort(vh)
	}
	if !http || !https || !odd {
		return
	}
	if script, why := singleScript(vhs); script == "" {
		c.Report(FileOf(vhs[0]), vhs[0].Pos(), Advice, false,
			"<%s %s> and an %s vhost of the same ServerName share daemon group %q in separate interpreters, but %s; %s would put everything in one interpreter, left alone",
			vhs[0].Name(), strings.Join(vhs[0].Open.Values(), " "), otherScheme(vhs[0]), group, why, globalAppGroup)
		return
	}
	for _, vh := range vhs {
		if g, at := appGroupOf(vh); at != nil && g != globalAppGroup {
			c.Report(FileOf(vh), vh.Pos(), Warning, false,
				"<%s %s> shares daemon group %q with an %s vhost on another port but %s at %s selects application group %q; left alone, the two run in separate interpreters",
				vh.Name(), strings.Join(vh.Open.Values(), " "), group, otherScheme(vh), at.Name(), where(at), g)
			return
		}
	}
	for _, vh := range vhs {
		if _, at := appGroupOf(vh); at != nil {
			continue // already set (possibly by an earlier group of this pass)
		}
		d := ast.NewDirective("WSGIApplicationGroup", globalAppGroup)
		if pgs := DirectivesIn(vh, "WSGIProcessGroup"); len(pgs) > 0 {
			ast.InsertAfter(pgs[len(pgs)-1], d)
		} else {
			vh.Insert(endOfContent(vh), d)
		}
		c.Report(FileOf(vh), vh.Pos(), Warning, true,
			"<%s %s> and an %s vhost of the same ServerName share daemon group %q on ports that give each its own interpreter; added WSGIApplicationGroup %s",
			vh.Name(), strings.Join(vh.Open.Values(), " "), otherScheme(vh), group, globalAppGroup)
	}
}

// singleScript returns the one WSGI script file every vhost mounts, or ""
// and why not: a vhost without WSGIScriptAlias (the application is not
// known), several scripts, or a WSGIScriptAliasMatch target with $N.
// Only then does one interpreter hold one application.
func singleScript(vhs []*ast.Section) (script, why string) {
	for _, vh := range vhs {
		aliases := append(DirectivesIn(vh, "WSGIScriptAlias"), DirectivesIn(vh, "WSGIScriptAliasMatch")...)
		if len(aliases) == 0 {
			return "", fmt.Sprintf("<%s %s> mounts no application with WSGIScriptAlias", vh.Name(), strings.Join(vh.Open.Values(), " "))
		}
		for _, d := range aliases {
			target := d.Arg(1)
			switch {
			case d.Is("WSGIScriptAliasMatch") && strings.Contains(target, "$"):
				return "", fmt.Sprintf("%s at %s picks the script from the URL", d.Name(), where(d))
			case script != "" && target != script:
				return "", fmt.Sprintf("the vhosts mount several scripts (%q, %q)", script, target)
			}
			script = target
		}
	}
	return script, ""
}

// sslOn reports whether the vhost turns SSLEngine on.
func sslOn(vh *ast.Section) bool {
	ds := DirectivesIn(vh, "SSLEngine")
	return len(ds) > 0 && strings.EqualFold(ds[len(ds)-1].Arg(0), "on")
}

func otherScheme(vh *ast.Section) string {
	if sslOn(vh) {
		return "HTTP"
	}
	return "HTTPS"
}

// hasOtherPort reports whether one of the vhost's addresses names a port
// other than 80 and 443; mod_wsgi then puts the port into the default
// application group name.
func hasOtherPort(vh *ast.Section) bool {
	for _, addr := range vh.Open.Values() {
		i := strings.LastIndexByte(addr, ':')
		if i < 0 || strings.HasSuffix(addr, "]") {
			continue
		}
		if port := addr[i+1:]; port != "80" && port != "443" && port != "*" {
			return true
		}
	}
	return false
}

// appGroupOf returns the first application group the vhost sets, anywhere
// inside it, and the directive that sets it; at is nil when it sets none.
func appGroupOf(vh *ast.Section) (string, *ast.Directive) {
	var group string
	var at *ast.Directive
	ast.InspectSection(vh, func(n ast.Node) bool {
		d, ok := n.(*ast.Directive)
		if !ok || d.Kind() != ast.Plain || at != nil {
			return true
		}
		switch {
		case d.Is("WSGIApplicationGroup"):
			group, at = d.Arg(0), d
		case d.IsAny("WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript"):
			for _, a := range d.Values() {
				if k, v, ok := Option(a); ok && k == "application-group" {
					group, at = v, d
				}
			}
		}
		return true
	})
	return group, at
}

// endOfContent is the body index after the vhost's last non-blank node, so
// an added line does not land after trailing blank lines.
func endOfContent(vh *ast.Section) int {
	i := len(vh.Body)
	for i > 0 {
		if _, blank := vh.Body[i-1].(*ast.Blank); !blank {
			break
		}
		i--
	}
	return i
}
