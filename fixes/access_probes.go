package fixes

import (
	"net/netip"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// Proving a rewrite: the requests whose verdicts must stay the same, and
// the server levels assumed around a run that does not have its own.

// assumedContexts are the server levels a run without a server-level
// <Directory /> is proved under: httpd's compiled-in default, where nothing
// is denied, and the distributions' (Debian's apache2.conf, RHEL's
// httpd.conf), where / is denied and the document root granted.
var assumedContexts = []ServerContext{
	{Name: "no server-level <Directory /> (httpd's default: nothing denied)"},
	{Name: "Debian's and RHEL's <Directory /> denied", Conf: "<Directory />\n    AllowOverride None\n    Require all denied\n</Directory>\n<Directory /var/www/>\n    Require all granted\n</Directory>\n"},
}

// contextScopes are assumedContexts read as model scopes.
var contextScopes = func() []*modelScope {
	out := make([]*modelScope, len(assumedContexts))
	for i, c := range assumedContexts {
		f, err := ast.Parse("context", []byte(c.Conf))
		if err != nil {
			panic(err)
		}
		out[i] = &modelScope{}
		out[i].read(f.Root.Body, nil, nil)
	}
	return out
}()

// ServerContexts are the server levels a run is proved under: its own
// when it has a server-level <Directory />, else assumedContexts.
func ServerContexts(files []*ast.File) []ServerContext {
	if ownsServerLevel(files) {
		return []ServerContext{{Name: "the run's own server level"}}
	}
	return assumedContexts
}

// ownsServerLevel reports whether a server-level <Directory /> is among
// files: then the run holds the server's own configuration.
func ownsServerLevel(files []*ast.File) bool {
	for _, f := range files {
		for _, n := range Scope(f.Root) {
			if s, ok := n.(*ast.Section); ok && s.Is("Directory") && s.Open.NumArgs() == 1 && strings.TrimSuffix(s.Open.Arg(0), "/") == "" {
				return true
			}
		}
	}
	return false
}

// contextsFor are the model scopes of ServerContexts: nil for the run's own.
func contextsFor(files []*ast.File) []*modelScope {
	if ownsServerLevel(files) {
		return []*modelScope{nil}
	}
	return contextScopes
}

// Probes returns the requests that tell a run's access decisions apart:
// for every site (each VirtualHost, then the main server), each URL its
// Location sections, aliases and WSGI mounts name, one below it and one
// beside it, and the URLs of its Directory sections; anonymous and with
// ProbeUser; from ProbeClient and from the loopback addresses its rules
// name; under each ServerContexts.
func Probes(files []*ast.File, opts Options) []Request {
	sites := VirtualHosts(files)
	m := newAccessModel(files, sites, nil)
	var out []Request
	for ctx := range contextsFor(files) {
		for i := -1; i < len(sites); i++ {
			site := i + 1
			if site == len(sites) {
				site = -1 // the main server last
			}
			sk := &siteKey{index: site}
			base := Request{Site: sk, Port: 80, Context: ctx}
			if site >= 0 {
				vh := sites[site]
				base.Host = ServerName(vh)
				if vh.Open.NumArgs() > 0 {
					base.Addr = vh.Open.Arg(0)
					if _, p, ok := strings.Cut(base.Addr, ":"); ok {
						if n, err := strconv.Atoi(p); err == nil {
							base.Port = n
						}
					}
				}
				base.HTTPS = m.scope(site).https
			}
			var clients []string
			for _, c := range m.clients(site) {
				if c.IsLoopback() {
					clients = append(clients, c.String())
				}
			}
			for _, u := range m.probeURLs(site, nil) {
				for _, c := range clients {
					for _, user := range []string{"", ProbeUser} {
						r := base
						r.Path, r.Client, r.User = u, c, user
						out = append(out, r)
					}
				}
			}
		}
	}
	return out
}

// Decide is the model's verdict for r on files. A request Probes did not
// make reaches the first vhost whose ServerName is r.Host (and whose
// address is r.Addr, when set), else the main server.
func Decide(files []*ast.File, r Request) Verdict {
	sites := VirtualHosts(files)
	m := newAccessModel(files, sites, nil)
	ctxs := contextsFor(files)
	if r.Context < 0 || r.Context >= len(ctxs) {
		return Unknown
	}
	m.ctx = ctxs[r.Context]
	site := siteOf(sites, r)
	if site >= len(sites) {
		return Unknown
	}
	client, err := netip.ParseAddr(r.Client)
	if err != nil {
		return Unknown
	}
	https := r.HTTPS
	return m.verdict(site, r.Path, &probe{client: client, https: https, user: r.User})
}

// clients are the addresses a site's probes come from: ProbeClient,
// another loopback address (Require local lets it in, Require ip
// 127.0.0.1 does not), an outside one, and one inside each address rule
// of the site and the server.
func (m *accessModel) clients(site int) []netip.Addr {
	out := []netip.Addr{netip.MustParseAddr(ProbeClient), netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("192.0.2.1")}
	add := func(spec string) {
		if spec == "" || hostKind(spec) != "ip" {
			return
		}
		a, _, _ := strings.Cut(spec, "/")
		parts := strings.Split(strings.TrimSuffix(a, "."), ".")
		for len(parts) < 4 {
			parts = append(parts, "1")
		}
		if addr, err := netip.ParseAddr(strings.Join(parts[:4], ".")); err == nil && addr.Is4() {
			for _, o := range out {
				if o == addr {
					return
				}
			}
			out = append(out, addr)
		}
	}
	for _, sc := range []*modelScope{m.server, m.scope(site)} {
		if sc == nil {
			continue
		}
		for _, s := range sc.all() {
			a := &s.access
			if a.compat != nil {
				for _, h := range append(append([]string{}, a.compat.allow...), a.compat.deny...) {
					add(h)
				}
			}
			if a.authz != nil {
				a.authz.walk(func(r *rule) {
					if r.provider == "ip" {
						for _, h := range r.args {
							add(h)
						}
					}
				})
			}
		}
	}
	return out
}

func (r *rule) walk(fn func(*rule)) {
	fn(r)
	for _, k := range r.kids {
		k.walk(fn)
	}
}

// all lists every section of the scope, nested Files included.
func (sc *modelScope) all() []*modelSection {
	var out []*modelSection
	for _, l := range [][]*modelSection{sc.dirs, sc.dirRes, sc.files, sc.locs} {
		for _, s := range l {
			out = append(out, s)
			out = append(out, s.files...)
		}
	}
	return out
}

// probeURLs are the URL paths that tell a site's decisions apart (see
// Probes), plus extra.
func (m *accessModel) probeURLs(site int, extra []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(u string) {
		if u != "" && u[0] == '/' && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	around := func(u string) {
		add(u)
		if strings.HasSuffix(u, "/") {
			add(u + "x")
			add(strings.TrimSuffix(u, "/") + "-x/")
		} else {
			add(u + "/x")
			add(u + "-x")
		}
	}
	around("/")
	for _, u := range extra {
		around(u)
	}
	sc := m.scope(site)
	for _, l := range []*modelScope{sc, m.server} {
		if l == nil {
			continue
		}
		for _, mp := range l.maps {
			if mp.re != nil {
				around(sampleRegex(mp.url))
			} else {
				around(mp.url)
			}
		}
		for _, loc := range l.locs {
			if loc.re != nil {
				around(sampleRegex(loc.pattern))
			} else {
				around(strings.ReplaceAll(strings.ReplaceAll(loc.pattern, "*", "a"), "?", "a"))
			}
		}
	}
	// The URLs that reach each Directory section through a mapping.
	for _, l := range []*modelScope{sc, m.server} {
		if l == nil {
			continue
		}
		for _, d := range append(append([]*modelSection{}, l.dirs...), l.files...) {
			dir := strings.ReplaceAll(strings.ReplaceAll(d.pattern, "*", "a"), "?", "a")
			for _, mp := range append(append([]modelMapping{}, sc.mapsOrNil()...), m.server.maps...) {
				if mp.kind != mapAlias || !strings.HasPrefix(dir, strings.TrimSuffix(mp.target, "/")+"/") {
					continue
				}
				rel := strings.TrimPrefix(dir, strings.TrimSuffix(mp.target, "/")+"/")
				around(strings.TrimSuffix(mp.url, "/") + "/" + rel)
			}
		}
	}
	return out
}

func (sc *modelScope) mapsOrNil() []modelMapping {
	if sc == nil {
		return nil
	}
	return sc.maps
}

// regexSample returns a URL path the regex matches, or "" when it cannot
// tell: literals as they are, the first printable character of a class,
// the fewest repeats (one for +), the first alternative.
func regexSample(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	var gen func(r *syntax.Regexp) bool
	gen = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			c, ok := classSample(r.Rune)
			if !ok {
				return false
			}
			b.WriteRune(c)
		case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
			b.WriteByte('a')
		case syntax.OpCapture:
			return gen(r.Sub[0])
		case syntax.OpConcat:
			for _, s := range r.Sub {
				if !gen(s) {
					return false
				}
			}
		case syntax.OpAlternate:
			return gen(r.Sub[0])
		case syntax.OpQuest:
		case syntax.OpPlus, syntax.OpStar: // one: "/a/static/", not "//static/"
			return gen(r.Sub[0])
		case syntax.OpRepeat:
			for range r.Min {
				if !gen(r.Sub[0]) {
					return false
				}
			}
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpEndLine, syntax.OpEndText, syntax.OpEmptyMatch,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		default:
			return false
		}
		return true
	}
	if !gen(re) {
		return ""
	}
	s := b.String()
	if !strings.HasPrefix(s, "/") {
		s = "/" + s // an unanchored regex matches inside the path
	}
	return s
}

