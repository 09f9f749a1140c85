package fixes

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// Proving that an access rewrite keeps who gets in (SPEC.md "Access
// safety"): the model decides the probes of every site the rewrite can
// reach, before and after, under each server context, anonymous and
// authenticated, from each client address the rules name.

// accessChange is one request whose verdict a rewrite changes.
type accessChange struct {
	url, client, user string
	context           string
	before, after     Verdict
}

func (c accessChange) String() string {
	who := "anonymous"
	if c.user != "" {
		who = "authenticated"
	}
	return strconv.Quote(c.url) + " (" + who + ", from " + c.client + ", " + c.context + "): " + c.before.String() + " before, " + c.after.String() + " after"
}

// proof is the outcome of proving a rewrite.
type proof struct {
	// refused is the first change no rule allows ("" when none): the
	// rewrite must not be made.
	refused *accessChange
	// unknown is set when the model cannot decide a request the rewrite
	// may touch: the rewrite must not be made either.
	unknown *accessChange
	// meant are changes the rewrite makes on purpose (see legacyMeaning):
	// the finding must name them.
	meant []accessChange
}

func (p proof) ok() bool { return p.refused == nil && p.unknown == nil }

// problem is why a rewrite is refused, for a finding.
func (p proof) problem() string {
	switch {
	case p.unknown != nil:
		return "the access model cannot decide " + strconv.Quote(p.unknown.url) + " (" + p.unknown.context + "), so it cannot prove the rewrite keeps who gets in"
	case p.refused != nil:
		return "it would change who gets in: " + p.refused.String()
	}
	return ""
}

// declared is the clause a finding adds for the changes made on purpose,
// "" when there are none. The prover (wsgifix diff --prove) reads "access
// changes for" and the quoted URLs.
func (p proof) declared() string {
	if len(p.meant) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("; access changes for ")
	seen := map[string]bool{}
	n := 0
	for _, c := range p.meant {
		if seen[c.url] {
			continue
		}
		seen[c.url] = true
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(c.url))
		n++
	}
	c := p.meant[0]
	b.WriteString(" (" + c.context + "): " + c.before.String() + " before, " + c.after.String() +
		" after, as the 2.2 rules of this site meant (2.4 let the server's Require override them)")
	return b.String()
}

// accessProver proves rewrites for one pass over files.
type accessProver struct {
	files []*ast.File
	sites []*ast.Section
	index map[*ast.Section]int
	ctxs  []*modelScope
	names []string
	// server is the server level as read before the first proof; an
	// applied rewrite at server level must call changed.
	server *modelScope
	// urls are each site's probe URLs when its first rewrite was proved:
	// a later proof asks them too, so a URL only a moved section named
	// (a LocationMatch's sample) is still asked once the section is gone.
	urls [][]string // by site index + 1 (0: the main server)
}

// changed says the tree changed at server level: the next proof reads
// it again.
func (pr *accessProver) changed() { pr.server = nil }

// settle reads the server level if it is not read: before work on the
// vhosts is split over goroutines, which then only read it.
func (pr *accessProver) settle() {
	if pr.server == nil {
		pr.server = readServerScope(pr.files, nil)
	}
}

func newAccessProver(files []*ast.File) *accessProver {
	sites := VirtualHosts(files)
	pr := &accessProver{files: files, sites: sites, index: make(map[*ast.Section]int, len(sites)), ctxs: contextsFor(files), urls: make([][]string, len(sites)+1)}
	for i, s := range sites {
		pr.index[s] = i
	}
	for _, c := range ServerContexts(files) {
		pr.names = append(pr.names, c.Name)
	}
	return pr
}

