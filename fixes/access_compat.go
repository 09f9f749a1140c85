package fixes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// AccessCompat is the access-compat pass.
var AccessCompat = &Pass{
	Name:    "access-compat",
	Title:   "rewrite Order/Allow/Deny/Satisfy as httpd 2.4 Require rules",
	Doc:     accessCompatDoc,
	Default: true,
	Run:     runAccessCompat,
}

// compatMissing is what httpd 2.4 says about a 2.2 access directive when
// mod_access_compat is not loaded.
const compatMissing = "Invalid command '%s', perhaps misspelled or defined by a module not included in the server configuration"

const accessCompatDoc = `httpd 2.4 replaced the host-based access control of 2.2 (Order, Allow,
Deny, Satisfy) with mod_authz_core's Require. The old directives live on
only in mod_access_compat; without it httpd stops at the first one:
"Invalid command 'Order', perhaps misspelled or defined by a module not
included in the server configuration". Mixing old and new in one scope is
discouraged (httpd "Upgrading to 2.4 from 2.2").

With --apache 2.4 (the default) each block of Order/Allow/Deny/Satisfy in a
<Directory>, <Files>, <Location>, <Proxy> section (and their Match forms)
becomes the Require rules that let in exactly the same requests, at the
place of the first line it replaces; comments stay. The upgrading guide's
table:

    Order deny,allow + Deny from all          Require all denied
    Order allow,deny + Allow from all         Require all granted
    Order Deny,Allow + Deny from all
      + Allow from example.org                Require host example.org
    Allow from 10.1 192.168.2.3               Require ip 10.1 192.168.2.3
    Satisfy Any + Allow from 127.0.0.1 + auth Require ip 127.0.0.1
                                              Require valid-user
    Satisfy All + Allow from 127.0.0.1 + auth <RequireAll> with both

and the rules behind it (mod_access_compat): Order Deny,Allow (also the
default) lets a client in unless a Deny matches and no Allow does, which is
<RequireAny> of the Allow list and <RequireAll> "Require all granted" +
"Require not" the Deny list; Order Allow,Deny (and Mutual-failure) lets it in
only if an Allow matches and no Deny does, which is <RequireAll> of the Allow
list and "Require not" the Deny list. "from all" is "all"; addresses,
partial addresses (10.1), a.b.c.d/nn and a.b.c.d/m.m.m.m are "ip"; host
names and domain suffixes are "host"; env=VAR is "env VAR" and env=!VAR
"not env VAR". "Require not" is only written inside <RequireAll> next to a
positive rule, where httpd accepts it.

Each rewrite is proved first with the access model, as location-access's
are (see "wsgifix explain location-access"): sections merge, so a 2.4
Require in a <Directory> is replaced by a later <Location>'s (FreeIPA's
"Satisfy Any" + "Allow from all" under an authenticated Location would
then ask for a login). A rewrite that would change who gets in is left
alone, and the finding names the request.

Reported and left alone, where there is no exact 2.4 form: Satisfy Any
without authentication in the same block (it depends on rules set
elsewhere), a block without authentication inside a section that has some
(2.4 would drop the inherited requirement), "Allow from env=!VAR", old and
new directives mixed in one block, blocks inside <Limit>/<LimitExcept>, and
blocks split across conditional sections. Blocks guarded for 2.2 (inside
<IfVersion>, <IfModule mod_access_compat.c>, <IfModule !mod_authz_core.c>)
are left alone silently.

With --apache 2.2 this pass changes nothing.

Before:
    <Directory "/srv/app">
        Order deny,allow
        Deny from all
        Allow from 10.1 192.168.2.3
    </Directory>

After:
    <Directory "/srv/app">
        Require ip 10.1 192.168.2.3
    </Directory>`

// accessSections are where compat directives are valid and rewritten.
var accessSections = []string{
	"Directory", "DirectoryMatch", "Files", "FilesMatch", "Location", "LocationMatch", "Proxy", "ProxyMatch",
}

// compatBlocks are the sections the pass looks at: accessSections, and the
// Limit sections where it only reports.
var compatBlocks = append(append([]string{}, accessSections...), "Limit", "LimitExcept")

