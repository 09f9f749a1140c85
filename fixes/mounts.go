package fixes

import (
	"path"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wsgifix/wsgifix/ast"
)

// URL spaces: which request paths a Location, an Alias or a WSGI mount
// covers. httpd matches <Location>, Alias and WSGIScriptAlias as path
// prefixes that end on a segment boundary ("/admin" covers "/admin/x" but not
// "/adminx"), so a space is kept as its leading path segments. Regexes
// (LocationMatch, AliasMatch) are read with regexp/syntax into the same form;
// whatever cannot be read segment by segment is widened, so a space may
// cover more than the real one, never less.

// urlSegment matches one path segment: a literal, or any segment.
type urlSegment struct {
	lit string
	any bool
}

// urlSpace is the set of paths whose first segments match segs, followed by
// anything. No segments: every path.
type urlSpace struct{ segs []urlSegment }

// everyURL covers every request path.
var everyURL = urlSpace{}

// prefixSpace is the space of a segment-bounded URL prefix ("/", "/admin/").
// Wildcards (Location allows fnmatch patterns) make a segment "any".
func prefixSpace(prefix string) urlSpace {
	var s urlSpace
	for rest := prefix; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		if seg == "" {
			continue
		}
		s.segs = append(s.segs, urlSegment{lit: seg, any: strings.ContainsAny(seg, "*?[\\")})
	}
	return s
}

// regexSpace reads the space a URL regex matches. ok is false when it cannot
// be told: an unparsable or unanchored regex (one that may match anywhere in
// the path) other than the trivial "match everything" ones.
func regexSpace(expr string) (urlSpace, bool) {
	if v, ok := regexSpaces.Load(expr); ok {
		r := v.(regexSpaceResult)
		return r.space, r.ok
	}
	space, ok := readRegexSpace(expr)
	if regexSpacesKept.Add(1) <= maxRegexSpaces {
		// expr is most likely a view of a file's text (see ast.Parse): the
		// cache outlives the run, so it keeps a copy. Kept as it was, the
		// key would keep the whole text alive, and change under the map
		// when its caller reuses the buffer (FuzzParts did: the map panics).
		regexSpaces.Store(strings.Clone(expr), regexSpaceResult{space, ok})
	}
	return space, ok
}

// regexSpaces caches regexSpace: a server repeats the same few patterns in
// every vhost, and passes may run on several files at once. It lives as
// long as the process, so it keeps at most maxRegexSpaces patterns.
var (
	regexSpaces     sync.Map
	regexSpacesKept atomic.Int64
)

var maxRegexSpaces int64 = 4096 // a variable for tests

type regexSpaceResult struct {
	space urlSpace
	ok    bool
}

func readRegexSpace(expr string) (urlSpace, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return urlSpace{}, false
	}
	items := flattenRegex(re.Simplify())
	if len(items) == 0 || (items[0].Op != syntax.OpBeginText && items[0].Op != syntax.OpBeginLine) {
		if matchesEveryPath(expr) {
			return everyURL, true
		}
		return urlSpace{}, false
	}
	var s urlSpace
	var cur strings.Builder
	curAny, rooted := false, false
	endSegment := func() {
		s.segs = append(s.segs, urlSegment{lit: cur.String(), any: curAny})
		cur.Reset()
		curAny = false
	}
	for _, it := range items[1:] {
		switch {
		case it.Op == syntax.OpLiteral:
			for _, r := range it.Rune {
				switch {
				case r == '/' && !rooted:
					rooted = true
				case r == '/':
					endSegment()
				case !rooted:
					return urlSpace{}, false // a path always starts with '/'
				case it.Flags&syntax.FoldCase != 0:
					curAny = true
				default:
					cur.WriteRune(r)
				}
			}
		case !rooted:
			if it.Op == syntax.OpEmptyMatch {
				continue
			}
			// "^.*", "^(/|$)"…: nothing known about the first byte.
			return everyURL, true
		case !canMatchSlash(it):
			curAny = true
		default:
			// It may cross a segment boundary: what follows is unknown,
			// and the unfinished segment is dropped (widening the space).
			return s, true
		}
	}
	return s, true
}

// matchesEveryPath reports whether an unanchored regex matches every path:
// one that matches the empty string ("", ".*") or "/" followed by it.
func matchesEveryPath(expr string) bool {
	return matchesEmpty(expr) || (strings.HasPrefix(expr, "/") && matchesEmpty(expr[1:]))
}

