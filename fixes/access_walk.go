package fixes

import (
	"path"
	"slices"
	"strings"
)

// verdict is the model's answer for url in site (-1: the main server) for
// probe p: the sections that apply, walked and merged as httpd does (see
// access_model.go), then decided (access_decide.go).
func (m *accessModel) verdict(site int, url string, p *probe) Verdict {
	chain, _, ok := m.walk(site, url, p.facts, false)
	if !ok || m.buf.ambiguous {
		return Unknown
	}
	mg := mergeChain(chain, nil)
	return mg.decide(p)
}

// walk returns the sections that apply to url in site, in merge order,
// and for each whether it is the site's own (the vhost's; for the main
// server, the server level's) rather than the server's or the assumed
// context's; ok is false where the model cannot tell.
//
// The model cannot tell a file from a directory: where url's file as a
// directory would bring in other sections, the walk is of the file and
// m.buf.ambiguous is set; asDir walks it as the directory.
func (m *accessModel) walk(site int, url string, facts map[string]bool, asDir bool) (chain []*modelSection, own []bool, ok bool) {
	sc := m.scope(site)
	var room [3]*modelScope
	levels := room[:0]
	if m.ctx != nil {
		levels = append(levels, m.ctx)
	}
	levels = append(levels, m.server)
	if sc != nil {
		levels = append(levels, sc)
	}
	for _, l := range levels {
		if l.unknown != "" {
			return nil, nil, false
		}
	}
	file, mapped := m.mapURL(sc, url, facts)
	m.buf.ambiguous = false
	if !mapped {
		return nil, nil, false
	}
	if asDir && !strings.HasSuffix(file, "/") {
		file += "/"
	}
	// The walk reuses the model's buffers: its result is read before the
	// next walk of the same model (see accessProver.prove).
	w := &m.buf
	w.chain, w.own = w.chain[:0], w.own[:0]
	ownLevel := len(levels) - 1
	known := true
	add := func(s *modelSection, level int) {
		on, ok := active(s.conds, facts)
		known = known && ok
		if on {
			w.chain = append(w.chain, s)
			w.own = append(w.own, level == ownLevel)
		}
	}
	dirs := m.sortedDirs(levels)
	dir := file
	if !strings.HasSuffix(dir, "/") {
		dir = path.Dir(dir) + "/"
		if dir == "//" {
			dir = "/"
		}
	}
	w.nested = w.nested[:0]
	if !strings.HasSuffix(file, "/") && !w.script {
		for _, d := range dirs {
			if dirMatches(d.s, file+"/") && !dirMatches(d.s, dir) {
				w.ambiguous = true
			}
		}
	}
	for _, d := range dirs {
		if d.s.unknown != "" {
			return nil, nil, false
		}
		if dirMatches(d.s, dir) {
			add(d.s, d.level)
			if on, _ := active(d.s.conds, facts); on {
				for _, f := range d.s.files {
					w.nested = append(w.nested, leveled{f, d.level})
				}
			}
		}
	}
	for i, l := range levels {
		for _, d := range l.dirRes {
			if d.unknown != "" || len(d.files) > 0 {
				return nil, nil, false
			}
			match, known := dirRegexMatches(d, file)
			if !known {
				return nil, nil, false
			}
			if match {
				add(d, i)
			}
		}
	}
	base := ""
	if !strings.HasSuffix(file, "/") {
		base = file[strings.LastIndexByte(file, '/')+1:]
	}
	filesIn := func(list []*modelSection, level int) bool {
		for _, f := range list {
			if f.unknown != "" {
				return false
			}
			if base != "" && filesMatches(f, base) {
				add(f, level)
			}
		}
		return true
	}
	for i, l := range levels {
		if !filesIn(l.files, i) {
			return nil, nil, false
		}
	}
	for _, f := range w.nested {
		if f.s.unknown != "" {
			return nil, nil, false
		}
		if base != "" && filesMatches(f.s, base) {
			add(f.s, f.level)
		}
	}
	for i, l := range levels {
		for _, loc := range l.locs {
			if loc.unknown != "" {
				return nil, nil, false
			}
			if locationMatches(loc, url) {
				add(loc, i)
			}
		}
	}
	return w.chain, w.own, known
}

// leveled is a section with the index of its level in a walk.
type leveled struct {
	s     *modelSection
	level int
}

// walkBuf holds a model's walk buffers.
type walkBuf struct {
	chain  []*modelSection
	own    []bool
	nested []leveled
	// dirs are the last levels' <Directory> sections in httpd's order,
	// for levels.
	dirs      []leveled
	levels    [3]*modelScope
	ambiguous bool // the last walk's file may be a directory (see walk)
	script    bool // the last mapURL's file is a WSGI script
}

// sortedDirs returns the <Directory> sections of levels in httpd's order:
// by path components, then the server's before the vhost's, each in order
// of appearance. The walks of one proof ask for the same levels over and
// over.
func (m *accessModel) sortedDirs(levels []*modelScope) []leveled {
	w := &m.buf
	var key [3]*modelScope
	copy(key[:], levels)
	if w.dirs != nil && key == w.levels {
		return w.dirs
	}
	w.levels = key
	w.dirs = w.dirs[:0]
	for i, l := range levels {
		for _, d := range l.dirs {
			w.dirs = append(w.dirs, leveled{d, i})
		}
	}
	slices.SortStableFunc(w.dirs, func(a, b leveled) int { return a.s.comps - b.s.comps })
	return w.dirs
}

// dirMatches reports whether <Directory> d applies to directory dir (with
// its trailing slash): d's path is dir or one of its parents, a glob
// matching as many components.
func dirMatches(d *modelSection, dir string) bool {
	if d.comps == 0 {
		return true // <Directory />
	}
	// dir up to its d.comps-th slash: as many components as d's path.
	prefix, n := "", 0
	for i := 0; i < len(dir); i++ {
		if dir[i] == '/' {
			n++
			if n == d.comps {
				prefix = dir[:i+1]
				break
			}
		}
	}
	if prefix == "" {
		if strings.Count(dir, "/") != d.comps {
			return false
		}
		prefix = dir
	}
	if strings.ContainsAny(d.pattern, "*?") {
		ok, _ := path.Match(d.pattern, prefix)
		return ok
	}
	return d.pattern == prefix
}

// dirRegexMatches matches a <DirectoryMatch> against the file's
// directories; where the answer would differ for the file name itself
// (httpd tests r->filename as it stands) the model does not know.
func dirRegexMatches(d *modelSection, file string) (match, ok bool) {
	anyDir := false
	for i := 0; i < len(file); i++ {
		if file[i] == '/' && d.re.MatchString(file[:i+1]) {
			anyDir = true
			break
		}
	}
	whole := d.re.MatchString(file)
	return anyDir, anyDir == whole || strings.HasSuffix(file, "/")
}

func filesMatches(f *modelSection, base string) bool {
	if f.kind == kindFilesMatch {
		return f.re.MatchString(base)
	}
	if strings.ContainsAny(f.pattern, "*?") {
		ok, _ := path.Match(f.pattern, base)
		return ok
	}
	return f.pattern == base
}

func locationMatches(l *modelSection, url string) bool {
	if l.kind == kindLocationMatch {
		return l.re.MatchString(url)
	}
	p := l.pattern
	if strings.ContainsAny(p, "*?") {
		ok, _ := path.Match(p, url)
		return ok
	}
	if !strings.HasPrefix(url, p) {
		return false
	}
	return len(p) == 0 || p[len(p)-1] == '/' || len(url) == len(p) || url[len(p)] == '/'
}
