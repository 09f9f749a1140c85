package fixes

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// The access model: which sections apply to a request and in which order,
// as httpd 2.4's server/request.c walks them. A request is mapped to a
// file name (mod_alias, then mod_wsgi, then DocumentRoot); the sections
// merge in this order, the server's before the vhost's at each step:
//
//   - <Directory> (not regex), by the number of path components, then in
//     order of appearance; a path matches the file's directories only,
//     with the trailing slash httpd adds (<Directory /srv/app/wsgi.py>
//     never matches a file);
//   - <DirectoryMatch> and <Directory ~>, in order;
//   - <Files>/<FilesMatch> on the file's base name: the top level's, then
//     those inside the <Directory> sections that applied, in their order;
//   - <Location>/<LocationMatch> on the URL, in order, a plain path
//     matching at a segment boundary ("/ipa" matches "/ipa/x", not "/ipax").
//
// Anything the model does not follow (If sections, RewriteRule, proxies,
// regexes Go cannot read…) makes the verdicts it could touch Unknown, and a
// pass that needs a proof then leaves the text alone.

type sectionKind uint8

const (
	kindDirectory sectionKind = iota
	kindDirectoryMatch
	kindFiles
	kindFilesMatch
	kindLocation
	kindLocationMatch
)

// modelSection is one access-bearing section of the run.
type modelSection struct {
	kind    sectionKind
	pattern string         // path or glob, trailing slash added for Directory
	re      *regexp.Regexp // for the Match kinds
	comps   int            // path components, for the Directory order
	access  sectionAccess
	files   []*modelSection // <Files> inside a <Directory>
	node    *ast.Section    // nil for a section only assumed (ServerContexts)
	unknown string          // the section itself cannot be matched
	conds   []cond          // the conditional sections around it
}

// cond is a conditional section (<IfModule mod_ssl.c>, <IfDefine !X>…)
// around a section or mapping. Whether it holds is a fact the proof
// tries both ways (see probe.facts), so a rewrite is proved whether or
// not the module is loaded.
type cond struct {
	key string // "cond:ifmodule mod_ssl.c"
	neg bool   // "!mod_ssl.c"
}

func condOf(s *ast.Section) cond {
	arg := strings.Join(s.Open.Values(), " ")
	neg := strings.HasPrefix(arg, "!")
	return cond{key: "cond:" + strings.ToLower(s.Name()+" "+strings.TrimPrefix(arg, "!")), neg: neg}
}

// active reports whether every condition holds in the facts; ok is false
// when one is not among them.
func active(conds []cond, facts map[string]bool) (on, ok bool) {
	for _, c := range conds {
		v, known := facts[c.key]
		if !known {
			return false, false
		}
		if v == c.neg {
			return false, true
		}
	}
	return true, true
}

// modelScope is one level's sections and URL mappings: the main server's,
// or one vhost's.
type modelScope struct {
	dirs, dirRes, files, locs []*modelSection
	maps                      []modelMapping
	docRoot                   string
	https                     bool
	unknown                   string // RewriteRule and the like: every verdict Unknown
}

type mapKind uint8

const (
	mapAlias mapKind = iota // Alias, ScriptAlias
	mapAliasMatch
	mapWSGI // WSGIScriptAlias
	mapWSGIMatch
	mapOpaque // Redirect, ProxyPass…: the model does not follow the URL
)

// modelMapping is one URL-to-file rule.
type modelMapping struct {
	conds  []cond
	kind   mapKind
	url    string
	re     *regexp.Regexp
	target string
}

// sectionKindOf returns the kind of an access-bearing section.
func sectionKindOf(s *ast.Section) (sectionKind, bool) {
	switch {
	case s.Is("Directory"):
		return kindDirectory, true
	case s.Is("DirectoryMatch"):
		return kindDirectoryMatch, true
	case s.Is("Files"):
		return kindFiles, true
	case s.Is("FilesMatch"):
		return kindFilesMatch, true
	case s.Is("Location"):
		return kindLocation, true
	case s.Is("LocationMatch"):
		return kindLocationMatch, true
	}
	return 0, false
}

