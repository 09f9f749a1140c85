package fixes

import (
	"net/netip"
	"strings"
)

// The access model's decision for one request, once the sections that
// apply to it are known (access_model.go): httpd 2.4's
// ap_process_request_internal with mod_access_compat loaded (Satisfy, then
// the access_checker hooks: Order/Allow/Deny and SSLRequireSSL), then
// mod_authz_core without a user (access_checker_ex), authentication
// (check_user_id) and mod_authz_core with the user (auth_checker).

// probe is a request as the model's providers see it.
type probe struct {
	client netip.Addr
	https  bool
	user   string // "" anonymous
	// facts are what the model cannot look up, as independent truths the
	// proof tries both ways: "host:NAME" (the client's double-reverse
	// name matches NAME, a host or a domain suffix) and "env:VAR" (the
	// variable is set). A rule asking a fact not here is unknown.
	facts map[string]bool
}

// fact is one of p.facts; ok is false when the probe does not say.
func (p *probe) fact(key string) (value, ok bool) {
	value, ok = p.facts[key]
	return value, ok
}

// factKey is the fact a host rule asks: "host:name" or "env:VAR".
func factKey(kind, arg string) string { return kind + ":" + strings.ToLower(arg) }

// provider is a Require provider's check_authorization.
func (p *probe) provider(name string, args []string) authzResult {
	yes := func(ok bool) authzResult {
		if ok {
			return azGranted
		}
		return azDenied
	}
	switch name {
	case "all":
		if len(args) == 1 && strings.EqualFold(args[0], "granted") {
			return azGranted
		}
		if len(args) == 1 && strings.EqualFold(args[0], "denied") {
			return azDenied
		}
	case "ip":
		for _, a := range args {
			m, ok := ipMatches(a, p.client)
			if !ok {
				return azUnknown
			}
			if m {
				return azGranted
			}
		}
		return azDenied
	case "local":
		return yes(p.client.IsLoopback())
	case "ssl":
		return yes(p.https)
	case "host", "env":
		for _, a := range args {
			v, ok := p.fact(factKey(name, a))
			if !ok {
				return azUnknown
			}
			if v {
				return azGranted
			}
		}
		return azDenied
	case "method":
		for _, m := range args {
			if m == "GET" {
				return azGranted
			}
		}
		return azDenied
	case "valid-user":
		if p.user == "" {
			return azDeniedNoUser
		}
		return azGranted
	case "user":
		if p.user == "" {
			return azDeniedNoUser
		}
		for _, u := range args {
			if u == p.user {
				return azGranted
			}
		}
		return azDenied
	}
	return azUnknown
}

// ipMatches reports whether client is in spec, an address, a partial
// address (10.1), a.b.c.d/nn or a.b.c.d/m.m.m.m, as mod_authz_host and
// mod_access_compat read them; ok is false for what the model cannot read
// (host names, IPv6).
func ipMatches(spec string, client netip.Addr) (match, ok bool) {
	if pfx, err := netip.ParsePrefix(spec); err == nil {
		return pfx.Contains(client), true
	}
	if a, err := netip.ParseAddr(spec); err == nil && (a.Is6() || strings.Count(spec, ".") == 3) {
		return a == client, true
	}
	if addr, mask, found := strings.Cut(spec, "/"); found {
		a, err1 := netip.ParseAddr(addr)
		m, err2 := netip.ParseAddr(mask)
		if err1 != nil || err2 != nil || !a.Is4() || !m.Is4() || !client.Is4() {
			return false, false
		}
		ab, mb, cb := a.As4(), m.As4(), client.As4()
		for i := range 4 {
			if ab[i]&mb[i] != cb[i]&mb[i] {
				return false, true
			}
		}
		return true, true
	}
	if strings.Trim(spec, "0123456789.") != "" || spec == "" || !client.Is4() {
		return false, false
	}
	parts := strings.Split(strings.TrimSuffix(spec, "."), ".")
	if len(parts) > 4 {
		return false, false
	}
	c := client.As4()
	for i, s := range parts {
		n := 0
		for _, ch := range s {
			n = n*10 + int(ch-'0')
		}
		if s == "" || n > 255 {
			return false, false
		}
		if byte(n) != c[i] {
			return false, true
		}
	}
	return true, true
}

// compatAllows is mod_access_compat's check_dir_access: whether the host
// rules let the client in; ok is false when a rule is outside the model.
func (c *compatRules) allows(p *probe) (allowed, ok bool) {
	find := func(list []string) (bool, bool) {
		for _, s := range list {
			switch hostKind(s) {
			case "all":
				return true, true
			case "ip":
				m, ok := ipMatches(s, p.client)
				if !ok {
					return false, false
				}
				if m {
					return true, true
				}
			case "env":
				name, neg := strings.CutPrefix(s[len("env="):], "!")
				v, ok := p.fact(factKey("env", name))
				if !ok {
					return false, false
				}
				if v != neg {
					return true, true
				}
			default:
				v, ok := p.fact(factKey("host", s))
				if !ok {
					return false, false
				}
				if v {
					return true, true
				}
			}
		}
		return false, true
	}
	allow, ok1 := find(c.allow)
	deny, ok2 := find(c.deny)
	if !ok1 || !ok2 {
		return false, false
	}
	switch c.order {
	case "allow,deny":
		return allow && !deny, true
	case "deny,allow":
		return !deny || allow, true
	}
	return allow && !deny, true // mutual-failure
}