// classSample picks a character of a class that reads well in a path.
func classSample(ranges []rune) (rune, bool) {
	for _, want := range "ax0_-./" {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want, true
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for c := max(ranges[i], '!'); c <= ranges[i+1] && c < 0x7f; c++ {
			return c, true
		}
	}
	return 0, false
}

// facts are the host and env facts the rules of a site and the server ask
// (see probe.facts).
func (m *accessModel) facts(site int) []string {
	var out []string
	add := func(key string) {
		for _, k := range out {
			if k == key {
				return
			}
		}
		out = append(out, key)
	}
	for _, sc := range []*modelScope{m.ctx, m.server, m.scope(site)} {
		if sc == nil {
			continue
		}
		for _, mp := range sc.maps {
			for _, c := range mp.conds {
				add(c.key)
			}
		}
		for _, s := range sc.all() {
			for _, c := range s.conds {
				add(c.key)
			}
			a := &s.access
			if a.compat != nil {
				for _, h := range append(append([]string{}, a.compat.allow...), a.compat.deny...) {
					switch hostKind(h) {
					case "host":
						add(factKey("host", h))
					case "env":
						name, _ := strings.CutPrefix(h[len("env="):], "!")
						add(factKey("env", name))
					}
				}
			}
			if a.authz != nil {
				a.authz.walk(func(r *rule) {
					if r.provider == "host" || r.provider == "env" {
						for _, h := range r.args {
							add(factKey(r.provider, h))
						}
					}
				})
			}
		}
	}
	return out
}