func runAccessCompat(c *Context) {
	if c.Opts.Apache != "2.4" {
		return
	}
	blocks := collectSections(c.Files, func(s *ast.Section) bool { return s.Open.IsAny(compatBlocks...) })
	if len(blocks) == 0 {
		return
	}
	// A block's rewrite reads the sections around it, which may be blocks
	// too, so blocks under one top-level section are one part. Each
	// rewrite is proved on the tree as it stands, and a vhost's proof
	// reads the server level: server-level blocks go first, one at a
	// time, then the vhosts' parts, which touch nothing another reads.
	pr := newAccessProver(c.Files)
	var server, vhosts [][]*ast.Section
	for _, part := range byTopLevel(blocks) {
		if VirtualHostOf(part[0]) == nil {
			server = append(server, part)
		} else {
			vhosts = append(vhosts, part)
		}
	}
	for _, part := range server {
		for _, s := range part {
			if migrateAccess(c, pr, s) {
				pr.changed()
			}
		}
	}
	c.eachPart(len(vhosts), pr.settle, func(c *Context, i int) {
		for _, s := range vhosts[i] {
			migrateAccess(c, pr, s)
		}
	})
}

// byTopLevel groups sections, in order, by the top-level node of their
// file that holds them.
func byTopLevel(secs []*ast.Section) [][]*ast.Section {
	var parts [][]*ast.Section
	var last ast.Node
	for _, s := range secs {
		top := ast.Node(s)
		for top.Parent() != nil && !top.Parent().IsRoot() {
			top = top.Parent()
		}
		if len(parts) == 0 || top != last {
			parts = append(parts, nil)
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], s)
		last = top
	}
	return parts
}

// migrateAccess rewrites the compat block of section s, or reports why
// not; it reports whether it rewrote it.
func migrateAccess(c *Context, pr *accessProver, s *ast.Section) bool {
	a := readAccess(s)
	file := FileOf(s)
	if len(a.compat) == 0 {
		if d := unguardedCompat(s); d != nil {
			c.Report(file, d.Pos(), Warning, false, "2.2 access control %q inside a conditional section left alone: rewrite it by hand", directiveText(d))
		}
		return false
	}
	first := a.compat[0]
	leave := func(format string, args ...any) {
		c.Report(file, first.Pos(), Warning, false, "2.2 access control %q left alone: %s", directiveText(first), sprintf(format, args...))
	}
	if s.Open.IsAny("Limit", "LimitExcept") {
		leave("inside <%s> 2.4 applies Require per method differently; rewrite it by hand", s.Name())
		return false
	}
	if a.nested {
		leave("part of it is inside a conditional section")
		return false
	}
	for _, d := range a.requires {
		if !isAuthRequire(d) {
			leave("mixed with the 2.4 rule %q in the same section", directiveText(d))
			return false
		}
	}
	if len(a.sections) > 0 {
		leave("mixed with <%s> in the same section", a.sections[0].Name())
		return false
	}
	rules, problem := readCompat(a.compat)
	var host authz
	if problem == "" {
		host, problem = rules.hostRule()
	}
	if problem != "" {
		leave("%s", problem)
		return false
	}
	auth := a.requires // all are authentication here
	if len(auth) == 0 {
		if rules.satisfy == "any" && !host.is(allGranted) {
			leave("%q without authentication in this section depends on rules set elsewhere", "Satisfy Any")
			return false
		}
		if len(a.auth) > 0 {
			leave("authentication is set up here but required elsewhere, which a 2.4 Require here would override")
			return false
		}
		if p := authAbove(s); p != nil {
			leave("<%s> around it requires authentication, which a 2.4 Require here would override", p.Name())
			return false
		}
	}
	if s.Open.IsAny("Proxy", "ProxyMatch") {
		if loc := locationOverProxy(s); loc != nil {
			leave("%s may apply to the proxied URLs too and merges after <%s>; the model does not follow proxied requests", tagText(loc), s.Name())
			return false
		}
	}
	rule, replaced := compatRewrite(host, rules.satisfy, a.compat, auth)
	at := len(s.Body)
	for _, d := range replaced {
		at = min(at, s.Index(d))
	}
	var added []ast.Node
	if rule != nil {
		added = renderAuthz(copyNodes(*rule), requireAny)
	}
	// The body the rewrite leaves, for the model to prove first; the
	// lines it moves are copies until it is proved.
	body := make([]ast.Node, 0, len(s.Body)+len(added))
	for i, n := range s.Body {
		if i == at {
			body = append(body, added...)
		}
		if d, ok := n.(*ast.Directive); !ok || !slices.Contains(replaced, d) {
			body = append(body, n)
		}
	}
	if at == len(s.Body) {
		body = append(body, added...)
	}
	proved := pr.prove(s, &rewrite{bodies: map[*ast.Section][]ast.Node{s: body}}, nil)
	if !proved.ok() {
		leave("rewriting it as %q: %s", summarizeAuthz(rule, requireAny), proved.problem())
		return false
	}
	for _, d := range replaced {
		ast.Remove(d)
	}
	if rule != nil {
		s.Insert(at, renderAuthz(*rule, requireAny)...)
	}
	c.Report(file, first.Pos(), Warning, true,
		"2.2 access control %q needs mod_access_compat (without it httpd says %q): rewritten as %q%s",
		directiveText(first), fmt.Sprintf(compatMissing, first.Name()), summarizeAuthz(rule, requireAny), proved.declared())
	return true
}

