package fixes

import (
	"fmt"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// Access control shared by location-access and access-compat: reading httpd
// 2.2 host rules (mod_access_compat: Order, Allow, Deny, Satisfy) as
// mod_authz_core rules, classifying Require lines, and writing grants and
// denials in the syntax Options.Apache asks for.

// compatDirectives are mod_access_compat's directives (Satisfy moved there
// from core in 2.4).
var compatDirectives = []string{"Order", "Allow", "Deny", "Satisfy"}

// hostProviders are the Require providers that test the request, not the
// user: mod_authz_core, mod_authz_host and mod_ssl. Any other provider
// (valid-user, user, group, ldap-…) is authentication.
var hostProviders = []string{
	"all", "ip", "host", "forward-dns", "env", "local", "method", "expr", "ssl", "ssl-verify-client",
}

// requireSections are mod_authz_core's containers.
var requireSections = []string{"RequireAll", "RequireAny", "RequireNone"}

// isCompat reports whether d is a mod_access_compat directive.
func isCompat(d *ast.Directive) bool { return d.Kind() == ast.Plain && d.IsAny(compatDirectives...) }

// isAuthRequire reports whether d is a Require line naming users (2.2 and
// 2.4 share these), as opposed to a 2.4 host rule.
func isAuthRequire(d *ast.Directive) bool {
	if !d.Is("Require") || d.NumArgs() == 0 {
		return false
	}
	p := d.Arg(0)
	if strings.EqualFold(p, "not") {
		return false
	}
	for _, h := range hostProviders {
		if strings.EqualFold(p, h) {
			return false
		}
	}
	return true
}

// isAuthConfig reports whether d sets up authentication (AuthType,
// AuthUserFile, AuthBasicProvider…) or requires a user.
func isAuthConfig(d *ast.Directive) bool {
	n := d.Name()
	return isAuthRequire(d) || (hasPrefixFold(n, "auth") && !hasPrefixFold(n, "authz") && !strings.EqualFold(n, "AuthMerging"))
}

// isGrantAll reports whether d is "Require all granted".
func isGrantAll(d *ast.Directive) bool {
	return d.Is("Require") && d.NumArgs() == 2 && strings.EqualFold(d.Arg(0), "all") && strings.EqualFold(d.Arg(1), "granted")
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case, without
// allocating a lower-cased copy.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// --- authz rules --------------------------------------------------------

type authzOp uint8

const (
	requireLine authzOp = iota
	requireAll
	requireAny
)

// authz is a mod_authz_core rule: one Require line or a container.
type authz struct {
	op       authzOp
	not      bool
	provider string
	args     []string
	kids     []authz
	node     *ast.Directive // an existing Require line, moved as it is
}

var (
	allGranted = authz{provider: "all", args: []string{"granted"}}
	allDenied  = authz{provider: "all", args: []string{"denied"}}
)

func (a authz) is(b authz) bool {
	return a.op == requireLine && b.op == requireLine && a.not == b.not &&
		a.provider == b.provider && strings.Join(a.args, " ") == strings.Join(b.args, " ")
}

// words are a Require line's arguments: [not] provider args...
func (a authz) words() []string {
	w := append([]string{a.provider}, a.args...)
	if a.not {
		w = append([]string{"not"}, w...)
	}
	return w
}

// anyOf and allOf build containers, skipping the container for one rule.
func anyOf(kids ...authz) authz {
	if len(kids) == 1 {
		return kids[0]
	}
	return authz{op: requireAny, kids: kids}
}

func allOf(kids ...authz) authz {
	if len(kids) == 1 {
		return kids[0]
	}
	return authz{op: requireAll, kids: kids}
}

// --- mod_access_compat ---------------------------------------------------

// compatRules are the Order/Allow/Deny/Satisfy lines of one section body.
// mod_access_compat has no merge function: a section that uses any of them
// starts from the defaults (Order Deny,Allow, no hosts, Satisfy All) and
// inherits nothing, so one body is a complete host rule.
type compatRules struct {
	order   string // "deny,allow", "allow,deny" or "mutual-failure"
	allow   []string
	deny    []string
	satisfy string // "all" or "any"
	dirs    []*ast.Directive
}

// readCompat reads the compat lines dirs; problem says why they have no
// meaning httpd would accept.
func readCompat(dirs []*ast.Directive) (c compatRules, problem string) {
	c = compatRules{order: "deny,allow", satisfy: "all", dirs: dirs}
	for _, d := range dirs {
		n, v := d.NumArgs(), d.Arg
		switch {
		case d.Is("Order"):
			if n != 1 {
				return c, fmt.Sprintf("%q takes one argument", d.Name())
			}
			o := v(0)
			switch { // the constant, not a lower-cased copy
			case strings.EqualFold(o, "deny,allow"):
				c.order = "deny,allow"
			case strings.EqualFold(o, "allow,deny"):
				c.order = "allow,deny"
			case strings.EqualFold(o, "mutual-failure"):
				c.order = "mutual-failure"
			default:
				return c, fmt.Sprintf("unknown order %q", o)
			}
		case d.Is("Satisfy"):
			if n != 1 || (!strings.EqualFold(v(0), "any") && !strings.EqualFold(v(0), "all")) {
				return c, fmt.Sprintf("%q takes \"Any\" or \"All\"", d.Name())
			}
			c.satisfy = "all"
			if strings.EqualFold(v(0), "any") {
				c.satisfy = "any"
			}
		default: // Allow, Deny
			if n < 2 || !strings.EqualFold(v(0), "from") {
				return c, fmt.Sprintf("%q must be followed by \"from\" and hosts", d.Name())
			}
			list := &c.deny
			if d.Is("Allow") {
				list = &c.allow
			}
			for i := 1; i < n; i++ {
				*list = append(*list, v(i))
			}
		}
	}
	return c, ""
}

// hostKind tells how mod_access_compat reads an Allow/Deny argument, as the
// authz provider that tests the same thing: "all", "env", "ip" or "host".
func hostKind(spec string) string {
	switch {
	case strings.EqualFold(spec, "all"):
		return "all"
	case hasPrefixFold(spec, "env="):
		return "env"
	case strings.Contains(spec, "/"), strings.Contains(spec, ":"):
		return "ip" // a.b.c.d/nn, a.b.c.d/m.m.m.m, IPv6
	case strings.Trim(spec, "0123456789.") == "":
		return "ip" // full or partial address: 10.1, 192.168.2.3
	}
	return "host"
}

// hostList turns Allow/Deny arguments into Require lines, one per provider
// in order of first use ("Require ip 10.1 192.168.2.3"), negated when not
// is set. env=!VAR inverts its line. hasAll reports "from all".
func hostList(specs []string, not bool) (lines []authz, hasAll bool) {
	for _, s := range specs {
		kind := hostKind(s)
		if kind == "all" {
			hasAll = true
			continue
		}
		neg, arg := not, s
		if kind == "env" {
			arg = s[len("env="):]
			if strings.HasPrefix(arg, "!") {
				arg, neg = arg[1:], !neg
			}
		}
		i := 0
		for i < len(lines) && (lines[i].not != neg || lines[i].provider != kind) {
			i++
		}
		if i == len(lines) {
			lines = append(lines, authz{not: neg, provider: kind})
		}
		lines[i].args = append(lines[i].args, arg)
	}
	return lines, hasAll
}

// hostRule is the host part of a compat body (Order, Allow, Deny) as one
// authz rule, following mod_access_compat: with Order Deny,Allow a client is
// let in unless a Deny matches and no Allow does; with Order Allow,Deny (and
// Mutual-failure) only when an Allow matches and no Deny does. problem is
// set when the lists have no exact 2.4 form.
func (c compatRules) hostRule() (rule authz, problem string) {
	allow, allowAll := hostList(c.allow, false)
	deny, denyAll := hostList(c.deny, true)
	for _, a := range allow {
		if a.not {
			return authz{}, `"Allow from env=!VAR" has no exact 2.4 form`
		}
	}
	if c.order == "deny,allow" {
		switch {
		case allowAll || len(c.deny) == 0:
			return allGranted, ""
		case denyAll && len(allow) == 0:
			return allDenied, ""
		case denyAll:
			return anyOf(allow...), ""
		}
		rest := allOf(append([]authz{allGranted}, deny...)...)
		return anyOf(append(allow, rest)...), ""
	}
	if len(c.allow) == 0 || denyAll {
		return allDenied, ""
	}
	positive := allGranted
	if !allowAll {
		positive = anyOf(allow...)
	}
	if len(deny) == 0 {
		return positive, ""
	}
	return allOf(append([]authz{positive}, deny...)...), ""
}

// --- reading a section's access control ------------------------------------

// accessControl is what one section body says about access.
type accessControl struct {
	compat   []*ast.Directive // Order, Allow, Deny, Satisfy
	requires []*ast.Directive // Require lines
	sections []*ast.Section   // RequireAll/Any/None
	auth     []*ast.Directive // AuthType… and Require user-ish
	ssl      []*ast.Directive // SSLRequireSSL, SSLRequire
	// nested is set when conditional sections inside hold access
	// directives: they belong to the same body but may not apply.
	nested bool
}

// readAccess collects the access directives of s's body.
func readAccess(s *ast.Section) accessControl {
	var a accessControl
	for _, n := range s.Body {
		switch n := n.(type) {
		case *ast.Directive:
			if n.Kind() != ast.Plain {
				continue
			}
			switch {
			case isCompat(n):
				if a.compat == nil { // Order and Allow come in pairs, or more
					a.compat = make([]*ast.Directive, 0, 4)
				}
				a.compat = append(a.compat, n)
			case n.Is("Require"):
				a.requires = append(a.requires, n)
				if isAuthRequire(n) {
					a.auth = append(a.auth, n)
				}
			case isAuthConfig(n):
				a.auth = append(a.auth, n)
			case n.IsAny("SSLRequireSSL", "SSLRequire"):
				a.ssl = append(a.ssl, n)
			}
		case *ast.Section:
			switch {
			case n.Open != nil && n.Open.IsAny(requireSections...):
				a.sections = append(a.sections, n)
			case ast.IsConditional(n.Name()) && holdsAccess(n):
				a.nested = true
			}
		}
	}
	return a
}

// holdsAccess reports whether s holds access directives at any depth.
func holdsAccess(s *ast.Section) bool {
	found := false
	ast.InspectSection(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Directive:
			found = found || isCompat(n) || n.Is("Require") || isAuthConfig(n) || n.IsAny("SSLRequireSSL", "SSLRequire")
		case *ast.Section:
			found = found || (n.Open != nil && n.Open.IsAny(requireSections...))
		}
		return !found
	})
	return found
}