// newModelSection reads s, whose body may be replaced by body (a rewrite
// the model is asked about).
func newModelSection(s *ast.Section, body []ast.Node) *modelSection {
	kind, _ := sectionKindOf(s)
	m := &modelSection{kind: kind, node: s}
	args := s.Open.Values()
	if len(args) == 2 && args[0] == "~" {
		switch kind {
		case kindDirectory:
			kind = kindDirectoryMatch
		case kindFiles:
			kind = kindFilesMatch
		case kindLocation:
			kind = kindLocationMatch
		}
		m.kind, args = kind, args[1:]
	}
	if len(args) != 1 {
		m.unknown = "<" + s.Name() + "> with " + strconv.Itoa(len(args)) + " arguments"
		return m
	}
	m.pattern = args[0]
	switch kind {
	case kindDirectoryMatch, kindFilesMatch, kindLocationMatch:
		re, err := compileRegex(m.pattern)
		if err != nil {
			m.unknown = "regex " + strconv.Quote(m.pattern) + " Go cannot read"
		}
		m.re = re
	case kindDirectory:
		if !strings.HasPrefix(m.pattern, "/") {
			m.unknown = "relative <Directory> path"
		}
		if !strings.HasSuffix(m.pattern, "/") {
			m.pattern += "/"
		}
		if m.pattern != "/" {
			m.comps = strings.Count(m.pattern, "/")
		}
		if strings.ContainsAny(m.pattern, "[\\") {
			m.unknown = "<Directory> glob with brackets"
		}
	case kindFiles, kindLocation:
		if strings.ContainsAny(m.pattern, "[\\") {
			m.unknown = "<" + s.Name() + "> glob with brackets"
		}
	}
	m.access = readSectionAccess(body)
	if kind == kindDirectory || kind == kindDirectoryMatch {
		for _, n := range body {
			if sub, ok := n.(*ast.Section); ok && (sub.Is("Files") || sub.Is("FilesMatch")) {
				m.files = append(m.files, newModelSection(sub, sub.Body))
			}
		}
	}
	return m
}

// rewrite is a change the model is asked about, not yet made to the tree:
// sections whose bodies are replaced, sections removed, sections added
// (detached) right after a node of the same level.
type rewrite struct {
	bodies  map[*ast.Section][]ast.Node
	removed map[*ast.Section]bool
	added   map[ast.Node][]*ast.Section // after this node
}

// addSection adds s, or the rewrite of s, to the scope.
func (sc *modelScope) addSection(s *ast.Section, rw *rewrite, conds []cond) {
	if rw != nil && rw.removed[s] {
		return
	}
	body := s.Body
	if rw != nil {
		if b, ok := rw.bodies[s]; ok {
			body = b
		}
	}
	m := newModelSection(s, body)
	m.conds = conds
	switch m.kind {
	case kindDirectory:
		sc.dirs = append(sc.dirs, m)
	case kindDirectoryMatch:
		sc.dirRes = append(sc.dirRes, m)
	case kindFiles, kindFilesMatch:
		sc.files = append(sc.files, m)
	default:
		sc.locs = append(sc.locs, m)
	}
}

// readScope reads the sections and mappings at level s (a VirtualHost, or
// a file's root for the server level, where VirtualHost sections are
// skipped), with conditional sections opened up.
func (sc *modelScope) read(body []ast.Node, rw *rewrite, conds []cond) {
	for _, n := range body {
		switch n := n.(type) {
		case *ast.Section:
			switch {
			case n.Open == nil || n.Is("VirtualHost"):
			case ast.IsConditional(n.Name()):
				sc.read(n.Body, rw, append(conds[:len(conds):len(conds)], condOf(n)))
			default:
				if _, ok := sectionKindOf(n); ok {
					sc.addSection(n, rw, conds)
				} else if n.Is("If") || n.Is("ElseIf") || n.Is("Else") {
					if holdsAccess(n) {
						sc.unknown = "access directives inside <" + n.Name() + ">"
					}
				}
			}
		case *ast.Directive:
			if n.Kind() == ast.Plain {
				k := len(sc.maps)
				sc.readDirective(n)
				for i := k; i < len(sc.maps); i++ {
					sc.maps[i].conds = conds
				}
			}
		}
		if rw != nil {
			for _, s := range rw.added[n] {
				sc.addSection(s, nil, conds)
			}
		}
	}
}