// parseRegexOrNoMatch parses expr, or returns a regex that matches nothing.
func parseRegexOrNoMatch(expr string) *syntax.Regexp {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return &syntax.Regexp{Op: syntax.OpNoMatch}
	}
	return re.Simplify()
}

// matchesEmpty reports whether expr matches the empty string, and so
// (unanchored) every path.
func matchesEmpty(expr string) bool {
	prog, err := syntax.Compile(parseRegexOrNoMatch(expr))
	if err != nil {
		return false
	}
	// Follow empty-width instructions from the start; reaching Match
	// without consuming input means the empty string matches.
	seen := map[uint32]bool{}
	var walk func(pc uint32) bool
	walk = func(pc uint32) bool {
		if seen[pc] {
			return false
		}
		seen[pc] = true
		in := prog.Inst[pc]
		switch in.Op {
		case syntax.InstMatch:
			return true
		case syntax.InstAlt, syntax.InstAltMatch:
			return walk(in.Out) || walk(in.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			return walk(in.Out)
		}
		return false
	}
	return walk(uint32(prog.Start))
}

// flattenRegex lists the items of a top-level concatenation, looking
// through capture groups.
func flattenRegex(re *syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		var out []*syntax.Regexp
		for _, sub := range re.Sub {
			out = append(out, flattenRegex(sub)...)
		}
		return out
	case syntax.OpCapture:
		return flattenRegex(re.Sub[0])
	}
	return []*syntax.Regexp{re}
}

// canMatchSlash reports whether re may consume a '/'. Unknown operators
// count as yes.
func canMatchSlash(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpNoMatch:
		return false
	case syntax.OpLiteral:
		return strings.ContainsRune(string(re.Rune), '/')
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '/' && '/' <= re.Rune[i+1] {
				return true
			}
		}
		return false
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat,
		syntax.OpCapture, syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if canMatchSlash(sub) {
				return true
			}
		}
		return false
	}
	return true
}

// intersects reports whether some path may be in both spaces.
func (s urlSpace) intersects(o urlSpace) bool {
	for i := 0; i < len(s.segs) && i < len(o.segs); i++ {
		a, b := s.segs[i], o.segs[i]
		if !a.any && !b.any && a.lit != b.lit {
			return false
		}
	}
	return true
}

// within reports whether every path of s is surely in o.
func (s urlSpace) within(o urlSpace) bool {
	if len(o.segs) > len(s.segs) {
		return false
	}
	for i, b := range o.segs {
		a := s.segs[i]
		if !b.any && (a.any || a.lit != b.lit) {
			return false
		}
	}
	return true
}

func (s urlSpace) String() string {
	var b strings.Builder
	for _, seg := range s.segs {
		b.WriteByte('/')
		if seg.any {
			b.WriteByte('*')
		} else {
			b.WriteString(seg.lit)
		}
	}
	b.WriteString("/…")
	return b.String()
}

// locationSpace is the URL space of a <Location>, <Location ~> or
// <LocationMatch> section; ok is false when it cannot be told.
func locationSpace(s *ast.Section) (urlSpace, bool) {
	n := s.Open.NumArgs()
	switch {
	case n == 1 && s.Is("Location"):
		return prefixSpace(s.Open.Arg(0)), true
	case n == 1 && s.Is("LocationMatch"):
		return regexSpace(s.Open.Arg(0))
	case n == 2 && s.Is("Location") && s.Open.Arg(0) == "~":
		return regexSpace(s.Open.Arg(1))
	}
	return urlSpace{}, false
}

// --- web2py's static files --------------------------------------------

// web2py's own static alias (its setup scripts): /APP/static/FILE, with the
// optional asset-version segment web2py adds, maps to the app's static
// directory and nothing else under applications/.
const staticAliasRegex = `^/([^/]+)/static/(?:_[\d]+.[\d]+.[\d]+/)?(.*)`

// staticAliasTarget is the AliasMatch target for web2py root root.
func staticAliasTarget(root string) string { return root + "/applications/$1/static/$2" }

// staticDir is the directory pattern the static AliasMatch serves from.
func staticDir(root string) string { return root + "/applications/*/static" }

// quotedStaticAliasRegex is staticAliasRegex as the AliasMatch writes it,
// quoted once: the pass writes one per vhost.
var quotedStaticAliasRegex = ast.Quote(staticAliasRegex, '"')