// urlGrant is the verdict on a <Location>'s access control: whether it
// grants access by URL and which lines make the grant.
type urlGrant struct {
	grants  bool             // it lets everyone in
	lines   []*ast.Directive // the lines that make the grant, to move
	problem string           // set when it grants but cannot be split safely
}

// locationGrant reads a Location body. Everyone is let in by a compat body
// whose host rule is "all granted", or by "Require all granted". The grant
// can be moved out only when what stays behind (SSLRequireSSL, Require ssl,
// authentication) restricts exactly as before: with Satisfy All (the
// default) compat host rules and Require rules must both pass, so dropping a
// granted side changes nothing; with Satisfy Any, or next to other Require
// lines (an implicit RequireAny), dropping it would lock people out.
func locationGrant(s *ast.Section) urlGrant {
	a := readAccess(s)
	var g urlGrant
	var compatGranted bool
	var c compatRules
	if len(a.compat) > 0 {
		var problem string
		c, problem = readCompat(a.compat)
		var host authz
		if problem == "" {
			host, problem = c.hostRule()
		}
		if problem != "" {
			return urlGrant{problem: problem}
		}
		compatGranted = host.is(allGranted)
	}
	var grantLines, otherRequires []*ast.Directive
	for _, d := range a.requires {
		if isGrantAll(d) {
			grantLines = append(grantLines, d)
		} else {
			otherRequires = append(otherRequires, d)
		}
	}
	if !compatGranted && len(grantLines) == 0 {
		return g // restrictions only, or nothing
	}
	g.grants = true
	if a.nested {
		g.problem = "access directives inside conditional sections"
		return g
	}
	if len(grantLines) > 0 && (len(otherRequires) > 0 || len(a.sections) > 0) {
		g.problem = fmt.Sprintf("%q next to other Require rules grants everyone", "Require all granted")
		return g
	}
	anySatisfy := len(a.compat) > 0 && c.satisfy == "any"
	if anySatisfy && (len(a.requires) > 0 || len(a.sections) > 0 || len(a.auth) > 0) {
		g.problem = fmt.Sprintf("%q lets the grant override the other rules", "Satisfy Any")
		return g
	}
	g.lines = grantLines
	if compatGranted {
		g.lines = append(a.compat, grantLines...) // a is this call's own
	}
	return g
}

