package fixes

import (
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// NameVirtualHost is the name-virtual-host pass.
var NameVirtualHost = &Pass{
	Name:    "name-virtual-host",
	Title:   "remove NameVirtualHost, which has no effect since httpd 2.3.11",
	Default: true,
	Run:     runNameVirtualHost,
	Doc: `Since httpd 2.3.11 every address with several name-based vhosts is
name-based by itself; NameVirtualHost does nothing and httpd 2.4 prints
notice AH00548 ("NameVirtualHost has no effect and will be removed in the
next release"; upgrading guide, "Configuration Changes"). The web2py
book's HTTP-only example also glues the address on ("NameVirtualHost*:80"),
which httpd reads as one unknown command ("Invalid command
'NameVirtualHost*:80', perhaps misspelled or defined by a module not
included in the server configuration") and refuses.

With --apache 2.4 (the default) every NameVirtualHost is removed, the glued
form included; comments above it stay. With --apache 2.2, where the
directive still matters, it is kept, and the glued form gets its space
back ("NameVirtualHost *:80").

Before:

  NameVirtualHost*:80
  # the site
  <VirtualHost *:80>

After (--apache 2.4):

  # the site
  <VirtualHost *:80>
`,
}

const nameVirtualHost = "NameVirtualHost"

func runNameVirtualHost(c *Context) {
	found := collect(c.Files, func(d *ast.Directive) bool { return isNameVirtualHost(d.Name()) })
	for _, d := range found {
		f := FileOf(d)
		name := d.Name()
		glued := gluedAddress(name)
		invalid := "Invalid command '" + name + "', perhaps misspelled or defined by a module not included in the server configuration"
		switch {
		case c.Opts.Apache == "2.2" && glued != "":
			d.SetName(name[:len(nameVirtualHost)] + " " + glued)
			c.Report(f, d.Pos(), Error, true, "%q lacks the space before its address: split into %q (httpd: %q)",
				name, name[:len(nameVirtualHost)]+" "+glued, invalid)
		case c.Opts.Apache == "2.2":
			// Still meaningful in 2.2.
		case glued != "":
			ast.Remove(d)
			c.Report(f, d.Pos(), Error, true,
				"%q is NameVirtualHost with its address glued on, which has no effect in httpd 2.4 anyway: removed (httpd: %q)",
				name, invalid)
		default:
			ast.Remove(d)
			c.Report(f, d.Pos(), Warning, true, "%q has no effect since httpd 2.3.11: removed (httpd: %q)",
				name, "AH00548: NameVirtualHost has no effect and will be removed in the next release")
		}
	}
}

// isNameVirtualHost reports whether a directive named name is
// NameVirtualHost, glued to its address or not.
func isNameVirtualHost(name string) bool {
	return ast.EqualFold(name, nameVirtualHost) || gluedAddress(name) != ""
}

// gluedAddress returns the address in a directive name such as
// "NameVirtualHost*:80" (any case), or "" when name is not one. Only what
// starts like an address counts: "*", an IPv6 "[", a digit or _default_.
func gluedAddress(name string) string {
	if len(name) <= len(nameVirtualHost) || !strings.EqualFold(name[:len(nameVirtualHost)], nameVirtualHost) {
		return ""
	}
	addr := name[len(nameVirtualHost):]
	switch {
	case addr[0] == '*', addr[0] == '[', addr[0] >= '0' && addr[0] <= '9', strings.HasPrefix(addr, "_default_"):
		return addr
	}
	return ""
}