func (sc *modelScope) readDirective(d *ast.Directive) {
	switch {
	case d.IsAny("Alias", "ScriptAlias") && d.NumArgs() == 2:
		sc.maps = append(sc.maps, modelMapping{kind: mapAlias, url: d.Arg(0), target: d.Arg(1)})
	case d.IsAny("WSGIScriptAlias") && d.NumArgs() >= 2:
		sc.maps = append(sc.maps, modelMapping{kind: mapWSGI, url: d.Arg(0), target: d.Arg(1)})
	case d.IsAny("AliasMatch", "ScriptAliasMatch", "WSGIScriptAliasMatch") && d.NumArgs() >= 2:
		kind := mapAliasMatch
		if d.Is("WSGIScriptAliasMatch") {
			kind = mapWSGIMatch
		}
		re, err := compileRegex(d.Arg(0))
		if err != nil {
			kind = mapOpaque
		}
		sc.maps = append(sc.maps, modelMapping{kind: kind, url: d.Arg(0), re: re, target: d.Arg(1)})
	case d.IsAny("Redirect", "RedirectMatch", "RedirectPermanent", "RedirectTemp", "ProxyPass", "ProxyPassMatch"):
		sc.maps = append(sc.maps, modelMapping{kind: mapOpaque, url: d.Arg(0)})
		if d.IsAny("Redirect", "ProxyPass") && d.NumArgs() >= 2 {
			if d.Is("Redirect") && d.NumArgs() == 3 {
				sc.maps[len(sc.maps)-1].url = d.Arg(1)
			}
		} else {
			sc.maps[len(sc.maps)-1].re, _ = compileRegex(d.Arg(0))
		}
	case d.Is("DocumentRoot") && d.NumArgs() == 1:
		sc.docRoot = strings.TrimSuffix(d.Arg(0), "/")
	case d.Is("SSLEngine") && d.NumArgs() == 1:
		sc.https = strings.EqualFold(d.Arg(0), "on")
	case d.IsAny("RewriteRule", "RewriteEngine", "Action", "AddHandler", "SetHandler"):
		if d.Is("RewriteRule") || (d.Is("RewriteEngine") && strings.EqualFold(d.Arg(0), "on")) {
			sc.unknown = "RewriteRule is outside the access model"
		}
	}
}

// accessModel is the access-relevant configuration of a run: the server
// level and one scope per vhost, read when a request reaches it.
type accessModel struct {
	server *modelScope
	sites  []*ast.Section      // the VirtualHosts, in order
	scopes map[int]*modelScope // read on first use
	ctx    *modelScope         // the assumed server context, before the server level
	rw     *rewrite
	buf    walkBuf
}

// newAccessModel reads the server level of files with rw applied, when
// set.
func newAccessModel(files []*ast.File, sites []*ast.Section, rw *rewrite) *accessModel {
	return newAccessModelOn(readServerScope(files, rw), sites, rw)
}

// newAccessModelOn is newAccessModel on a server level read before: a
// rewrite inside one vhost leaves it as it is.
func newAccessModelOn(server *modelScope, sites []*ast.Section, rw *rewrite) *accessModel {
	return &accessModel{server: server, sites: sites, scopes: map[int]*modelScope{}, rw: rw}
}

func readServerScope(files []*ast.File, rw *rewrite) *modelScope {
	sc := &modelScope{}
	for _, f := range files {
		sc.read(f.Root.Body, rw, nil)
	}
	return sc
}

func (m *accessModel) scope(i int) *modelScope {
	if i < 0 || i >= len(m.sites) {
		return nil
	}
	sc, ok := m.scopes[i]
	if !ok {
		sc = &modelScope{}
		sc.read(m.sites[i].Body, m.rw, nil)
		m.scopes[i] = sc
	}
	return sc
}

