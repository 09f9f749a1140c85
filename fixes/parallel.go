package fixes

import (
	"runtime"
	"sync"

	"github.com/wsgifix/wsgifix/ast"
)

// Passes that look at one site at a time (static-alias, location-access)
// do their vhosts on several goroutines when a run has many. A vhost's
// work reads and edits only that vhost's subtree, plus what is settled
// before the work starts (the server-level Directory index, the daemon
// index); each goroutine reports into its own list, and the lists are
// joined in vhost order, so the result is the same as one goroutine's.

// minSitesPerWorker: with fewer vhosts per goroutine than this, a pass
// stays on one (tests lower it to run the goldens in parallel).
var minSitesPerWorker = 256

// eachVhost calls work(c, vh) for every vhost of vhs, in order, or on up to
// GOMAXPROCS goroutines, each with its own Context whose findings are
// added to c's in vhost order. work must only touch vh's subtree and what
// does not change while it runs; settle, when the work is split, is called
// first to build what the goroutines share. A panic in work is raised
// again in the caller.
func (c *Context) eachVhost(vhs []*ast.Section, settle func(), work func(c *Context, vh *ast.Section)) {
	n := len(vhs)
	workers := min(runtime.GOMAXPROCS(0), n/minSitesPerWorker)
	if workers < 2 || !separateVhosts(vhs) {
		for _, vh := range vhs {
			work(c, vh)
		}
		return
	}
	settle()
	subs := make([]Context, workers)
	panics := make([]any, workers)
	var wg sync.WaitGroup
	for w := range subs {
		subs[w] = Context{Files: c.Files, Opts: c.Opts, pass: c.pass, daemons: c.daemons}
		from, to := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[w] = recover() }()
			for _, vh := range vhs[from:to] {
				work(&subs[w], vh)
			}
		}()
	}
	wg.Wait()
	for _, v := range panics {
		if v != nil {
			panic(v)
		}
	}
	for w := range subs {
		c.findings.addAll(&subs[w].findings)
	}
}

// separateVhosts reports whether vhs can be worked on in parallel: no vhost
// lies inside another, so their subtrees are disjoint.
func separateVhosts(vhs []*ast.Section) bool {
	for _, vh := range vhs {
		if VirtualHostOf(vh) != nil {
			return false
		}
	}
	return true
}