// merged is a per-directory configuration as httpd merges it: one
// section's, or several merged. httpd merges in walks: the Directory
// sections that apply are merged with each other first, then the result
// onto the server's defaults; then the Files sections likewise, then the
// Location sections. Merging is not associative for mod_authz_core (a
// walk's result carries the AuthMerging of its last section), so the
// model merges in the same groups.
type merged struct {
	compat       *compatRules
	authz        *rule
	authzSet     bool // mod_authz_core has a config here (Require or AuthMerging)
	merging      authzMerge
	authType     *string
	userFile     bool
	sslRequired  bool
	forbidOnFail bool
	unknown      string
}

// of is a section's own configuration.
func of(a *sectionAccess) merged {
	return merged{
		compat: a.compat, authz: a.authz, authzSet: a.authz != nil || a.merging != mergeUnset,
		merging: a.merging, authType: a.authType, userFile: a.userFile,
		sslRequired: a.sslRequired, forbidOnFail: a.forbidOnFail, unknown: a.unknown,
	}
}

// merge is ap_merge_per_dir_configs(base, n) for the modules the model
// follows.
func merge(base, n merged) merged {
	out := base
	if n.unknown != "" && out.unknown == "" {
		out.unknown = n.unknown
	}
	if n.compat != nil { // mod_access_compat has no merge function: n's replaces
		out.compat = n.compat
	}
	if n.authzSet {
		out.authzSet = true
		switch {
		case n.merging == mergeUnset && n.authz == nil && base.authz != nil:
			// only AuthzSendForbiddenOnFailure set in n: base stands
		case n.merging == mergeOff || n.merging == mergeUnset || (base.authz == nil && n.authz == nil):
			out.authz, out.merging = n.authz, n.merging
		default:
			out.merging = n.merging
			if base.authz != nil && n.authz != nil {
				out.authz = &rule{and: n.merging == mergeAnd, kids: []*rule{base.authz, n.authz}}
			} else if n.authz != nil {
				out.authz = n.authz
			}
		}
	}
	if n.authType != nil {
		out.authType = n.authType
	}
	out.userFile = out.userFile || n.userFile
	out.sslRequired = out.sslRequired || n.sslRequired
	out.forbidOnFail = out.forbidOnFail || n.forbidOnFail
	return out
}

// mergeChain merges chain, in httpd's walks (see merged), leaving out
// the sections skip says.
func mergeChain(chain []*modelSection, skip func(i int) bool) merged {
	var conf, walk merged
	group, inWalk := -1, false
	for i, s := range chain {
		if skip != nil && skip(i) {
			continue
		}
		g := walkOf(s.kind)
		if g != group && inWalk {
			conf = merge(conf, walk)
			inWalk = false
		}
		group = g
		if !inWalk {
			walk, inWalk = of(&s.access), true
		} else {
			walk = merge(walk, of(&s.access))
		}
	}
	if inWalk {
		conf = merge(conf, walk)
	}
	return conf
}

// walkOf is the walk that merges a section kind: directory, file, location.
func walkOf(k sectionKind) int {
	switch k {
	case kindDirectory, kindDirectoryMatch:
		return 0
	case kindFiles, kindFilesMatch:
		return 1
	}
	return 2
}

// decide is the verdict for probe p under the merged configuration m.
func (m *merged) decide(p *probe) Verdict {
	if m.unknown != "" {
		return Unknown
	}
	hostOK := !m.sslRequired || p.https
	if m.compat != nil {
		ok, known := m.compat.allows(p)
		if !known {
			return Unknown
		}
		hostOK = hostOK && ok
	}
	satisfyAny := m.compat != nil && m.compat.satisfy == "any"
	switch {
	case satisfyAny && hostOK:
		return Granted
	case !satisfyAny && !hostOK:
		return Forbidden
	}
	authType := ""
	if m.authType != nil {
		authType = *m.authType
	}
	if m.authz == nil {
		if authType != "" {
			return ServerError // AH01627: AuthType configured with no corresponding authorization directives
		}
		return Granted
	}
	anon := *p
	anon.user = ""
	switch m.authz.eval(&anon) {
	case azUnknown:
		return Unknown
	case azGranted:
		return Granted
	case azDenied, azNeutral:
		return Forbidden
	}
	// A user could change it: authentication runs.
	switch {
	case authType == "":
		return ServerError // no module takes the request: "couldn't check user"
	case !strings.EqualFold(authType, "basic") || !m.userFile:
		return Unknown
	case p.user == "":
		return Unauthorized
	}
	switch m.authz.eval(p) {
	case azUnknown:
		return Unknown
	case azGranted:
		return Granted
	case azDenied, azNeutral:
		if m.forbidOnFail {
			return Forbidden
		}
	}
	return Unauthorized
}

// readsClient reports whether a decision under m may depend on the
// client's address: host rules (Order/Allow/Deny) or Require ip, local,
// host, forward-dns.
func (m *merged) readsClient() bool {
	if m.compat != nil {
		return true
	}
	found := false
	if m.authz != nil {
		m.authz.walk(func(r *rule) { found = found || r.provider == "ip" || r.provider == "local" || r.provider == "host" })
	}
	return found
}

// readsUser reports whether a decision under m may depend on the
// credentials sent: authentication is set up or a rule names users.
func (m *merged) readsUser() bool {
	if m.authType != nil && *m.authType != "" {
		return true
	}
	found := false
	if m.authz != nil {
		m.authz.walk(func(r *rule) { found = found || r.provider == "valid-user" || r.provider == "user" })
	}
	return found
}
