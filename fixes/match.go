package fixes

import (
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// Shared matchers: how the passes find the things they talk about. They look
// through conditional sections (IfModule, IfDefine…) because httpd applies
// those in place, but not into other sections.

// VirtualHosts returns every <VirtualHost> of the run, in load order.
func VirtualHosts(files []*ast.File) []*ast.Section {
	return collectSections(files, func(s *ast.Section) bool { return s.Is("VirtualHost") })
}

// Scope returns the nodes that apply at s's level: s.Body with conditional
// sections opened up, in order.
func Scope(s *ast.Section) []ast.Node {
	var out []ast.Node
	var walk func(body []ast.Node)
	walk = func(body []ast.Node) {
		for _, n := range body {
			if sub, ok := n.(*ast.Section); ok && ast.IsConditional(sub.Name()) {
				walk(sub.Body)
				continue
			}
			out = append(out, n)
		}
	}
	walk(s.Body)
	return out
}

// DirectivesIn returns the plain directives named name at s's level
// (conditionals opened up), in order.
func DirectivesIn(s *ast.Section, name string) []*ast.Directive {
	var out []*ast.Directive
	for _, n := range levelNodes(s) {
		if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && d.Is(name) {
			out = append(out, d)
		}
	}
	return out
}

// SectionsIn returns the sections named name at s's level.
func SectionsIn(s *ast.Section, name string) []*ast.Section {
	var out []*ast.Section
	for _, n := range levelNodes(s) {
		if sub, ok := n.(*ast.Section); ok && sub.Is(name) {
			out = append(out, sub)
		}
	}
	return out
}

// AllDirectives returns every plain directive named name in the run, at any
// depth, in load order.
func AllDirectives(files []*ast.File, name string) []*ast.Directive {
	var out []*ast.Directive
	for _, f := range files {
		ast.Directives(f, func(d *ast.Directive) {
			if d.Is(name) {
				out = append(out, d)
			}
		})
	}
	return out
}

// VirtualHostOf returns the <VirtualHost> around n, or nil at global scope.
func VirtualHostOf(n ast.Node) *ast.Section { return ast.Enclosing(n, "VirtualHost") }

// ServerName returns the vhost's ServerName host (port stripped, lower
// case), or "" when it has none. The last one wins, as in httpd.
func ServerName(vh *ast.Section) string {
	ds := DirectivesIn(vh, "ServerName")
	if len(ds) == 0 {
		return ""
	}
	name := ds[len(ds)-1].Arg(0)
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.HasSuffix(name, "]") {
		name = name[:i]
	}
	if i := strings.Index(name, "://"); i >= 0 {
		name = name[i+3:]
	}
	return strings.ToLower(name)
}

// Option splits a "key=value" option argument (WSGIDaemonProcess and
// WSGIScriptAlias style); ok is false when arg has no '='.
func Option(arg string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(arg, "=")
	// mod_wsgi reads process-group="x" as x: the quotes belong to the value.
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return strings.ToLower(k), v, ok
}

// CleanDir normalises a directory path for comparison: no trailing slash.
func CleanDir(p string) string {
	for len(p) > 1 && strings.HasSuffix(p, "/") {
		p = p[:len(p)-1]
	}
	return p
}