// compatRewrite returns the rule that replaces a compat block (nil: none,
// the authentication lines alone decide) and the lines it replaces.
// Satisfy Any lets in the host rule or an authenticated user: the host
// rule's Require lines beside the authentication ones, an implicit
// RequireAny. Satisfy All needs both: one <RequireAll>, the authentication
// lines moved into it.
func compatRewrite(host authz, satisfy string, compat, auth []*ast.Directive) (*authz, []*ast.Directive) {
	switch {
	case len(auth) == 0:
		return &host, compat
	case satisfy == "any" && host.is(allDenied):
		return nil, compat // only the users get in
	case satisfy == "any":
		return &host, compat
	case host.is(allGranted):
		return nil, compat // only the users count
	}
	kids := []authz{host}
	for _, d := range auth {
		kids = append(kids, authz{node: d})
	}
	rule := allOf(kids...)
	return &rule, append(append([]*ast.Directive{}, compat...), auth...)
}

// copyNodes returns rule with the existing Require lines it moves
// replaced by new lines of the same words, so that it can be rendered
// without taking them out of the tree.
func copyNodes(rule authz) authz {
	if rule.node != nil {
		return authz{node: ast.NewDirective("Require", rule.node.Values()...)}
	}
	kids := make([]authz, len(rule.kids))
	for i, k := range rule.kids {
		kids[i] = copyNodes(k)
	}
	rule.kids = kids
	return rule
}

// renderAuthz writes rule as nodes for a context whose implicit container
// is ctx: the top level of a section is an implicit RequireAny.
func renderAuthz(rule authz, ctx authzOp) []ast.Node {
	switch {
	case rule.node != nil:
		return []ast.Node{rule.node}
	case rule.op == requireLine:
		return []ast.Node{ast.NewDirective("Require", rule.words()...)}
	case rule.op == ctx:
		var out []ast.Node
		for _, k := range rule.kids {
			out = append(out, renderAuthz(k, ctx)...)
		}
		return out
	}
	name := "RequireAll"
	if rule.op == requireAny {
		name = "RequireAny"
	}
	var body []ast.Node
	for _, k := range rule.kids {
		body = append(body, renderAuthz(k, rule.op)...)
	}
	return []ast.Node{ast.NewSection(name, nil, body...)}
}