// newStaticAliasMatch returns web2py's static AliasMatch for root.
func newStaticAliasMatch(m ast.Maker, root string) *ast.Directive {
	return m.NewDirectiveRaw("AliasMatch", quotedStaticAliasRegex, ast.Quote(staticAliasTarget(root), '"'))
}

// staticAliasRoot returns ROOT when d is an AliasMatch serving web2py static
// files (target "ROOT/applications/$1/static/$2", any regex), else "".
func staticAliasRoot(d *ast.Directive) string {
	if !d.Is("AliasMatch") || d.NumArgs() != 2 {
		return ""
	}
	root, ok := strings.CutSuffix(d.Arg(1), "/applications/$1/static/$2")
	if !ok || root == "" {
		return ""
	}
	return root
}

// inStaticDir reports whether p lies in a web2py static directory
// (ROOT/applications/APP/static or below) of root.
func inStaticDir(p, root string) bool {
	rest, ok := strings.CutPrefix(CleanDir(p), root)
	if !ok {
		return false
	}
	if rest, ok = strings.CutPrefix(rest, "/applications/"); !ok {
		return false
	}
	app, rest, _ := strings.Cut(rest, "/")
	dir, _, _ := strings.Cut(rest, "/")
	return app != "" && dir == "static"
}

// isWithin reports whether path p is dir or lies below it.
func isWithin(p, dir string) bool {
	p, dir = CleanDir(p), CleanDir(dir)
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// --- a site's URL mappings ----------------------------------------------

// wsgiMount is a WSGIScriptAlias: a URL prefix served by a script.
type wsgiMount struct {
	d      *ast.Directive
	url    string
	space  urlSpace
	target string // the script file, or a directory
}

// isFile reports whether the target names a script file rather than a
// directory (mod_wsgi then picks a script by the next URL segment).
func (m wsgiMount) isFile() bool {
	return !strings.HasSuffix(m.target, "/") && path.Ext(m.target) != ""
}

// urlMapping is any other directive in a site that maps URLs somewhere
// other than the WSGI mount: Alias, AliasMatch, ScriptAlias, ProxyPass...
type urlMapping struct {
	d      *ast.Directive
	space  urlSpace
	target string // filesystem target, "" when not a path
	known  bool   // space could be read
}

// siteMounts returns the WSGIScriptAlias mounts at site's level.
func siteMounts(site *ast.Section) []wsgiMount {
	var out []wsgiMount
	for _, n := range levelNodes(site) {
		d, ok := n.(*ast.Directive)
		if !ok || d.Kind() != ast.Plain || !d.Is("WSGIScriptAlias") || d.NumArgs() < 2 {
			continue
		}
		url := d.Arg(0)
		out = append(out, wsgiMount{d: d, url: url, space: prefixSpace(url), target: d.Arg(1)})
	}
	return out
}

// siteURLs is how one site maps URLs: its WSGI mounts and other mappings,
// read once, and its web2py root, looked up only when asked for.
type siteURLs struct {
	c        *Context
	site     *ast.Section
	mounts   []wsgiMount
	mappings []urlMapping
	root     string
	rootDone bool
	// staticRoot's static directory (staticDir), the last asked for.
	staticRoot, staticDirOf string
}

func readSiteURLs(c *Context, site *ast.Section) *siteURLs {
	return &siteURLs{c: c, site: site, mounts: siteMounts(site), mappings: siteMappings(site)}
}

// web2pyRoot is Web2pyRoot for the site, computed once.
func (u *siteURLs) web2pyRoot() string {
	if !u.rootDone {
		u.root, u.rootDone = u.c.web2pyRoot(u.site), true
	}
	return u.root
}

// staticDir is staticDir(root), made once for the site's root.
func (u *siteURLs) staticDir(root string) string {
	if u.staticDirOf == "" || u.staticRoot != root {
		u.staticRoot, u.staticDirOf = root, staticDir(root)
	}
	return u.staticDirOf
}

// mappingDirectives map URLs away from the WSGI mount.
var mappingDirectives = []string{
	"Alias", "AliasMatch", "ScriptAlias", "ScriptAliasMatch", "WSGIScriptAliasMatch",
	"ProxyPass", "ProxyPassMatch",
}

// siteMappings returns the URL mappings at site's level other than the
// WSGIScriptAlias mounts.
func siteMappings(site *ast.Section) []urlMapping {
	var out []urlMapping
	for _, n := range levelNodes(site) {
		d, ok := n.(*ast.Directive)
		if !ok || d.Kind() != ast.Plain || !d.IsAny(mappingDirectives...) || d.NumArgs() < 1 {
			continue
		}
		m := urlMapping{d: d}
		pattern := d.Arg(0)
		if n := d.Name(); len(n) > 5 && strings.EqualFold(n[len(n)-5:], "match") {
			m.space, m.known = regexSpace(pattern)
		} else {
			m.space, m.known = prefixSpace(pattern), true
		}
		if !d.IsAny("ProxyPass", "ProxyPassMatch") && d.NumArgs() >= 2 {
			m.target = d.Arg(1)
		}
		out = append(out, m)
	}
	return out
}

// levelNodes is Scope without the copy when s holds no conditional section,
// which is the common case: the passes call it for every vhost of a run,
// and only read the result.
func levelNodes(s *ast.Section) []ast.Node {
	for _, n := range s.Body {
		if sub, ok := n.(*ast.Section); ok && ast.IsConditional(sub.Name()) {
			return Scope(s)
		}
	}
	return s.Body
}

// directivesAt is DirectivesIn over levelNodes.
func directivesAt(s *ast.Section, name string) []*ast.Directive {
	var out []*ast.Directive
	for _, n := range levelNodes(s) {
		if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && d.Is(name) {
			out = append(out, d)
		}
	}
	return out
}

// hasDirectiveAt reports whether directivesAt(s, name) has any.
func hasDirectiveAt(s *ast.Section, name string) bool {
	for _, n := range levelNodes(s) {
		if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && d.Is(name) {
			return true
		}
	}
	return false
}

// sectionsAt is SectionsIn over levelNodes.
func sectionsAt(s *ast.Section, name string) []*ast.Section {
	var out []*ast.Section
	for _, n := range levelNodes(s) {
		if sub, ok := n.(*ast.Section); ok && sub.Is(name) {
			out = append(out, sub)
		}
	}
	return out
}

// anyDirective reports whether a plain directive named one of names exists
// anywhere in files; it stops looking at the first.
func anyDirective(files []*ast.File, names ...string) bool {
	found := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && d.IsAny(names...) {
				found = true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// accessSites returns every place URL mappings live: each VirtualHost, then each
// file's server-level scope.
func accessSites(files []*ast.File) []*ast.Section {
	out := VirtualHosts(files)
	for _, f := range files {
		out = append(out, f.Root)
	}
	return out
}

// directories answers "is there a <Directory> for this path" for a site:
// at the site's level or at server level in any file. Server-level paths
// are indexed once per pass, so a run over thousands of vhosts does not
// rescan every file for each of them.
type directories struct {
	server map[string]bool
}

func newDirectories(files []*ast.File) *directories {
	d := &directories{server: map[string]bool{}}
	for _, f := range files {
		for _, s := range sectionsAt(f.Root, "Directory") {
			if s.NumArgs() == 1 {
				d.server[CleanDir(s.Open.Arg(0))] = true
			}
		}
	}
	return d
}

// siteDirectories is directories for one site, whose own <Directory>
// paths are read once: a pass asks about a few paths per site, and adds
// some (added), while no other edit there adds or removes a Directory.
// It belongs to the goroutine working on the site.
type siteDirectories struct {
	d     *directories
	site  *ast.Section
	local []string // the site's own Directory paths, cleaned
	read  bool
}

// of returns the Directory index for site.
func (d *directories) of(site *ast.Section) *siteDirectories {
	return &siteDirectories{d: d, site: site}
}

// has reports whether a <Directory dir> applies in the site.
func (s *siteDirectories) has(dir string) bool {
	dir = CleanDir(dir)
	if s.d.server[dir] {
		return true
	}
	if s.site.IsRoot() {
		return false
	}
	if !s.read {
		for _, n := range levelNodes(s.site) {
			if sec, ok := n.(*ast.Section); ok && sec.Is("Directory") && sec.NumArgs() == 1 {
				s.local = append(s.local, CleanDir(sec.Open.Arg(0)))
			}
		}
		s.read = true
	}
	return slices.Contains(s.local, dir)
}

// added records a <Directory dir> written into the site.
func (s *siteDirectories) added(dir string) {
	switch {
	case s.site.IsRoot():
		s.d.server[CleanDir(dir)] = true
	case s.read:
		s.local = append(s.local, CleanDir(dir))
	}
}
