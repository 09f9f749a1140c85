package fixes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// DuplicateDaemon is the duplicate-daemon pass.
var DuplicateDaemon = &Pass{
	Name:    "duplicate-daemon",
	Title:   "remove the duplicate daemon definition",
	Default: true,
	Run:     runDuplicateDaemon,
	Doc: `A WSGIDaemonProcess name must be unique in the whole server, whatever
context it is in (mod_wsgi documentation, "WSGIDaemonProcess": "the name of
the daemon process group must be unique for the whole server"). A second
definition makes httpd refuse to start:

    Name duplicates previous WSGI daemon definition.

The web2py book's HTTP+HTTPS example defines the same group in both
vhosts. All files of a run count as one server, so a definition in
sites-enabled/web2py.conf and another in web2py-ssl.conf are duplicates; the
first in load order is kept.

A later definition whose options equal the first's is removed: the order of
options does not matter, option keys compare without case, and directory
values compare without a trailing slash (home=/x/ equals home=/x; both
chdir to the same directory). A removed definition's lead comments stay
where they are; continuation lines go with it.

When the options differ it is a conflict: which daemon the operator wanted
is not knowable, so the finding names the differing options and the text is
left alone, unless --daemon-conflict says otherwise:

    --daemon-conflict=report      (default) report only
    --daemon-conflict=keep-first  remove the later definition
    --daemon-conflict=rename      rename it to NAME-2 (NAME-3… if taken) and
                                  rewrite WSGIProcessGroup and process-group=
                                  references to it inside its vhost

Renaming needs a vhost to say which references are the duplicate's, so a
duplicate at global scope, or a second one in the first's own vhost, is only
reported.

Conditional sections (IfModule, IfDefine…) matter, because httpd may read
one definition without the other. Two definitions under unrelated
conditions (<IfDefine A> and <IfDefine B>) may never be read together:
reported as a warning and left alone; under a condition and its negation
(<IfDefine X> and <IfDefine !X>) they never are, and nothing is reported. When the first is conditional and the
later one is not (Debian loads web2py-ssl.conf, with its <IfModule
mod_ssl.c>, before web2py.conf), removing the later one would leave no
daemon without mod_ssl; with equal options the first is removed instead,
since the later one is read whenever the first is, unless a preloading
WSGIScriptAlias/WSGIImportScript between them needs the name early. With
different options keep-first then only reports. Three or more definitions
under differing conditions are only reported.

Before:

    <VirtualHost *:80>
    WSGIDaemonProcess web2py user=www-data group=www-data \
    home=/home/web2py/ \
    processes=10 maximum-requests=500
    </VirtualHost>
    <VirtualHost *:443>
    WSGIDaemonProcess web2py user=www-data group=www-data \
    home=/home/web2py/ \
    processes=10 maximum-requests=500
    SSLEngine On
    </VirtualHost>

After:

    <VirtualHost *:80>
    WSGIDaemonProcess web2py user=www-data group=www-data \
    home=/home/web2py/ \
    processes=10 maximum-requests=500
    </VirtualHost>
    <VirtualHost *:443>
    SSLEngine On
    </VirtualHost>

Whether the kept definition is reachable from the second vhost is the
daemon-scope pass's question.`,
}

// modWSGIDuplicate is mod_wsgi's configtest error for a reused name.
const modWSGIDuplicate = "Name duplicates previous WSGI daemon definition."

func runDuplicateDaemon(c *Context) {
	u := scanDaemonUse(c.Files)
	defer u.handOver(c)
	if u.count < 2 {
		return
	}
	for _, name := range u.names {
		all := u.defs[name]
		if len(all) > 2 && !sameConditions(all) {
			// Which of three or more are read together depends on the
			// conditions; nothing here is provably safe.
			for _, dup := range all[1:] {
				c.Report(FileOf(dup), dup.Pos(), Warning, false,
					"WSGIDaemonProcess %q is defined %d times under different conditions (%s here, %s at %s); if httpd reads two of them it refuses to start (%q); left alone",
					name, len(all), describeConditions(dup), describeConditions(all[0]), where(all[0]), modWSGIDuplicate)
			}
			continue
		}
		kept := all[0]
		for _, dup := range all[1:] {
			kept = resolveDuplicate(c, u, kept, dup)
		}
	}
}