// maxFacts bounds the facts a proof tries both ways (2^maxFacts worlds).
const maxFacts = 5

// worlds are every assignment of keys, or nil when there are too many.
func worlds(keys []string) []map[string]bool {
	if len(keys) > maxFacts {
		return nil
	}
	out := make([]map[string]bool, 0, 1<<len(keys))
	for bits := 0; bits < 1<<len(keys); bits++ {
		w := make(map[string]bool, len(keys))
		for i, k := range keys {
			w[k] = bits&(1<<i) != 0
		}
		out = append(out, w)
	}
	return out
}

// MappedFile is the file name r's URL reaches, as the model maps it
// (mod_alias, mod_wsgi, DocumentRoot; "/var/www/html" when none is set):
// the file a scratch tree must hold for the request to reach its
// sections. ok is false where the model does not follow the URL.
func MappedFile(files []*ast.File, r Request) (string, bool) {
	sites := VirtualHosts(files)
	m := newAccessModel(files, sites, nil)
	site := siteOf(sites, r)
	facts := map[string]bool{} // conditional sections taken as true
	for _, k := range m.facts(site) {
		facts[k] = true
	}
	return m.mapURL(m.scope(site), r.Path, facts)
}

// siteOf is the index of the vhost r reaches (-1: the main server): the
// one Probes named, else the first whose ServerName is r.Host and whose
// address is r.Addr, when set, else the first on r.Addr.
func siteOf(sites []*ast.Section, r Request) int {
	if r.Site != nil {
		return r.Site.index
	}
	if r.Host != "" {
		for i, vh := range sites {
			if strings.EqualFold(ServerName(vh), r.Host) && (r.Addr == "" || vh.Open.Arg(0) == r.Addr) {
				return i
			}
		}
	}
	if r.Addr != "" { // no name matches: httpd takes the address's first vhost
		for i, vh := range sites {
			if vh.Open.Arg(0) == r.Addr {
				return i
			}
		}
	}
	return -1
}