// mapURL is the file a URL reaches in a site: mod_alias (the vhost's
// aliases, then the server's), then mod_wsgi, then DocumentRoot. ok is
// false where the model does not follow the URL.
// A WSGI script target is a file (m.buf.script is set then).
func (m *accessModel) mapURL(site *modelScope, url string, facts map[string]bool) (file string, ok bool) {
	m.buf.script = false
	room := [2]*modelScope{site, m.server}
	levels := room[:]
	if site == nil {
		levels = levels[1:]
	}
	for _, pass := range []bool{false, true} { // mod_alias first, then mod_wsgi
		for _, sc := range levels {
			for _, mp := range sc.maps {
				wsgi := mp.kind == mapWSGI || mp.kind == mapWSGIMatch
				if wsgi != pass {
					continue
				}
				if on, known := active(mp.conds, facts); !known {
					return "", false
				} else if !on {
					continue
				}
				switch mp.kind {
				case mapOpaque:
					if (mp.re != nil && mp.re.MatchString(url)) || (mp.re == nil && aliasMatches(url, mp.url) > 0) {
						return "", false
					}
				case mapAlias, mapWSGI:
					n := aliasMatches(url, mp.url)
					if n == 0 {
						continue
					}
					rest := url[n:]
					if mp.kind == mapWSGI && !strings.HasSuffix(mp.target, "/") && !strings.HasSuffix(mp.target, ".py") && !strings.HasSuffix(mp.target, ".wsgi") {
						return "", false // a directory target the model cannot tell from a file
					}
					if mp.kind == mapWSGI && !strings.HasSuffix(mp.target, "/") {
						m.buf.script = true
						return mp.target, true // every URL below goes to the script
					}
					if mp.kind == mapWSGI { // the next segment names the script
						seg, _, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
						return path.Clean(mp.target + seg), true
					}
					return cleanFile(mp.target + rest), true
				case mapAliasMatch, mapWSGIMatch:
					idx := mp.re.FindStringSubmatchIndex(url)
					if idx == nil {
						continue
					}
					return cleanFile(substitute(mp.target, url, idx)), true
				}
			}
		}
	}
	root := "/var/www/html" // Debian's compiled-in DocumentRoot
	for _, sc := range levels[len(levels)-1:] {
		if sc.docRoot != "" {
			root = sc.docRoot
		}
	}
	if site != nil && site.docRoot != "" {
		root = site.docRoot
	}
	return cleanFile(root + url), true
}

// cleanFile cleans a mapped file name, keeping a trailing slash.
func cleanFile(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// aliasMatches is mod_alias's alias_matches: how many bytes of url the
// alias prefix matches, at a segment boundary, runs of slashes matching
// runs of slashes; 0 for no match.
func aliasMatches(url, alias string) int {
	a, u := 0, 0
	for a < len(alias) {
		if alias[a] == '/' {
			if u >= len(url) || url[u] != '/' {
				return 0
			}
			for a < len(alias) && alias[a] == '/' {
				a++
			}
			for u < len(url) && url[u] == '/' {
				u++
			}
			continue
		}
		if u >= len(url) || url[u] != alias[a] {
			return 0
		}
		a++
		u++
	}
	if a > 0 && alias[a-1] != '/' && u < len(url) && url[u] != '/' {
		return 0
	}
	return u
}

// substitute is ap_pregsub: $0-$9 in target replaced by the groups of the
// match idx in s, \$ a literal dollar.
func substitute(target, s string, idx []int) string {
	var b strings.Builder
	for i := 0; i < len(target); i++ {
		c := target[i]
		switch {
		case c == '\\' && i+1 < len(target) && (target[i+1] == '$' || target[i+1] == '&'):
			b.WriteByte(target[i+1])
			i++
		case c == '$' && i+1 < len(target) && target[i+1] >= '0' && target[i+1] <= '9':
			g := int(target[i+1] - '0')
			if 2*g+1 < len(idx) && idx[2*g] >= 0 {
				b.WriteString(s[idx[2*g]:idx[2*g+1]])
			}
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