// sameConditions reports whether every definition sits under the same
// conditional sections.
func sameConditions(defs []*ast.Directive) bool {
	want := describeConditions(defs[0])
	for _, d := range defs[1:] {
		if describeConditions(d) != want {
			return false
		}
	}
	return true
}

// resolveDuplicate handles a later definition dup of first's name and
// returns the definition that stands for the name afterwards.
func resolveDuplicate(c *Context, u *daemonUse, first, dup *ast.Directive) *ast.Directive {
	f, name := FileOf(dup), dup.Arg(0)
	firstCovers, dupCovers := impliedBy(first, dup), impliedBy(dup, first)
	if exclusive(first, dup) {
		return first // <IfDefine X> and <IfDefine !X>: never read together
	}
	if !firstCovers && !dupCovers {
		c.Report(f, dup.Pos(), Warning, false,
			"WSGIDaemonProcess %q is also defined at %s under other conditions (%s here, %s there): "+
				"if httpd reads both it refuses to start (%q); left alone",
			name, where(first), describeConditions(dup), describeConditions(first), modWSGIDuplicate)
		return first
	}
	onlyFirst, onlyDup := optionDiff(first, dup)
	if len(onlyFirst) == 0 && len(onlyDup) == 0 {
		return removeEqual(c, u, first, dup, firstCovers)
	}
	conflict := fmt.Sprintf("WSGIDaemonProcess %q conflicts with the definition at %s: options %q here, %q there (httpd refuses it: %q)",
		name, where(first), describeOptions(onlyDup), describeOptions(onlyFirst), modWSGIDuplicate)
	switch {
	case c.Opts.DaemonConflict == "keep-first" && firstCovers:
		ast.Remove(dup)
		c.Report(f, dup.Pos(), Error, true, "%s; removed, the first is kept (--daemon-conflict=keep-first)", conflict)
	case c.Opts.DaemonConflict == "keep-first":
		c.Report(f, dup.Pos(), Error, false,
			"%s; not removed: the first is read only under %s, and without this one the name would be undefined otherwise",
			conflict, describeConditions(first))
	case c.Opts.DaemonConflict == "rename":
		renameDuplicate(c, u, first, dup, conflict)
	default:
		c.Report(f, dup.Pos(), Error, false,
			"%s; left alone: choose with --daemon-conflict=keep-first or --daemon-conflict=rename", conflict)
	}
	return first
}

// removeEqual removes one of two definitions with the same options: the
// later one when the first is read whenever it is; otherwise (the first sits
// under conditions the later one does not) the first, which the later one
// then covers, unless something between them needs the name already.
func removeEqual(c *Context, u *daemonUse, first, dup *ast.Directive, firstCovers bool) *ast.Directive {
	name := dup.Arg(0)
	if firstCovers {
		f := FileOf(dup)
		ast.Remove(dup)
		c.Report(f, dup.Pos(), Error, true,
			"duplicate WSGIDaemonProcess %q removed: the definition at %s has the same options (httpd refused it: %q)",
			name, where(first), modWSGIDuplicate)
		return first
	}
	for _, s := range u.selectors[name] {
		if preloads(s, name) && u.before(first, s) && u.before(s, dup) {
			c.Report(FileOf(dup), dup.Pos(), Error, false,
				"WSGIDaemonProcess %q duplicates the definition at %s (httpd refuses it: %q); left alone: "+
					"that one is read only under %s, and %s at %s needs the name before this one",
				name, where(first), modWSGIDuplicate, describeConditions(first), s.Name(), where(s))
			return first
		}
	}
	ff, conds := FileOf(first), describeConditions(first)
	ast.Remove(first)
	u.stale = true // the name's first definition, and so u.names' order, changed
	c.Report(ff, first.Pos(), Error, true,
		"duplicate WSGIDaemonProcess %q removed: the definition at %s has the same options and is read whenever this one is (%s here, %s there) (httpd refused it: %q)",
		name, where(dup), conds, describeConditions(dup), modWSGIDuplicate)
	return dup
}

