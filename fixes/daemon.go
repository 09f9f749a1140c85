package fixes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// Daemon helpers shared by duplicate-daemon, daemon-scope, daemon-sizing and
// application-group. Daemon group names compare exactly: mod_wsgi looks them
// up with strcmp.

// where formats n's position as "file:line:col" for messages that point at
// another node than the one reported.
func where(n ast.Node) string {
	name := "?"
	if f := FileOf(n); f != nil {
		name = f.Name
	}
	return sprintf("%s:%d:%d", name, n.Pos().Line, n.Pos().Col)
}

// dirOptions are WSGIDaemonProcess options whose value is a directory:
// "home=/x/" and "home=/x" name the same directory, so they compare equal.
var dirOptions = map[string]bool{"home": true, "python-home": true, "chroot": true}

// daemonOptions returns a definition's options normalised for comparison
// and sorted, so that option order does not matter: keys lower case,
// directory values without a trailing slash (python-path per element).
// An argument without '=' is kept as written.
func daemonOptions(def *ast.Directive) []string {
	vals := def.Values()
	out := make([]string, 0, len(vals))
	for _, a := range vals[1:] {
		k, v, ok := Option(a)
		v = optionValue(v)
		switch {
		case !ok:
			out = append(out, a)
			continue
		case dirOptions[k]:
			v = CleanDir(v)
		case k == "python-path":
			parts := strings.Split(v, ":")
			for i, p := range parts {
				parts[i] = CleanDir(p)
			}
			v = strings.Join(parts, ":")
		}
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// optionDiff returns the normalised options only a has and only b has.
func optionDiff(a, b *ast.Directive) (onlyA, onlyB []string) {
	if a.SameArgs(b) || slices.Equal(a.Values(), b.Values()) {
		return nil, nil // the usual duplicate: the same line pasted twice
	}
	oa, ob := daemonOptions(a), daemonOptions(b)
	count := map[string]int{}
	for _, o := range ob {
		count[o]++
	}
	for _, o := range oa {
		if count[o] > 0 {
			count[o]--
			continue
		}
		onlyA = append(onlyA, o)
	}
	count = map[string]int{}
	for _, o := range oa {
		count[o]++
	}
	for _, o := range ob {
		if count[o] > 0 {
			count[o]--
			continue
		}
		onlyB = append(onlyB, o)
	}
	return onlyA, onlyB
}

// describeOptions renders a list of options for a message, "none" if empty.
func describeOptions(opts []string) string {
	if len(opts) == 0 {
		return "none"
	}
	return strings.Join(opts, " ")
}

// conditions returns the conditional sections (IfModule, IfDefine…) around
// n, outermost first, each as "<Name args>" with httpd's spelling of the
// name, so two nodes can be compared for the conditions under which httpd
// reads them.
func conditions(n ast.Node) []string {
	var out []string
	for p := n.Parent(); p != nil && !p.IsRoot(); p = p.Parent() {
		if ast.IsConditional(p.Name()) {
			out = append(out, "<"+ast.CanonicalSection(p.Name())+" "+strings.Join(p.Open.Values(), " ")+">")
		}
	}
	slices.Reverse(out)
	return out
}

// impliedBy reports whether every condition around first also holds around
// second: then whenever httpd reads second it has read first too.
func impliedBy(first, second ast.Node) bool {
	have := conditions(second)
	for _, c := range conditions(first) {
		if !slices.Contains(have, c) {
			return false
		}
	}
	return true
}

// selectedGroups returns the daemon group names d selects: the argument of
// WSGIProcessGroup, or the process-group= options of WSGIScriptAlias,
// WSGIScriptAliasMatch and WSGIImportScript. dynamic is true when a
// selection is a %{…} expansion that cannot be resolved statically.
// (ProcessGroups answers the same question for a whole vhost.)
func selectedGroups(d *ast.Directive) (names []string, dynamic bool) {
	add := func(n string) {
		switch {
		case n == "" || n == "%{GLOBAL}":
		case strings.HasPrefix(n, "%{"):
			dynamic = true
		default:
			names = append(names, n)
		}
	}
	switch {
	case d.Kind() != ast.Plain:
	case d.Is("WSGIProcessGroup"):
		add(d.Arg(0))
	case d.IsAny("WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript"):
		for i, n := 0, d.NumArgs(); i < n; i++ {
			if k, v, ok := Option(d.Arg(i)); ok && k == "process-group" {
				add(optionValue(v))
			}
		}
	}
	return names, dynamic
}

// preloads reports whether d makes mod_wsgi look up daemon group name while
// it reads the configuration: WSGIImportScript, and WSGIScriptAlias(Match)
// with both process-group= and application-group= (no %{…} but %{GLOBAL},
// and for the Match form no $N in the script path). httpd then refuses the line unless
// the group is defined earlier: "WSGI process group not yet configured."
func preloads(d *ast.Directive, name string) bool {
	if d.Kind() != ast.Plain || !d.IsAny("WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript") {
		return false
	}
	var group, app string
	var hasApp bool
	for _, a := range d.Args() {
		if k, v, ok := Option(a.Value); ok {
			switch k {
			case "process-group":
				group = optionValue(v)
			case "application-group":
				app, hasApp = optionValue(v), true
			}
		}
	}
	if group != name || !hasApp {
		return false
	}
	if d.Is("WSGIImportScript") {
		return true
	}
	// mod_wsgi turns %{GLOBAL} into "" before it checks, so only the other
	// expansions skip the lookup (checked with mod_wsgi 4.9.4).
	if strings.Contains(app, "%{") && app != "%{GLOBAL}" {
		return false
	}
	return !(d.Is("WSGIScriptAliasMatch") && strings.Contains(d.Arg(1), "$"))
}

// optionValue returns an option value as mod_wsgi reads it: its option
// parser takes the text after '=' as one httpd word, so process-group="x"
// names x. (A token quoted as a whole, "process-group=x", is not an option
// to mod_wsgi at all: "Invalid option to WSGI script alias definition.")
func optionValue(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// setOptionValue rewrites the value of option argument i of d (key=value)
// to value, keeping the value's own quotes and the rest of the line. It
// reports false when the token cannot be rewritten in place.
func setOptionValue(d *ast.Directive, i int, value string) bool {
	a := d.Args()[i]
	key, old, _ := strings.Cut(a.Value, "=")
	if old != optionValue(old) {
		value = old[:1] + value + old[:1]
	}
	tok := key + "=" + value
	if a.Quote != 0 || !strings.ContainsAny(tok, "\"'") {
		d.SetArg(i, tok) // quoting as the token had it
		return true
	}
	// A quoted value inside a bare token: SetArg would quote the whole
	// token, so replace the raw text, when it is unambiguous.
	if strings.Count(string(d.Raw()), a.Raw) != 1 {
		return false
	}
	return d.ReplaceInArgs(a.Raw, tok) == 1
}

// daemonUse is who defines and who selects each daemon group of a run.
type daemonUse struct {
	names     []string                    // in order of first definition
	defs      map[string][]*ast.Directive // load order
	selectors map[string][]*ast.Directive // load order
	dynamic   bool                        // some selection is a %{…} expansion
	count     int                         // definitions with a name
	stale     bool                        // an edit made it unfit to hand over

	// Load order of the definitions and selectors as scanned, for before.
	// Only odd configurations (preloading selectors) ask, so the map is
	// built from found on first use.
	found []*ast.Directive
	order map[*ast.Directive]int
}

// before reports whether a came before b in load order when the run was
// scanned (both are definitions or selectors).
func (u *daemonUse) before(a, b *ast.Directive) bool {
	if u.order == nil {
		u.order = make(map[*ast.Directive]int, len(u.found))
		for seq, d := range u.found {
			u.order[d] = seq
		}
	}
	return u.order[a] < u.order[b]
}

// namedUse is a definition or selection of the daemon group name.
type namedUse struct {
	name string
	d    *ast.Directive
}

// daemonUses are the definitions and selections among some directives.
type daemonUses struct {
	defs, sels []namedUse
	dynamic    bool
}

func (x *daemonUses) read(found []*ast.Directive) {
	for _, d := range found {
		if d.Is("WSGIDaemonProcess") {
			if name := d.Arg(0); name != "" {
				x.defs = append(x.defs, namedUse{name, d})
			}
			continue
		}
		names, dyn := selectedGroups(d)
		x.dynamic = x.dynamic || dyn
		for _, n := range names {
			x.sels = append(x.sels, namedUse{n, d})
		}
	}
}

func isDaemonUse(d *ast.Directive) bool {
	return d.IsAny("WSGIDaemonProcess", "WSGIProcessGroup", "WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript")
}

func scanDaemonUse(files []*ast.File) *daemonUse {
	u := &daemonUse{found: collect(files, isDaemonUse)}
	// The names are read on two goroutines, each over half of what the walk
	// found (a definition's arguments are a continued line, parsed on first
	// read, and a big run has tens of thousands); the maps are then built
	// at their final size, one on each goroutine.
	var head, tail daemonUses
	half := len(u.found) / 2
	inParallel(len(u.found) >= minParallelUses,
		func() { head.read(u.found[:half]) },
		func() { tail.read(u.found[half:]) })
	defs := append(head.defs, tail.defs...)
	sels := append(head.sels, tail.sels...)
	u.dynamic = head.dynamic || tail.dynamic
	u.count = len(defs)
	inParallel(len(u.found) >= minParallelUses, func() {
		u.defs = make(map[string][]*ast.Directive, len(defs))
		for _, x := range defs {
			if len(u.defs[x.name]) == 0 {
				u.names = append(u.names, x.name)
			}
			u.defs[x.name] = append(u.defs[x.name], x.d)
		}
	}, func() {
		u.selectors = make(map[string][]*ast.Directive, len(sels))
		for _, x := range sels {
			u.selectors[x.name] = append(u.selectors[x.name], x.d)
		}
	})
	return u
}

// minParallelUses is how many daemon directives a run needs before
// scanDaemonUse splits its work (a variable for tests).
var minParallelUses = 4096

// used reports whether name is taken, as a definition or a selection.
func (u *daemonUse) used(name string) bool {
	return len(u.defs[name]) > 0 || len(u.selectors[name]) > 0
}

// hostName returns the host part of the vhost's last ServerName exactly as
// written (scheme and port stripped). mod_wsgi compares it with strcmp, so
// unlike ServerName it keeps its case; ok is false when there is none.
func hostName(vh *ast.Section) (host string, ok bool) {
	ds := DirectivesIn(vh, "ServerName")
	if len(ds) == 0 {
		return "", false
	}
	host = ds[len(ds)-1].Arg(0)
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return host, true
}

// describeHost renders a vhost's ServerName for a message.
func describeHost(vh *ast.Section) string {
	if h, ok := hostName(vh); ok {
		return fmt.Sprintf("ServerName %q", h)
	}
	return "no ServerName"
}

// atGlobalScope reports whether n applies to the main server: only
// conditional sections stand between it and its file's root.
func atGlobalScope(n ast.Node) bool {
	p := n.Parent()
	for p != nil && !p.IsRoot() {
		if !ast.IsConditional(p.Name()) {
			return false
		}
		p = p.Parent()
	}
	return p != nil
}

// exclusive reports whether a and b can never both be read: one sits under
// <IfDefine X> (or IfModule…) and the other under its negation <IfDefine !X>.
func exclusive(a, b ast.Node) bool {
	cb := conditions(b)
	for _, c := range conditions(a) {
		name, arg, ok := strings.Cut(c, " ")
		if !ok {
			continue
		}
		neg := name + " !" + arg
		if rest, isNeg := strings.CutPrefix(arg, "!"); isNeg {
			neg = name + " " + rest
		}
		if slices.Contains(cb, neg) {
			return true
		}
	}
	return false
}