// --- writing grants --------------------------------------------------------

// appendGrantLines appends "let everyone in" in the syntax opts.Apache
// asks for.
func appendGrantLines(m ast.Maker, to []ast.Node, opts Options) []ast.Node {
	if opts.Apache == "2.2" {
		return append(to, m.NewDirective("Order", "allow,deny"), m.NewDirective("Allow", "from", "all"))
	}
	return append(to, m.NewDirective("Require", "all", "granted"))
}

// appendDenyLines appends "let nobody in" in the syntax opts.Apache asks
// for.
func appendDenyLines(m ast.Maker, to []ast.Node, opts Options) []ast.Node {
	if opts.Apache == "2.2" {
		return append(to, m.NewDirective("Order", "deny,allow"), m.NewDirective("Deny", "from", "all"))
	}
	return append(to, m.NewDirective("Require", "all", "denied"))
}

// newGrantedDirectory returns <Directory "dir"> granting everyone.
func (c *Context) newGrantedDirectory(dir string) *ast.Section {
	var body [2]ast.Node // NewSection copies it
	return c.maker.NewSection("Directory", []string{dir}, appendGrantLines(c.maker, body[:0], c.Opts)...)
}

// newScriptDirectory returns the web2py layout for a WSGI script: its
// directory denied, the script file alone granted.
func (c *Context) newScriptDirectory(dir, script string) *ast.Section {
	var body [3]ast.Node // NewSection copies it
	files := c.maker.NewSection("Files", []string{script}, appendGrantLines(c.maker, body[:0], c.Opts)...)
	return c.maker.NewSection("Directory", []string{dir}, append(appendDenyLines(c.maker, body[:0], c.Opts), files)...)
}