// renameDuplicate gives dup the first unused name NAME-2, NAME-3… and
// rewrites the references to it inside dup's vhost.
func renameDuplicate(c *Context, u *daemonUse, first, dup *ast.Directive, conflict string) {
	f, name := FileOf(dup), dup.Arg(0)
	vh := VirtualHostOf(dup)
	switch {
	case vh == nil:
		c.Report(f, dup.Pos(), Error, false,
			"%s; not renamed: at global scope nothing says which references are its own", conflict)
		return
	case VirtualHostOf(first) == vh:
		c.Report(f, dup.Pos(), Error, false,
			"%s; not renamed: the first is in the same vhost, so nothing says which references are its own", conflict)
		return
	}
	newName := name
	for i := 2; u.used(newName); i++ {
		newName = fmt.Sprintf("%s-%d", name, i)
	}
	dup.SetArg(0, newName)
	u.stale = true // its old name's lists still hold it and its references
	u.defs[newName] = append(u.defs[newName], dup)
	refs, stuck := renameReferences(vh, name, newName)
	u.selectors[newName] = append(u.selectors[newName], refs...)
	c.Report(f, dup.Pos(), Error, true,
		"%s; renamed to %q with %d reference(s) in its vhost (--daemon-conflict=rename)", conflict, newName, len(refs))
	for _, d := range stuck {
		c.Report(FileOf(d), d.Pos(), Error, false,
			"%s still names daemon group %q, renamed to %q: the token could not be rewritten in place; change it by hand",
			d.Name(), name, newName)
	}
}

// renameReferences points every selection of group old inside vh at new:
// WSGIProcessGroup arguments and process-group= options. It returns the
// directives it changed and those it could not rewrite.
func renameReferences(vh *ast.Section, old, new string) (changed, stuck []*ast.Directive) {
	ast.InspectSection(vh, func(n ast.Node) bool {
		d, ok := n.(*ast.Directive)
		if !ok || d.Kind() != ast.Plain {
			return true
		}
		touched, failed := false, false
		switch {
		case d.Is("WSGIProcessGroup"):
			if d.Arg(0) == old {
				d.SetArg(0, new)
				touched = true
			}
		case d.IsAny("WSGIScriptAlias", "WSGIScriptAliasMatch", "WSGIImportScript"):
			for i, a := range d.Values() {
				if k, v, ok := Option(a); ok && k == "process-group" && optionValue(v) == old {
					if setOptionValue(d, i, new) {
						touched = true
					} else {
						failed = true
					}
				}
			}
		}
		if touched {
			changed = append(changed, d)
		}
		if failed {
			stuck = append(stuck, d)
		}
		return true
	})
	return changed, stuck
}

// describeConditions renders the conditional sections around n.
func describeConditions(n ast.Node) string {
	if cs := conditions(n); len(cs) > 0 {
		return strings.Join(cs, " ")
	}
	return "unconditional"
}

// handOver leaves u, with the definitions the pass removed taken out, for
// daemon-scope (see Runner.Run), unless an edit changed more than the
// definitions: then daemon-scope scans again.
func (u *daemonUse) handOver(c *Context) {
	if u.stale {
		return
	}
	for name, defs := range u.defs {
		if len(defs) > 1 {
			u.defs[name] = slices.DeleteFunc(defs, func(d *ast.Directive) bool { return d.Parent() == nil })
		}
	}
	c.usesLeft = u
}