// prove compares the verdicts of the tree and of the tree with rw for
// the site holding n (every site when n is at server level). extra are
// URLs the rewrite is about, probed besides the site's own.
func (pr *accessProver) prove(n ast.Node, rw *rewrite, extra []string) proof {
	targets := []int{}
	vh := VirtualHostOf(n)
	if vh != nil {
		targets = append(targets, pr.index[vh])
	} else {
		for i := range pr.sites {
			targets = append(targets, i)
		}
		targets = append(targets, -1)
	}
	pr.settle()
	before := newAccessModelOn(pr.server, pr.sites, nil)
	after := newAccessModelOn(pr.server, pr.sites, rw)
	if vh == nil { // a rewrite at server level
		after = newAccessModel(pr.files, pr.sites, rw)
	}
	var out proof
	users := []string{"", ProbeUser}
	for k, ctx := range pr.ctxs {
		before.ctx, after.ctx = ctx, ctx
		for _, t := range targets {
			https := false
			if sc := before.scope(t); sc != nil {
				https = sc.https
			}
			first := pr.urls[t+1]
			if first == nil { // the site as it was before this pass touched it
				first = before.probeURLs(t, nil)
				pr.urls[t+1] = first // each site's own element: vhosts run on goroutines
			}
			urls := union(union(first, before.probeURLs(t, extra)), after.probeURLs(t, extra))
			clients := unionAddrs(before.clients(t), after.clients(t))
			ws := worlds(union(before.facts(t), after.facts(t)))
			if ws == nil {
				return proof{unknown: &accessChange{url: "/", context: pr.names[k] + ", more than 5 host and env rules to try both ways"}}
			}
			for _, u := range urls {
				ambiguous := false // the file walk of this world found it may be a directory
				for _, ww := range worldsAsDir(ws) {
					if ww.asDir && !ambiguous {
						continue // a file either way: walked as one already
					}
					w := ww.facts
					bChain, bOwn, bOK := before.walk(t, u, w, ww.asDir)
					ambiguous = before.buf.ambiguous
					aChain, _, aOK := after.walk(t, u, w, ww.asDir)
					ambiguous = ambiguous || after.buf.ambiguous
					if bOK && aOK && !rw.touches(bChain) && !rw.touches(aChain) {
						continue // the same sections, read from the same text
					}
					var bConf, aConf merged
					if bOK {
						bConf = mergeChain(bChain, nil)
					}
					if aOK {
						aConf = mergeChain(aChain, nil)
					}
					// A decision that reads no address (or no user) is asked
					// from one address (anonymously) only.
					cs, us := clients, users
					if bOK && aOK && !bConf.readsClient() && !aConf.readsClient() {
						cs = clients[:1]
					}
					if bOK && aOK && !bConf.readsUser() && !aConf.readsUser() {
						us = users[:1]
					}
					for _, c := range cs {
						for _, user := range us {
							p := &probe{client: c, https: https, user: user, facts: w}
							vb, va := Unknown, Unknown
							if bOK {
								vb = bConf.decide(p)
							}
							if aOK {
								va = aConf.decide(p)
							}
							if vb == va && vb != Unknown {
								continue
							}
							ch := accessChange{url: u, client: c.String(), user: user, context: pr.names[k], before: vb, after: va}
							switch {
							case vb == Unknown || va == Unknown:
								out.unknown = &ch
								return out
							case bOK && legacyMeaning(bChain, bOwn, p) == va:
								out.meant = append(out.meant, ch)
							default:
								out.refused = &ch
								return out
							}
						}
					}
				}
			}
		}
	}
	return out
}

// decideChain merges chain (skipping the sections skip says) and decides.
func decideChain(chain []*modelSection, skip func(i int) bool, p *probe) Verdict {
	mg := mergeChain(chain, skip)
	return mg.decide(p)
}

// legacyMeaning is what a site's own 2.2 host rules meant for a request
// whose verdict under 2.4 they did not decide: when the Order/Allow/Deny
// in force comes from the site's own sections, the verdict with the
// Require rules of the levels around the site (the server's, the assumed
// context's) left out. httpd 2.4 with mod_access_compat needs both to
// pass, so a site written for 2.2 ("Allow from all") under a server that
// denies / with "Require all denied" answers 403 although its author
// granted it; a rewrite into 2.4 syntax then grants it, on purpose and
// said so. Unknown when the site's compat rules are not in force.
func legacyMeaning(chain []*modelSection, own []bool, p *probe) Verdict {
	last := -1
	for i, s := range chain {
		if s.access.compat != nil {
			last = i
		}
	}
	if last < 0 || !own[last] {
		return Unknown
	}
	return decideChain(chain, func(i int) bool {
		if own[i] {
			return false
		}
		a := chain[i].access
		return a.authz != nil || a.merging != mergeUnset
	}, p)
}

func union(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]string, 0, len(a)+len(b))
	for _, l := range [][]string{a, b} {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func unionAddrs(a, b []netip.Addr) []netip.Addr {
	out := append([]netip.Addr{}, a...)
	for _, x := range b {
		found := false
		for _, y := range out {
			found = found || x == y
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// touches reports whether chain holds a section the rewrite changes, adds
// or removes.
func (rw *rewrite) touches(chain []*modelSection) bool {
	for _, s := range chain {
		if s.node == nil || s.node.Parent() == nil || rw.removed[s.node] {
			return true // added by the rewrite: not in the tree
		}
		if _, ok := rw.bodies[s.node]; ok {
			return true
		}
		for p := s.node.Parent(); p != nil && !p.IsRoot(); p = p.Parent() {
			if _, ok := rw.bodies[p]; ok {
				return true // a <Files> inside a changed <Directory>
			}
		}
	}
	return false
}

// worldAsDir is one world of facts, with the URL's file taken as a file
// or as a directory (see accessModel.walk).
type worldAsDir struct {
	facts map[string]bool
	asDir bool
}

func worldsAsDir(ws []map[string]bool) []worldAsDir {
	out := make([]worldAsDir, 0, 2*len(ws))
	for _, w := range ws {
		out = append(out, worldAsDir{w, false}, worldAsDir{w, true})
	}
	return out
}