// summarizeAuthz prints a rule on one line for a message, in the context of a
// section's top level (an implicit RequireAny): "Require ip 10.1; <RequireAll>
// Require all granted; Require not ip 10.1.0.99 </RequireAll>".
func summarizeAuthz(rule *authz, ctx authzOp) string {
	switch {
	case rule == nil:
		return "the authentication rules alone"
	case rule.node != nil:
		return directiveText(rule.node)
	case rule.op == requireLine:
		return "Require " + strings.Join(rule.words(), " ")
	}
	parts := make([]string, len(rule.kids))
	for i := range rule.kids {
		parts[i] = summarizeAuthz(&rule.kids[i], rule.op)
	}
	if rule.op == ctx {
		return strings.Join(parts, "; ")
	}
	name := "RequireAll"
	if rule.op == requireAny {
		name = "RequireAny"
	}
	return "<" + name + "> " + strings.Join(parts, "; ") + " </" + name + ">"
}

// authAbove returns the nearest enclosing section that sets up
// authentication, or nil.
func authAbove(s *ast.Section) *ast.Section {
	for p := s.Parent(); p != nil && !p.IsRoot(); p = p.Parent() {
		for _, n := range levelNodes(p) {
			if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && isAuthConfig(d) {
				return p
			}
		}
	}
	return nil
}

// unguardedCompat returns the first compat directive of s that sits in a
// conditional section not written to keep 2.2 syntax away from 2.4, or nil.
func unguardedCompat(s *ast.Section) *ast.Directive {
	var found *ast.Directive
	for _, n := range s.Body {
		sub, ok := n.(*ast.Section)
		if !ok || !ast.IsConditional(sub.Name()) || guardsCompat(sub) {
			continue
		}
		ast.InspectSection(sub, func(m ast.Node) bool {
			if d, ok := m.(*ast.Directive); ok && found == nil && isCompat(d) {
				found = d
			}
			if inner, ok := m.(*ast.Section); ok && (!ast.IsConditional(inner.Name()) || guardsCompat(inner)) {
				return false
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// guardsCompat reports whether a conditional keeps its body to servers
// that understand 2.2 access syntax: a version test, or a module test for
// mod_access_compat present or mod_authz_core absent.
func guardsCompat(s *ast.Section) bool {
	arg := strings.ToLower(strings.Join(s.Open.Values(), " "))
	switch {
	case s.Is("IfVersion"):
		return true
	case s.Is("IfModule") && strings.Contains(arg, "access_compat") && !strings.HasPrefix(arg, "!"):
		return true
	case s.Is("IfModule") && strings.Contains(arg, "authz_core") && strings.HasPrefix(arg, "!"):
		return true
	}
	return false
}

// locationOverProxy returns a <Location> carrying access control that may
// apply to requests proxied through s (it merges after <Proxy>, so its
// rules and s's combine), or nil. Requests reach a <Proxy> through
// ProxyPass URLs, or as full URLs when the server is a forward proxy.
func locationOverProxy(s *ast.Section) *ast.Section {
	var levels []*ast.Section
	if vh := VirtualHostOf(s); vh != nil {
		levels = append(levels, vh)
	}
	levels = append(levels, FileOf(s).Root)
	var prefixes []string
	anyURL := false
	for _, l := range levels {
		for _, n := range Scope(l) {
			if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && d.IsAny("ProxyPass", "ProxyPassMatch") {
				if d.Is("ProxyPassMatch") || d.NumArgs() < 2 {
					anyURL = true
				}
				prefixes = append(prefixes, d.Arg(0))
			}
		}
	}
	for _, l := range levels {
		for _, n := range Scope(l) {
			loc := asLocation(n)
			if loc == nil {
				continue
			}
			a := readSectionAccess(loc.Body)
			if a.compat == nil && a.authz == nil && a.authType == nil && !a.sslRequired && a.merging == mergeUnset && a.unknown == "" {
				continue
			}
			pat := loc.Open.Arg(loc.Open.NumArgs() - 1)
			reaches := anyURL || loc.Is("LocationMatch") || !strings.HasPrefix(pat, "/")
			for _, p := range prefixes {
				reaches = reaches || strings.HasPrefix(p, pat) || strings.HasPrefix(pat, p)
			}
			if reaches {
				return loc
			}
		}
	}
	return nil
}
