package fixes

import (
	"github.com/wsgifix/wsgifix/ast"
)

// EmptyServerName is the empty-servername pass.
var EmptyServerName = &Pass{
	Name:    "empty-servername",
	Title:   "fill in or comment out a ServerName that lost its value",
	Default: true,
	Run:     runEmptyServerName,
	Doc: `Scraped copies of the web2py example lost the value of ServerName (a blog
engine turned the host name into a link; FACTS.md, "The broken
configurations"). httpd refuses the bare directive:

  ServerName takes one argument, The hostname and port of the server

With --server-name NAME the value is filled in. Without it the line is
commented out ("#ServerName", indentation and line ending kept) and the
finding asks for the name: httpd then starts, but the vhost inherits the
global ServerName (or the machine's host name), which is rarely the name
the site is reached by.
A bare ServerName in a scope that has another ServerName with a value is
redundant and is always commented out, never filled in.

A bare ServerAlias is accepted by httpd and does nothing; it is reported
(a name was probably lost the same way) and left alone.

Before (--server-name www.example.com):

  <VirtualHost *:80>
  ServerName
  </VirtualHost>

After:

  <VirtualHost *:80>
  ServerName www.example.com
  </VirtualHost>
`,
}

const serverNameUsage = "ServerName takes one argument, The hostname and port of the server"

func runEmptyServerName(c *Context) {
	empty := collect(c.Files, func(d *ast.Directive) bool {
		return d.IsAny("ServerName", "ServerAlias") && d.NumArgs() == 0
	})
	for _, d := range empty {
		f := FileOf(d)
		if d.Is("ServerAlias") {
			c.Report(f, d.Pos(), Warning, false,
				"%q has no value: httpd accepts it and it does nothing, a host name was probably lost", d.Name())
			continue
		}
		switch {
		case hasNamedServerName(d):
			commentOutLine(d)
			c.Report(f, d.Pos(), Error, true,
				"%q has no value and another one in the same scope has: commented out (httpd: %q)", d.Name(), serverNameUsage)
		case c.Opts.ServerName != "":
			d.SetArgs(c.Opts.ServerName)
			c.Report(f, d.Pos(), Error, true, "%q has no value: set to %q (httpd: %q)", d.Name(), c.Opts.ServerName, serverNameUsage)
		default:
			commentOutLine(d)
			c.Report(f, d.Pos(), Error, true,
				"%q has no value: commented out, give --server-name to set it (httpd: %q)", d.Name(), serverNameUsage)
		}
	}
}

// hasNamedServerName reports whether d's scope (its vhost, or the global
// server) holds a ServerName with a value.
func hasNamedServerName(d *ast.Directive) bool {
	scope := VirtualHostOf(d)
	if scope == nil {
		scope = FileOf(d).Root
	}
	for _, other := range DirectivesIn(scope, "ServerName") {
		if other.NumArgs() > 0 {
			return true
		}
	}
	return false
}

// commentOutLine replaces d by a comment holding its own bytes behind a '#':
// the indentation, continuation layout and line ending (even a missing one
// at the end of the file) stay exactly as written. The comment is built by
// parsing those bytes, so it is a real Comment node.
func commentOutLine(d *ast.Directive) {
	raw := string(d.Raw())
	indent := d.Indent()
	tmp, err := ast.Parse("", []byte(indent+"#"+raw[len(indent):]))
	if err != nil {
		panic(err) // d's own bytes parsed once already
	}
	ast.InsertAfter(d, tmp.Body()[0])
	ast.Remove(d)
}
