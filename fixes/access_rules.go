package fixes

import (
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// The access model's reading of one section body: what mod_access_compat,
// mod_authz_core, mod_authn_core and mod_ssl take from it. This is the
// per-section half of the model (access_model.go merges the sections that
// apply to a request, access_decide.go decides). It follows httpd 2.4's
// modules/aaa/mod_authz_core.c and mod_access_compat.c.

// authzMerge is AuthMerging's value in one section.
type authzMerge uint8

const (
	mergeUnset authzMerge = iota
	mergeOff
	mergeAnd
	mergeOr
)

// authzResult is a provider's or container's answer (authz_status).
type authzResult uint8

const (
	azNeutral authzResult = iota
	azGranted
	azDenied
	azDeniedNoUser // a user could change it: authenticate first
	azUnknown      // outside the model
)

// rule is mod_authz_core's authz_section_conf: one Require line (provider
// set) or a container of rules combined by and/or, possibly negated.
type rule struct {
	provider string // lower case; "" for a container
	args     []string
	and      bool // container: AUTHZ_LOGIC_AND, else OR
	negate   bool
	kids     []*rule
}

// sectionAccess is what one section sets for the access checks. A nil
// field means the section does not use that module, so the value merged
// from the sections before it stands (httpd creates a module's per-section
// config only when one of its directives is used there).
type sectionAccess struct {
	compat       *compatRules // Order/Allow/Deny/Satisfy: replaces, no merge
	authz        *rule        // the section's Require lines, an implicit RequireAny
	merging      authzMerge
	authType     *string // AuthType: "" for None
	userFile     bool    // AuthUserFile set
	sslRequired  bool    // SSLRequireSSL
	forbidOnFail bool    // AuthzSendForbiddenOnFailure On
	// unknown says why the section's access cannot be modelled (Limit,
	// SSLRequire, an unknown provider…): a request it applies to has an
	// Unknown verdict.
	unknown string
}

// readSectionAccess reads the access directives of a section body; nested
// Require containers become rules, other sections (Files inside Directory)
// are the model's business, conditionals mark the body unknown when they
// hold access directives.
func readSectionAccess(body []ast.Node) sectionAccess {
	var a sectionAccess
	var compat []*ast.Directive
	for _, n := range body {
		switch n := n.(type) {
		case *ast.Directive:
			if n.Kind() != ast.Plain {
				continue
			}
			switch {
			case isCompat(n):
				compat = append(compat, n)
			case n.Is("Require"):
				r, problem := readRequireLine(n)
				if problem != "" {
					a.unknown = problem
					continue
				}
				if a.authz == nil {
					a.authz = &rule{}
				}
				a.authz.kids = append(a.authz.kids, r)
			case n.Is("AuthMerging"):
				switch strings.ToLower(n.Arg(0)) {
				case "off":
					a.merging = mergeOff
				case "and":
					a.merging = mergeAnd
				case "or":
					a.merging = mergeOr
				}
			case n.Is("AuthType"):
				t := n.Arg(0)
				if strings.EqualFold(t, "none") {
					t = ""
				}
				a.authType = &t
			case n.Is("AuthUserFile"):
				a.userFile = true
			case n.Is("AuthBasicProvider"):
				if !strings.EqualFold(n.Arg(0), "file") || n.NumArgs() != 1 {
					a.unknown = "AuthBasicProvider other than file"
				}
			case n.Is("AuthzSendForbiddenOnFailure"):
				a.forbidOnFail = strings.EqualFold(n.Arg(0), "on")
			case n.Is("SSLRequireSSL"):
				a.sslRequired = true
			case n.IsAny("SSLRequire", "AuthBasicFake", "AuthBasicAuthoritative", "AuthGroupFile", "AuthzGroupFileAuthoritative"):
				a.unknown = "\"" + n.Name() + "\" is outside the access model"
			}
		case *ast.Section:
			switch {
			case n.Open != nil && n.Open.IsAny(requireSections...):
				r, problem := readRequireSection(n)
				if problem != "" {
					a.unknown = problem
					continue
				}
				if a.authz == nil {
					a.authz = &rule{}
				}
				a.authz.kids = append(a.authz.kids, r)
			case n.Open != nil && n.Open.IsAny("Limit", "LimitExcept", "If", "ElseIf", "Else"):
				if holdsAccess(n) {
					a.unknown = "access directives inside <" + n.Name() + ">"
				}
			case ast.IsConditional(n.Name()):
				if holdsAccess(n) {
					a.unknown = "access directives inside <" + n.Name() + ">"
				}
			}
		}
	}
	if len(compat) > 0 {
		c, problem := readCompat(compat)
		if problem != "" {
			a.unknown = problem
		}
		c.dirs = nil // the model keeps no nodes
		a.compat = &c
	}
	return a
}

// modelProviders are the Require providers the model can decide for a
// probe (host and env as facts tried both ways); any other (expr, group,
// ldap-…) makes a rule unknown.
var modelProviders = []string{"all", "ip", "local", "valid-user", "user", "method", "ssl", "host", "env"}

func readRequireLine(d *ast.Directive) (*rule, string) {
	r := &rule{}
	args := d.Values()
	if len(args) > 0 && strings.EqualFold(args[0], "not") {
		r.negate, args = true, args[1:]
	}
	if len(args) == 0 {
		return nil, "a Require line without a provider"
	}
	r.provider, r.args = strings.ToLower(args[0]), args[1:]
	for _, p := range modelProviders {
		if r.provider == p {
			return r, ""
		}
	}
	return nil, "\"Require " + args[0] + "\" is outside the access model"
}

func readRequireSection(s *ast.Section) (*rule, string) {
	r := &rule{}
	switch {
	case s.Is("RequireAll"):
		r.and = true
	case s.Is("RequireNone"):
		r.negate = true
	}
	for _, n := range s.Body {
		switch n := n.(type) {
		case *ast.Directive:
			if n.Kind() != ast.Plain {
				continue
			}
			if !n.Is("Require") {
				if isCompat(n) || isAuthConfig(n) {
					return nil, "\"" + n.Name() + "\" inside <" + s.Name() + ">"
				}
				continue
			}
			k, problem := readRequireLine(n)
			if problem != "" {
				return nil, problem
			}
			r.kids = append(r.kids, k)
		case *ast.Section:
			if n.Open == nil || !n.Open.IsAny(requireSections...) {
				return nil, "<" + n.Name() + "> inside <" + s.Name() + ">"
			}
			k, problem := readRequireSection(n)
			if problem != "" {
				return nil, problem
			}
			r.kids = append(r.kids, k)
		}
	}
	return r, ""
}

// eval is apply_authz_sections: the rule's answer for a probe.
func (r *rule) eval(p *probe) authzResult {
	var res authzResult
	if r.provider != "" {
		res = p.provider(r.provider, r.args)
	} else {
		res = azNeutral
		for _, k := range r.kids {
			kr := k.eval(p)
			if kr == azUnknown {
				return azUnknown
			}
			if kr == azNeutral {
				continue
			}
			if r.and {
				if kr == azDenied {
					res = kr
					break
				}
				if (kr == azDeniedNoUser && res != azDenied) || res == azNeutral {
					res = kr
				}
			} else {
				if kr == azGranted {
					res = kr
					break
				}
				if (kr == azDeniedNoUser && res == azDenied) || res == azNeutral {
					res = kr
				}
			}
		}
	}
	if r.negate {
		switch res {
		case azGranted:
			res = azDenied
		case azDenied, azDeniedNoUser:
			res = azNeutral
		}
	}
	return res
}
